export { renderAlertmanagerConfig, webhookVariable } from './alertmanager-config.js';
export { runDemoTraffic } from './demo-traffic.js';
export { doctor, type Finding } from './doctor.js';
export { ManagedProcess, type ProcessSpec } from './managed-process.js';
export { cacheDir, defaultStateDir, repoRoot } from './paths.js';
export { freePort, freePorts } from './ports.js';
export { renderPrometheusConfig } from './prometheus-config.js';
export {
  type Binaries,
  COLLECTOR_BINARY,
  MissingPrerequisiteError,
  manifestHash,
  type Provisioned,
  type ProvisionedPrometheus,
  provision,
  type Reporter,
  wrapperGoMod,
} from './provision/index.js';
export {
  COMPONENTS,
  type ComponentName,
  collectorEnvironment,
  DEFAULT_PORTS,
  type Stack,
  type StackEndpoints,
  type StackOptions,
  type StackPorts,
  startStack,
} from './stack.js';
export { type PinnedVersions, pinnedVersions, prometheusModuleVersion } from './versions.js';
