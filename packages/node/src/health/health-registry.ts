import { performance } from 'node:perf_hooks';
import { maskSecrets } from '../security/sanitize-attributes.js';
// builtin-checks imports only types from this module, so there is no cycle at run time.
import { registerBuiltinChecks } from './builtin-checks.js';

/** Status of one check and of the service as a whole. */
export type HealthStatus = 'healthy' | 'degraded' | 'unhealthy';

/** What a check may return. Returning nothing means healthy; throwing means unhealthy. */
export interface CheckResult {
  /** `unhealthy` counts as a failure; `degraded` keeps the service ready but says something is off. */
  status: HealthStatus;
  /** Human-readable explanation shown in the deep report. */
  detail?: string | undefined;
}

/**
 * A health check. It may be sync or async. It fails by throwing, rejecting, returning `false` or
 * returning `{ status: 'unhealthy' }`; `{ status: 'degraded' }` reports a degraded service; any
 * other outcome passes, so a driver call is a check as it is: `() => pool.query('select 1')`
 * passes when the query resolves, whatever its result.
 */
export type HealthCheck = () => unknown;

/** How a check counts towards the overall status. */
export interface CheckOptions {
  /**
   * A failing critical check makes the service `unhealthy` (not ready, HTTP 503); a failing
   * non-critical one only `degraded` (still ready, HTTP 200). Default `true`.
   */
  critical?: boolean | undefined;
  /** A check still running after this many milliseconds is reported `unhealthy`. Default 2000. */
  timeoutMs?: number | undefined;
}

/** One check's outcome in a {@link HealthReport}. */
export interface CheckReport {
  /** The check's own status. */
  status: HealthStatus;
  /** Whether the check was registered as critical. */
  critical: boolean;
  /** Wall time the check took (or the timeout, if it hung), in milliseconds. */
  durationMs: number;
  /** Why the check is not healthy, or other context the check gave. */
  detail?: string;
}

/** The deep health report, served as JSON by `/health`. */
export interface HealthReport {
  /** Overall status: see {@link HealthRegistry.run}. */
  status: HealthStatus;
  /** Every registered check's outcome, by name, in registration order. */
  checks: Record<string, CheckReport>;
  /** The service version. */
  version: string;
  /** Seconds since the process started. */
  uptimeSeconds: number;
  /** When the report was made (ISO 8601). */
  timestamp: string;
}

/** Options of a {@link HealthRegistry}. */
export interface HealthRegistryOptions {
  /**
   * Service version shown in reports. Default: `OTEL_SERVICE_VERSION`, else the running SDK's
   * `service.version` (`start({ serviceVersion })`), else `service.version` in
   * `OTEL_RESOURCE_ATTRIBUTES`, else `npm_package_version`, else `'unknown'` (read at each run, so
   * variables set after start-up still count).
   */
  version?: string | undefined;
}

/** Default bound on a check's run time: well under the usual 5 s+ timeout of load-balancer probes. */
export const DEFAULT_CHECK_TIMEOUT_MS = 2000;

/** Cap on a detail's length: a check that throws a huge message must not bloat every probe response. */
const MAX_DETAIL_LENGTH = 500;

interface RegisteredCheck {
  readonly check: HealthCheck;
  readonly critical: boolean;
  readonly timeoutMs: number;
}

const STATUSES: ReadonlySet<unknown> = new Set<HealthStatus>(['healthy', 'degraded', 'unhealthy']);

/**
 * A set of named health checks and the logic that turns them into one status.
 *
 * Nothing here throws into the host application: a check that throws, rejects, hangs or returns
 * something unexpected is reported as `unhealthy` with the reason in `detail`.
 */
export class HealthRegistry {
  private readonly checks = new Map<string, RegisteredCheck>();
  private inFlight: Promise<HealthReport> | undefined;

  /** @param options see {@link HealthRegistryOptions}. */
  constructor(private readonly options: HealthRegistryOptions = {}) {}

