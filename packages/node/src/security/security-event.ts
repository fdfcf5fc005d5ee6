import { context } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import {
  SECURITY_EVENT_NAME,
  SecurityAttributes,
  SecurityEventsMetric,
  type SecurityEventType,
  SecurityEventTypes,
  type SecurityOutcome,
  SecurityOutcomes,
} from '@otelkit/conventions';
import { counterFor, otelkitLogger } from '../errors/instruments.js';
import {
  type EventAttributes,
  maskSecrets,
  type SanitizedAttributes,
  sanitizeAttributes,
} from './sanitize-attributes.js';

/** A security-relevant event, as application code reports it to {@link securityEvent}. */
export interface SecurityEvent {
  /** What kind of event: `authentication`, `authorization`, `session`, `account`, `rate_limit`, `input_validation`, `suspicious_activity` or `other`. */
  type: SecurityEventType;
  /** How it ended: `success`, `failure`, `denied` or `blocked`. */
  outcome: SecurityOutcome;
  /** What was attempted, in the application's words: `login`, `password_reset`, `invoice.read`. */
  action?: string | undefined;
  /** Why it ended that way: `bad_password`, `missing_role:admin`, `quota_exceeded`. */
  reason?: string | undefined;
  /** What was being accessed: a route, a record type, a tenant. */
  resource?: string | undefined;
  /** The acting (or claimed) user's id; reported as given, so pass an id, not an email. */
  userId?: string | undefined;
  /** The client's IP address, as `client.address`. */
  ip?: string | undefined;
  /** The client's `User-Agent` header, as `user_agent.original`. */
  userAgent?: string | undefined;
  /** More attributes; secret-looking keys and values are redacted before anything is emitted. */
  attributes?: EventAttributes | undefined;
}

// Free-text fields are bounded so that a hostile client (a giant User-Agent, say) cannot inflate
// every security record it triggers.
const MAX_FIELD_LENGTH = 512;

const TYPES = new Set<string>(Object.values(SecurityEventTypes));
const OUTCOMES = new Set<string>(Object.values(SecurityOutcomes));

// Each distinct mistake is said once, on stderr like otelkit's other input problems: a developer
// who passes type 'login' must find out without turning on diagnostics. Bounded, as values may
// come from requests.
const MAX_REPORTED = 20;
const reported = new Set<string>();

function warnOnce(message: string): void {
  if (reported.has(message) || reported.size >= MAX_REPORTED) return;
  reported.add(message);
  try {
    process.stderr.write(`${message}\n`);
  } catch {
    // A closed stderr must not turn a telemetry call into the application's error.
  }
}

function normaliseType(type: unknown): SecurityEventType {
  if (typeof type === 'string' && TYPES.has(type)) return type as SecurityEventType;
  // The type is a metric label: free text would grow series without bound.
  warnOnce(
    `otelkit: securityEvent() type ${JSON.stringify(type)} is not one of ${[...TYPES].join(', ')}; reported as "other"`,
  );
  return SecurityEventTypes.other;
}

function normaliseOutcome(outcome: unknown): SecurityOutcome {
  if (typeof outcome === 'string' && OUTCOMES.has(outcome)) return outcome as SecurityOutcome;
  // An unknown outcome is treated as the non-success it most likely is, so it is never missed.
  warnOnce(
    `otelkit: securityEvent() outcome ${JSON.stringify(outcome)} is not one of ${[...OUTCOMES].join(', ')}; reported as "failure"`,
  );
  return SecurityOutcomes.failure;
}

function text(value: unknown, mask: boolean): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const raw = String(value);
  if (raw === '') return undefined;
  // Mask before cutting: a cut can separate a secret from what marks it as one (the `@` that ends
  // a URL's password), and the stranded half would then go out unmasked.
  return (mask ? maskSecrets(raw) : raw).slice(0, MAX_FIELD_LENGTH);
}

/**
 * Reports a security event: a login, a logout, an authorisation denial, a rate-limit hit,
 * suspicious input. Emits one OTLP log record with the fixed schema of
 * `@otelkit/conventions`' `SecurityAttributes` (event name `otelkit.security`, severity INFO for
 * `success` and WARN otherwise, carrying the active trace and span ids) and adds one to the
 * `otelkit.security.events` counter (Prometheus `otelkit_security_events_total`) by type and
 * outcome only.
 *
 * Secrets never leave the process: extra attributes under secret-looking keys (password, token,
 * API key, authorization, cookie, session id, card number) are redacted and secret-looking values
 * (bearer tokens, JWTs, credentials in URLs) masked, in `action`, `reason` and `resource` too.
 * `userId` and `ip` are kept as given. Unknown types are reported as `other` and unknown outcomes
 * as `failure`, each distinct mistake said once on stderr. Never throws.
 *
 * @example
 * securityEvent({ type: 'authentication', outcome: 'failure', action: 'login', reason: 'bad_password', userId, ip: req.ip });
 */
export function securityEvent(event: SecurityEvent): void {
  try {
    const type = normaliseType(event.type);
    const outcome = normaliseOutcome(event.outcome);
    const schema: SanitizedAttributes = {
      [SecurityAttributes.type]: type,
      [SecurityAttributes.outcome]: outcome,
    };
    const optional: Array<[string, string | undefined]> = [
      [SecurityAttributes.action, text(event.action, true)],
      [SecurityAttributes.reason, text(event.reason, true)],
      [SecurityAttributes.resource, text(event.resource, true)],
      [SecurityAttributes.userId, text(event.userId, false)],
      [SecurityAttributes.clientAddress, text(event.ip, false)],
      [SecurityAttributes.userAgent, text(event.userAgent, true)],
    ];
    for (const [key, value] of optional) if (value !== undefined) schema[key] = value;

    try {
      const action = schema[SecurityAttributes.action];
      const reason = schema[SecurityAttributes.reason];
      const severity = outcome === SecurityOutcomes.success ? SeverityNumber.INFO : SeverityNumber.WARN;
      otelkitLogger().emit({
        eventName: SECURITY_EVENT_NAME,
        severityNumber: severity,
        severityText: SeverityNumber[severity],
        // A readable line for log views; the attributes are what queries use.
        body: `security ${type} ${outcome}${action === undefined ? '' : `: ${action}`}${reason === undefined ? '' : ` (${reason})`}`,
        // The schema comes last so that extra attributes cannot overwrite it.
        attributes: { ...sanitizeAttributes(event.attributes), ...schema },
        context: context.active(),
      });
    } catch {
      // Telemetry must never break the request that reports the event.
    }

    try {
      counterFor(SecurityEventsMetric).add(1, {
        [SecurityEventsMetric.attributes.type]: type,
        [SecurityEventsMetric.attributes.outcome]: outcome,
      });
    } catch {
      // As above.
    }
  } catch {
    // As above: a malformed event (a getter that throws) is dropped.
  }
}
