import type { EventEmitter } from 'node:events';
import { type Context, context } from '@opentelemetry/api';

/**
 * Runs the listeners added to a server request or response in the request's trace context.
 *
 * Node emits a request's stream events ('data', 'end', 'finish', 'close') from the socket's async
 * context, not the handler's, so a body parser's callbacks would run outside the span. Upstream's
 * answer, `context.bind(ctx, emitter)`, gives every request object nine fresh method closures, a
 * WeakMap per event and new own properties; on a hello-world server that was the largest share of
 * the context manager's cost (docs/performance.md). Here the add-listener methods are patched
 * once on the prototypes and a request only carries its context under a symbol: a listener is
 * wrapped only when it is added to a request that has one.
 *
 * A wrapper keeps the original under `listener`, the property Node's own `once` uses, so that
 * `removeListener(event, original)` finds it without patching the removal methods.
 */

const CONTEXT = Symbol('otelkit.listenerContext');
const WRAPPED = Symbol('otelkit.wrappedListener');

type Listener = (...args: unknown[]) => unknown;
/** An EventEmitter add-listener method. */
export type AddListener = (this: EventEmitter, event: string | symbol, listener: Listener) => EventEmitter;
type Carrier = EventEmitter & { [CONTEXT]?: Context };
type Wrapper = Listener & { listener: Listener; [WRAPPED]: true };

/** The add-listener methods patched, and whether each adds a one-shot listener. */
export const ADD_LISTENER_METHODS = {
  on: false,
  addListener: false,
  prependListener: false,
  once: true,
  prependOnceListener: true,
} as const;

/** One of {@link ADD_LISTENER_METHODS}. */
export type AddListenerMethod = keyof typeof ADD_LISTENER_METHODS;

/** Makes listeners added to `emitter` from now on run in `ctx`; needs {@link patchAddListener}. */
export function setListenerContext(emitter: EventEmitter, ctx: Context): void {
  (emitter as Carrier)[CONTEXT] = ctx;
}

/**
 * Marks `listener` to be added as it is, without the wrapper that restores the request's
 * context: for otelkit's own bookkeeping, which reads no context and should not pay for a
 * wrapper per request.
 */
export function withoutContext<T extends Listener>(listener: T): T {
  (listener as T & { [WRAPPED]?: true })[WRAPPED] = true;
  return listener;
}

/**
 * Wraps one add-listener method of a prototype so that it honours {@link setListenerContext}.
 * `persistent` is the prototype's non-once variant (`on` or `prependListener`): one-shot
 * listeners are registered through it so that the stream's own handling (a 'data' listener
 * resumes a readable) still applies.
 */
export function patchAddListener(method: AddListenerMethod, original: AddListener): AddListener {
  const once = ADD_LISTENER_METHODS[method];
  const persistent: 'on' | 'prependListener' = method === 'prependOnceListener' ? 'prependListener' : 'on';
  return function addListener(this: Carrier, event, listener) {
    const ctx = this[CONTEXT];
    if (ctx === undefined || typeof listener !== 'function' || (listener as Partial<Wrapper>)[WRAPPED]) {
      return original.call(this, event, listener);
    }
    const wrapper = once ? onceInContext(this, event, listener, ctx) : inContext(listener, ctx);
    return once ? this[persistent](event, wrapper) : original.call(this, event, wrapper);
  };
}

function inContext(listener: Listener, ctx: Context): Wrapper {
  const wrapper = function (this: unknown, ...args: unknown[]) {
    return context.with(ctx, listener, this, ...args);
  } as Wrapper;
  wrapper.listener = listener;
  wrapper[WRAPPED] = true;
  return wrapper;
}

function onceInContext(
  emitter: EventEmitter,
  event: string | symbol,
  listener: Listener,
  ctx: Context,
): Wrapper {
  let fired = false;
  const wrapper = function (this: unknown, ...args: unknown[]) {
    if (fired) return undefined;
    fired = true;
    emitter.removeListener(event, wrapper);
    return context.with(ctx, listener, this, ...args);
  } as Wrapper;
  wrapper.listener = listener;
  wrapper[WRAPPED] = true;
  return wrapper;
}