  /**
   * Adds a check, replacing any check of the same name (so re-registering, e.g. after a hot
   * reload, doesn't fail).
   *
   * @returns a function that removes this registration (and not a later one of the same name).
   */
  registerCheck(name: string, check: HealthCheck, options: CheckOptions = {}): () => void {
    const timeoutMs =
      typeof options.timeoutMs === 'number' && Number.isFinite(options.timeoutMs) && options.timeoutMs > 0
        ? options.timeoutMs
        : DEFAULT_CHECK_TIMEOUT_MS;
    const entry: RegisteredCheck = { check, critical: options.critical ?? true, timeoutMs };
    this.checks.set(name, entry);
    return () => {
      if (this.checks.get(name) === entry) this.checks.delete(name);
    };
  }

  /** Removes a check. @returns whether a check of that name was registered. */
  unregisterCheck(name: string): boolean {
    return this.checks.delete(name);
  }

  /** Names of the registered checks, in registration order. */
  get checkNames(): string[] {
    return [...this.checks.keys()];
  }

  /**
   * Runs every check concurrently, each bounded by its timeout, and reports.
   *
   * Overall status: `unhealthy` if any critical check is unhealthy; else `degraded` if any
   * non-critical check is unhealthy or any check is degraded; else `healthy`.
   *
   * Calls made while a run is in progress share it, so a burst of probes (several load balancers,
   * readiness and the deep report at once) runs each check once rather than once per probe.
   */
  run(): Promise<HealthReport> {
    if (this.inFlight === undefined) {
      this.inFlight = this.runOnce().finally(() => {
        this.inFlight = undefined;
      });
    }
    return this.inFlight;
  }

  private async runOnce(): Promise<HealthReport> {
    const entries = [...this.checks.entries()];
    const results = await Promise.all(
      entries.map(async ([name, entry]) => [name, await runCheck(entry)] as const),
    );
    return {
      status: overallStatus(results.map(([, result]) => result)),
      // fromEntries defines own properties, so even a check named `__proto__` shows up.
      checks: Object.fromEntries(results),
      version: this.options.version ?? defaultVersion(),
      uptimeSeconds: Math.floor(process.uptime()),
      timestamp: new Date().toISOString(),
    };
  }
}

async function runCheck(entry: RegisteredCheck): Promise<CheckReport> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  let outcome: { status: HealthStatus; detail?: string };
  try {
    const timedOut = new Promise<{ status: HealthStatus; detail: string }>((resolve) => {
      // Not unref'd: a script awaiting `run()` must get its answer even if nothing else is pending.
      timer = setTimeout(
        () => resolve({ status: 'unhealthy', detail: `timed out after ${entry.timeoutMs} ms` }),
        entry.timeoutMs,
      );
    });
    // Promise.resolve().then() also turns a synchronous throw into a rejection; race() keeps a
    // late rejection of a timed-out check handled, so it never becomes an unhandledRejection.
    const ran = Promise.resolve()
      .then(() => entry.check())
      .then(normaliseResult, (error: unknown) => ({
        status: 'unhealthy' as const,
        detail: describeError(error),
      }));
    outcome = await Promise.race([ran, timedOut]);
  } catch (error) {
    // Unreachable in practice (both branches resolve); kept so a bug here cannot reach the app.
    outcome = { status: 'unhealthy', detail: describeError(error) };
  } finally {
    clearTimeout(timer);
  }
  const report: CheckReport = {
    status: outcome.status,
    critical: entry.critical,
    durationMs: Math.round((performance.now() - started) * 10) / 10,
  };
  if (outcome.detail !== undefined && outcome.detail !== '') report.detail = sanitiseDetail(outcome.detail);
  return report;
}

