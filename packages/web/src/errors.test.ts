import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { SECURITY_EVENT_NAME, SecurityAttributes } from '@otelkit/conventions';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { watchErrors } from './errors.js';

const COLLECTOR = 'https://otel.example.com/v1/traces';

/** Enough of a browser for watchErrors: window and document event targets, a location. */
function fakePage() {
  const document = new EventTarget();
  vi.stubGlobal('document', document);
  vi.stubGlobal('addEventListener', () => undefined);
  vi.stubGlobal('location', new URL('https://shop.example.com/cart'));
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  watchErrors(provider.getTracer('test'), COLLECTOR);
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
  return { violate, reported };
}

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
