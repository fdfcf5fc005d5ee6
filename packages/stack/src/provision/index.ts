import { cacheDir, repoRoot } from '../paths.js';
import { pinnedVersions } from '../versions.js';
import { ensureCollector, type Provisioned } from './collector.js';
import { ALERTMANAGER, BLACKBOX_EXPORTER, ensureDebianBackend } from './debian-package.js';
import { ensurePrometheus, type ProvisionedPrometheus } from './prometheus.js';
import type { Reporter } from './report.js';

export { COLLECTOR_BINARY, ensureCollector, manifestHash, type Provisioned } from './collector.js';
export {
  ALERTMANAGER,
  BLACKBOX_EXPORTER,
  type DebianBackend,
  ensureDebianBackend,
  findBinary,
} from './debian-package.js';
export { requireGo } from './go-toolchain.js';
export { ensurePrometheus, type ProvisionedPrometheus, wrapperGoMod } from './prometheus.js';
export { MissingPrerequisiteError, type Reporter } from './report.js';

/** Every backend binary the native stack runs. */
export interface Binaries {
  /** The otelkit Collector distribution (also runs the sink). */
  collector: Provisioned;
  /** Prometheus server and promtool. */
  prometheus: ProvisionedPrometheus;
  /** Alertmanager. */
  alertmanager: Provisioned;
  /** Blackbox exporter (uptime probes). */
  blackbox: Provisioned;
}

/** Builds or finds every backend, reusing what is cached. Safe to call on every start. */
export async function provision(report: Reporter = () => {}): Promise<Binaries> {
  const root = repoRoot();
  const cache = cacheDir();
  const versions = pinnedVersions(root);
  const collector = await ensureCollector(root, cache, report);
  const prometheus = await ensurePrometheus(cache, versions, report);
  const alertmanager = await ensureDebianBackend(ALERTMANAGER, report);
  const blackbox = await ensureDebianBackend(BLACKBOX_EXPORTER, report);
  return { collector, prometheus, alertmanager, blackbox };
}