function normaliseResult(value: unknown): { status: HealthStatus; detail?: string } {
  if (value === false) return { status: 'unhealthy', detail: 'check returned false' };
  if (
    typeof value !== 'object' ||
    value === null ||
    !('status' in value) ||
    typeof value.status !== 'string'
  ) {
    return { status: 'healthy' };
  }
  if (!STATUSES.has(value.status)) {
    // Meant as a CheckResult with a misspelt status ('ok', 'up'): guessing would hide a broken check.
    return {
      status: 'unhealthy',
      detail: `check returned status "${value.status}" (expected healthy, degraded or unhealthy)`,
    };
  }
  const status = value.status as HealthStatus;
  const detail = 'detail' in value ? value.detail : undefined;
  return detail === undefined || detail === null ? { status } : { status, detail: String(detail) };
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

/**
 * Health endpoints are often reachable by more people than logs are, and driver errors like to
 * quote connection strings and credentials: mask them as telemetry does, then cap the length
 * (in that order, so the cap cannot strand half a secret where the masks no longer see it).
 */
function sanitiseDetail(detail: string): string {
  const masked = maskSecrets(detail);
  return masked.length > MAX_DETAIL_LENGTH ? `${masked.slice(0, MAX_DETAIL_LENGTH - 1)}…` : masked;
}

function overallStatus(results: readonly CheckReport[]): HealthStatus {
  let status: HealthStatus = 'healthy';
  for (const result of results) {
    if (result.status === 'unhealthy') {
      if (result.critical) return 'unhealthy';
      status = 'degraded';
    } else if (result.status === 'degraded') {
      status = 'degraded';
    }
  }
  return status;
}

let sdkServiceVersion: string | undefined;

/**
 * The `service.version` of the running SDK's resource (`start({ serviceVersion })` included), for
 * reports that name no version of their own; `undefined` when the SDK stops.
 */
export function useSdkServiceVersion(version: string | undefined): void {
  sdkServiceVersion = version;
}

function defaultVersion(): string {
  return (
    nonEmpty(process.env.OTEL_SERVICE_VERSION) ??
    nonEmpty(sdkServiceVersion) ??
    resourceAttribute('service.version') ??
    nonEmpty(process.env.npm_package_version) ??
    'unknown'
  );
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

/** Reads one key of `OTEL_RESOURCE_ATTRIBUTES` (`k=v,k=v`, values percent-encoded per the spec). */
function resourceAttribute(key: string): string | undefined {
  for (const pair of (process.env.OTEL_RESOURCE_ATTRIBUTES ?? '').split(',')) {
    const eq = pair.indexOf('=');
    if (eq === -1 || pair.slice(0, eq).trim() !== key) continue;
    const raw = pair.slice(eq + 1).trim();
    try {
      return nonEmpty(decodeURIComponent(raw));
    } catch {
      return nonEmpty(raw);
    }
  }
  return undefined;
}

let defaultRegistry: HealthRegistry | undefined;

/**
 * The process-wide registry used by the HTTP handlers and adapters when none is given, and by the
 * top-level {@link registerCheck}. Created on first use, with the built-in checks (event-loop lag,
 * heap, telemetry export); call {@link registerBuiltinChecks} on it again to change their options.
 */
export function defaultHealthRegistry(): HealthRegistry {
  if (defaultRegistry === undefined) {
    defaultRegistry = new HealthRegistry();
    try {
      registerBuiltinChecks(defaultRegistry);
    } catch {
      // Built-ins are a bonus; the registry must exist even if they cannot be set up.
    }
  }
  return defaultRegistry;
}

/**
 * Adds a check to the process-wide registry. See {@link HealthRegistry.registerCheck}.
 *
 * @example
 * registerCheck('postgres', () => pool.query('select 1'), { critical: true, timeoutMs: 1000 });
 */
export function registerCheck(name: string, check: HealthCheck, options?: CheckOptions): () => void {
  return defaultHealthRegistry().registerCheck(name, check, options);
}

/** Removes a check from the process-wide registry. @returns whether it was registered. */
export function unregisterCheck(name: string): boolean {
  return defaultHealthRegistry().unregisterCheck(name);
}
