import { type Counter, type MeterProvider, metrics } from '@opentelemetry/api';
import { type Logger, logs } from '@opentelemetry/api-logs';

/** Instrumentation scope of the telemetry recordError() and securityEvent() emit. */
export const INSTRUMENTATION_SCOPE = '@otelkit/node';

/** What a counter needs from its definition in @otelkit/conventions. */
export interface CounterDefinition {
  /** Instrument name. */
  readonly name: string;
  /** UCUM unit. */
  readonly unit: string;
  /** Instrument description. */
  readonly description: string;
}

const counters = new Map<string, { provider: MeterProvider; counter: Counter }>();

/**
 * The counter for `definition` from the current global meter provider. The metrics API has no
 * proxy provider (unlike traces and logs), so a counter created before the SDK registers stays a
 * no-op forever; we therefore look the provider up on every call and create the counter again
 * when it changed. Errors and security events are not a hot path, a map lookup is cheap.
 */
export function counterFor(definition: CounterDefinition): Counter {
  const provider = metrics.getMeterProvider();
  const cached = counters.get(definition.name);
  if (cached !== undefined && cached.provider === provider) return cached.counter;
  const counter = provider
    .getMeter(INSTRUMENTATION_SCOPE)
    .createCounter(definition.name, { unit: definition.unit, description: definition.description });
  counters.set(definition.name, { provider, counter });
  return counter;
}

/**
 * The logger of the current global logger provider (`@opentelemetry/api-logs`). Looked up per
 * record for the same reason as {@link counterFor}: the provider may be registered, or replaced
 * after a shutdown, later than our first use. SDK providers cache loggers by name.
 */
export function otelkitLogger(): Logger {
  return logs.getLogger(INSTRUMENTATION_SCOPE);
}
