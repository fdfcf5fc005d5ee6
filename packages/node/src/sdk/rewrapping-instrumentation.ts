import { InstrumentationBase, type InstrumentationConfig, isWrapped } from '@opentelemetry/instrumentation';

/**
 * Base of otelkit's own instrumentations: a patch applied twice (the module loaded again, or
 * patched by hand in tests) replaces the earlier wrapper instead of stacking on it.
 */
export abstract class RewrappingInstrumentation<
  Config extends InstrumentationConfig = InstrumentationConfig,
> extends InstrumentationBase<Config> {
  /** Wraps `target[name]`, unwrapping this instrumentation's earlier wrapper first. */
  protected rewrap<T extends object, K extends keyof T>(
    target: T,
    name: K,
    wrapper: (original: T[K]) => T[K],
  ): void {
    if (isWrapped(target[name])) this._unwrap(target, name);
    this._wrap(target, name, wrapper);
  }
}
