export { runDemoTraffic } from './demo-traffic.js';
export { type Finding, doctor } from './doctor.js';
export { ManagedProcess, type ProcessSpec } from './managed-process.js';
export { cacheDir, defaultStateDir, repoRoot } from './paths.js';
export { freePort } from './ports.js';
export { renderPrometheusConfig } from './prometheus-config.js';
export {
  type Binaries,
  COLLECTOR_BINARY,
  MissingPrerequisiteError,
  type Provisioned,
  type ProvisionedPrometheus,
  type Reporter,
  manifestHash,
  provision,
  wrapperGoMod,
} from './provision/index.js';
export {
  COMPONENTS,
  type ComponentName,
  DEFAULT_PORTS,
  type Stack,
  type StackEndpoints,
  type StackOptions,
  type StackPorts,
  collectorEnvironment,
  startStack,
} from './stack.js';
export { type PinnedVersions, pinnedVersions, prometheusModuleVersion } from './versions.js';
