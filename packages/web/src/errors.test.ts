import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { ErrorAttributes, SECURITY_EVENT_NAME, SecurityAttributes } from '@otelkit/conventions';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ERROR_SPAN, errorAttributes, MAX_ERRORS_PER_FINGERPRINT, watchErrors } from './errors.js';

const COLLECTOR = 'https://otel.example.com/v1/traces';

/** Enough of a browser for watchErrors: window and document event targets, a location. */
function fakePage() {
  const document = new EventTarget();
  const window = new EventTarget();
  vi.stubGlobal('document', document);
  vi.stubGlobal('addEventListener', window.addEventListener.bind(window));
  vi.stubGlobal('location', new URL('https://shop.example.com/cart'));
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const errors = watchErrors(provider.getTracer('test'), COLLECTOR);
  /** An uncaught error from `site`, as window's `error` event delivers it. */
  const raise = (message: string, site = 'validateCart') => {
    const error = new TypeError(message);
    error.stack = `TypeError: ${message}\n    at ${site} (https://shop.example.com/app.js:10:5)\n    at HTMLButtonElement.onclick (https://shop.example.com/app.js:20:3)`;
    window.dispatchEvent(Object.assign(new Event('error'), { error, message }));
  };
  const exceptions = () => exporter.getFinishedSpans().filter((s) => s.name === ERROR_SPAN);
  const violate = (blockedURI: string, effectiveDirective = 'connect-src') =>
    document.dispatchEvent(
      Object.assign(new Event('securitypolicyviolation'), {
        blockedURI,
        effectiveDirective,
        violatedDirective: effectiveDirective,
        disposition: 'report',
        sourceFile: '',
        lineNumber: 0,
      }),
    );
  const reported = () =>
    exporter
      .getFinishedSpans()
      .filter((s) => s.name === SECURITY_EVENT_NAME)
      .map((s) => `${s.attributes[SecurityAttributes.action]} ${s.attributes[SecurityAttributes.resource]}`);
  return { violate, reported, raise, exceptions, errors };
}

describe('uncaught errors', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('masks the secret-named fields of an object a promise was rejected with', () => {
    const attributes = errorAttributes(
      { code: 42, token: 'abc', auth: { password: 'hunter2' } },
      'unhandledrejection',
    );
    expect(attributes[ErrorAttributes.message]).toBe(
      '{"code":42,"token":"[REDACTED]","auth":{"password":"[REDACTED]"}}',
    );
  });

  it('sends the stack once per span: as an attribute, not again in the exception event', () => {
    const page = fakePage();
    page.raise('cart 1 has no items');
    const [span] = page.exceptions();
    expect(String(span?.attributes[ErrorAttributes.stacktrace])).toContain('validateCart');
    expect(span?.events.map((e) => e.name)).toEqual(['exception']);
    expect(span?.events[0]?.attributes?.[ErrorAttributes.stacktrace]).toBeUndefined();
    expect(span?.events[0]?.attributes?.[ErrorAttributes.type]).toBe('TypeError');
  });

  it('an error thrown in a loop: the first few spans per fingerprint, then one summary with the count', () => {
    const page = fakePage();
    // A storm: one error every frame for five seconds, as a broken render loop throws.
    for (let i = 0; i < 310; i++) page.raise(`cart ${i} has no items`);
    page.raise('other', 'checkout');
    const before = page.exceptions();
    expect(before).toHaveLength(MAX_ERRORS_PER_FINGERPRINT + 1);
    expect(before.every((s) => s.attributes[ErrorAttributes.occurrences] === undefined)).toBe(true);
    // The page is hidden: what was held back goes out as one span per fingerprint.
    page.errors.flush();
    const summaries = page.exceptions().slice(before.length);
    expect(summaries).toHaveLength(1);
    const [summary] = summaries;
    expect(summary?.attributes[ErrorAttributes.occurrences]).toBe(310 - MAX_ERRORS_PER_FINGERPRINT);
    expect(summary?.attributes[ErrorAttributes.fingerprint]).toBe(
      before[0]?.attributes[ErrorAttributes.fingerprint],
    );
    expect(summary?.attributes[ErrorAttributes.message]).toBe('cart 309 has no items');
    expect(summary?.status.code).toBe(2);
    // Nothing new held back: a second hide sends nothing; the storm goes on, counted again.
    page.errors.flush();
    expect(page.exceptions()).toHaveLength(before.length + 1);
    page.raise('again');
    page.errors.flush();
    expect(page.exceptions().at(-1)?.attributes[ErrorAttributes.occurrences]).toBe(1);
    // A new page view starts the limits afresh.
    page.errors.reset();
    const count = page.exceptions().length;
    page.raise('next page');
    expect(page.exceptions()).toHaveLength(count + 1);
    expect(page.exceptions().at(-1)?.attributes[ErrorAttributes.occurrences]).toBeUndefined();
  });
});

describe('CSP violations', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('ignores violations caused by sending to the Collector, which would loop', () => {
    const page = fakePage();
    page.violate(COLLECTOR);
    page.violate('https://otel.example.com');
    page.violate(`${COLLECTOR}?retry=1`);
    expect(page.reported()).toEqual([]);
    // Only the export itself: other URLs of that origin are the page's own violations.
    page.violate('https://otel.example.com/widget.js', 'script-src-elem');
    expect(page.reported()).toEqual(['csp.script-src-elem https://otel.example.com/widget.js']);
  });

  it('reports each distinct violation once per page load', () => {
    const page = fakePage();
    for (let i = 0; i < 5; i++) page.violate('https://ads.example.net/pixel');
    page.violate('https://ads.example.net/pixel', 'img-src');
    page.violate('inline', 'script-src-elem');
    page.violate('inline', 'script-src-elem');
    expect(page.reported()).toEqual([
      'csp.connect-src https://ads.example.net/pixel',
      'csp.img-src https://ads.example.net/pixel',
      'csp.script-src-elem inline',
    ]);
  });
});
