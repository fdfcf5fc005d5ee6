export { renderAlertmanagerConfig, webhookVariable } from './alertmanager-config.js';
export { CHROMIUM_PATH, type ChromiumLaunchOptions, chromiumLaunchOptions } from './chromium.js';
export {
  type DemoServices,
  type DemoServicesOptions,
  type ExampleServiceOptions,
  exampleServiceProcess,
  pickDemoPorts,
  type RedisOptions,
  redisProcess,
  redisServerPath,
  startDemoServices,
} from './demo/run-demo-services.js';
export { DEMO_SERVICE_NAMES, DEMO_SERVICES, type DemoPorts, type DemoServiceName } from './demo/services.js';
export { type DemoTraffic, type DemoTrafficOptions, startDemoTraffic } from './demo/traffic.js';
export {
  type SessionOutcome,
  SIMULATED_PAGES,
  SIMULATED_WEB_APP,
  SimulatedBrowser,
  type SimulatedBrowserOptions,
} from './demo/web-sessions.js';
export { doctor, type Finding } from './doctor.js';
export { type LokiProcessOptions, lokiProcess } from './loki-process.js';
export { ManagedProcess, type ProcessSpec } from './managed-process.js';
export { cacheDir, defaultStateDir, repoRoot } from './paths.js';
export { freePort, freePorts } from './ports.js';
export { type PrometheusTargets, renderPrometheusConfig } from './prometheus-config.js';
export {
  type Binaries,
  COLLECTOR_BINARY,
  MissingPrerequisiteError,
  manifestHash,
  type Provisioned,
  type ProvisionedPrometheus,
  type ProvisionOptions,
  provision,
  type Reporter,
  wrapperGoMod,
} from './provision/index.js';
export { type SinkProcessOptions, sinkProcess } from './sink-process.js';
export {
  COMPONENTS,
  type ComponentName,
  collectorEnvironment,
  DEFAULT_PORTS,
  type Stack,
  type StackEndpoints,
  type StackOptions,
  type StackPorts,
  type StackProcesses,
  startStack,
} from './stack.js';
export { type PinnedVersions, pinnedVersions, prometheusModuleVersion } from './versions.js';
