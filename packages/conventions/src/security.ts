/**
 * The fixed schema of security events: log records `@otelkit/node`'s `securityEvent()` emits for
 * logins, authorisation denials, rate-limit hits and suspicious input, and the counter beside them.
 *
 * Our own fields live under `otelkit.security.*` (OpenTelemetry asks for custom attributes to be
 * namespaced so that future semantic conventions cannot collide with them); who and from where use
 * the semantic conventions `user.id`, `client.address` and `user_agent.original`. In Loki they are
 * structured metadata with dots turned into underscores (`otelkit_security_type`).
 */
export const SecurityAttributes = {
  /** What kind of event; one of {@link SecurityEventTypes}. Always present. */
  type: 'otelkit.security.type',
  /** How it ended; one of {@link SecurityOutcomes}. Always present. */
  outcome: 'otelkit.security.outcome',
  /** What was attempted, in the application's words: `login`, `password_reset`, `invoice.read`. */
  action: 'otelkit.security.action',
  /** Why it ended that way: `bad_password`, `missing_role:admin`, `quota_exceeded`. */
  reason: 'otelkit.security.reason',
  /** What was being accessed: a route, a record type, a tenant. */
  resource: 'otelkit.security.resource',
  /** The acting user's id (semantic conventions `user.id`). Never a secret, so kept as given. */
  userId: 'user.id',
  /** The client's IP address (semantic conventions `client.address`). */
  clientAddress: 'client.address',
  /** The client's `User-Agent` header (semantic conventions `user_agent.original`). */
  userAgent: 'user_agent.original',
} as const;

/**
 * Kinds of security event. A closed list on purpose: the type is a metric label, so free text
 * would grow series without bound. Anything else is reported as `other`.
 */
export const SecurityEventTypes = {
  /** Proving who someone is: login, logout, MFA, token exchange. */
  authentication: 'authentication',
  /** Deciding what someone may do: permission and role checks, tenant isolation. */
  authorization: 'authorization',
  /** Session lifecycle: creation, expiry, revocation, fixation or hijack suspicion. */
  session: 'session',
  /** Account changes that matter for security: password or email change, MFA enrolment, lockout. */
  account: 'account',
  /** A request throttled or rejected by a rate limiter. */
  rateLimit: 'rate_limit',
  /** Input rejected as malformed or malicious: injection attempts, oversized payloads, bad CSRF tokens. */
  inputValidation: 'input_validation',
  /** Anything else worth an auditor's attention, e.g. scanning, impossible travel. */
  suspiciousActivity: 'suspicious_activity',
  /** Used in place of an unknown type. */
  other: 'other',
} as const;

/** One of the {@link SecurityEventTypes} values. */
export type SecurityEventType = (typeof SecurityEventTypes)[keyof typeof SecurityEventTypes];

/** How a security event ended. */
export const SecurityOutcomes = {
  /** The attempt succeeded (a login, an allowed access). Logged at INFO. */
  success: 'success',
  /** The attempt failed on its own terms (wrong password, expired token). Logged at WARN. */
  failure: 'failure',
  /** A policy refused it (missing permission). Logged at WARN. */
  denied: 'denied',
  /** A protective control stopped it (rate limiter, WAF rule, lockout). Logged at WARN. */
  blocked: 'blocked',
} as const;

/** One of the {@link SecurityOutcomes} values. */
export type SecurityOutcome = (typeof SecurityOutcomes)[keyof typeof SecurityOutcomes];

/**
 * `EventName` of every security event log record. Loki releases that read the OTLP `event_name`
 * field store it as `event_name` structured metadata; with older ones, select security events by
 * their `otelkit_security_type` structured metadata, which every one carries.
 */
export const SECURITY_EVENT_NAME = 'otelkit.security';

/** Counter of security events by type and outcome: the series alerts and dashboards use. */
export const SecurityEventsMetric = {
  /** OpenTelemetry instrument name. */
  name: 'otelkit.security.events',
  /** UCUM annotation; Prometheus drops it when translating the name. */
  unit: '{event}',
  /** Instrument description. */
  description: 'Security events by type and outcome.',
  /** Attribute keys on the data points: type and outcome only, to bound cardinality. */
  attributes: {
    /** See {@link SecurityAttributes.type}. */
    type: SecurityAttributes.type,
    /** See {@link SecurityAttributes.outcome}. */
    outcome: SecurityAttributes.outcome,
  },
  /** Name of the series once Prometheus has ingested it over OTLP (monotonic sum: `_total`). */
  prometheusName: 'otelkit_security_events_total',
  /** Label names of the series in Prometheus (dots become underscores). */
  prometheusLabels: {
    /** Event type. */
    type: 'otelkit_security_type',
    /** Event outcome. */
    outcome: 'otelkit_security_outcome',
  },
} as const;
