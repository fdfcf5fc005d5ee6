import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SESSION_INACTIVITY_MS, SessionManager } from './session.js';
import { PageSpanProcessor } from './tracing.js';

const MINUTE = 60_000;

/** One origin's localStorage, shared by the tabs of a test, and a window to listen on. */
function fakeBrowser() {
  const store = new Map<string, string>();
  const storage = {
    getItem: (key: string) => store.get(key) ?? null,
    setItem: (key: string, value: string) => void store.set(key, String(value)),
  };
  const window = new EventTarget();
  vi.stubGlobal('window', { localStorage: storage, sessionStorage: storage });
  vi.stubGlobal('addEventListener', window.addEventListener.bind(window));
  vi.stubGlobal('document', { visibilityState: 'visible' });
  let t = 1_700_000_000_000;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
    input: (type = 'keydown') => window.dispatchEvent(new Event(type)),
  };
}

describe('sessions', () => {
  beforeEach(() => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
  });

  it("'local': a tab idle for 20 minutes keeps the session another tab is used in", () => {
    const browser = fakeBrowser();
    const a = new SessionManager('local', 1, browser.now);
    const b = new SessionManager('local', 1, browser.now);
    const id = a.current().id;
    expect(b.current().id).toBe(id);
    // The user works in tab B for 20 minutes; tab A sits in the background.
    for (let i = 0; i < 20; i++) {
      browser.advance(MINUTE);
      b.touch();
    }
    expect(a.current().id).toBe(id);
    browser.advance(10_000);
    b.touch();
    expect(b.current().id).toBe(id);
    expect(a.current().id).toBe(id);
  });

  it("'local': a session one tab started after expiry is the one every tab uses", () => {
    const browser = fakeBrowser();
    const a = new SessionManager('local', 1, browser.now);
    const b = new SessionManager('local', 1, browser.now);
    const old = a.current().id;
    browser.advance(SESSION_INACTIVITY_MS + MINUTE);
    const next = b.current().id;
    expect(next).not.toBe(old);
    expect(a.current().id).toBe(next);
  });

  it('spans (a polling fetch, our own) do not keep a session alive; user input does', () => {
    const browser = fakeBrowser();
    const sessions = new SessionManager('session', 1, browser.now);
    sessions.watchActivity();
    const processor = new PageSpanProcessor(sessions, () => '/');
    const tracer = new BasicTracerProvider().getTracer('test');
    const id = sessions.current().id;
    // A dashboard left open polls every minute; nobody touches it for 20 minutes.
    for (let i = 0; i < 20; i++) {
      browser.advance(MINUTE);
      processor.onStart(tracer.startSpan('GET /api/status') as never);
    }
    const next = sessions.current().id;
    expect(next).not.toBe(id);
    // Someone uses it: every few minutes a key or a click keeps it going for the next 20.
    for (let i = 0; i < 10; i++) {
      browser.advance(2 * MINUTE);
      browser.input(i % 2 ? 'keydown' : 'pointerdown');
      processor.onStart(tracer.startSpan('GET /api/status') as never);
    }
    expect(sessions.current().id).toBe(next);
  });
});
