import { cacheDir, repoRoot } from '../paths.js';
import { pinnedVersions } from '../versions.js';
import { ensureCollector, type Provisioned } from './collector.js';
import { ALERTMANAGER, BLACKBOX_EXPORTER, ensureDebianBackend } from './debian-package.js';
import { ensureLoki } from './loki.js';
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
export { ensureLoki, requiredVersion } from './loki.js';
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
  /**
   * Loki, built from its Go module, when asked for with `{ loki: true }`: only
   * `startStack({ logs: 'loki' })` (the tests) runs it, and it builds it on demand otherwise.
   */
  loki?: Provisioned;
}

/** Options of {@link provision}. */
export interface ProvisionOptions {
  /** Also build Loki (about 3 min and 170 MB the first time). Default false. */
  loki?: boolean;
}

/** Builds or finds every backend, reusing what is cached. Safe to call on every start. */
export async function provision(
  report: Reporter = () => {},
  options: ProvisionOptions = {},
): Promise<Binaries> {
  const root = repoRoot();
  const cache = cacheDir();
  const versions = pinnedVersions(root);
  const collector = await ensureCollector(root, cache, report);
  const prometheus = await ensurePrometheus(cache, versions, report);
  const alertmanager = await ensureDebianBackend(ALERTMANAGER, report);
  const blackbox = await ensureDebianBackend(BLACKBOX_EXPORTER, report);
  const binaries: Binaries = { collector, prometheus, alertmanager, blackbox };
  if (options.loki) binaries.loki = await ensureLoki(cache, versions, report);
  return binaries;
}
