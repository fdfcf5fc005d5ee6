import type { Attributes, Context, Link, SpanKind } from '@opentelemetry/api';
import { type Sampler, SamplingDecision, type SamplingResult } from '@opentelemetry/sdk-trace-base';

/*
 * A session is what a person does in one sitting: it ends after 15 minutes without activity or
 * after 4 hours at most (the limits analytics tools use, so numbers line up). Activity is what the
 * person does (input, switching to or away from the tab, loading a page they see), not what the
 * page does: a dashboard polling in a background tab must not keep a session open for hours. It
 * lives in sessionStorage by default, so closing the tab ends it and nothing outlasts the visit;
 * apps that want one session across tabs opt into localStorage, and then storage, not a tab's
 * memory, is the truth: each tab re-reads it before deciding the session has expired and adopts a
 * session another tab started. Sampling is decided once per session, so a sampled session is
 * complete (every page, every error) instead of a random scatter of spans.
 */

/** Where the session is kept. */
export type SessionStorageKind = 'session' | 'local';

/** Inactivity after which a new session starts. */
export const SESSION_INACTIVITY_MS = 15 * 60 * 1000;
/** Age after which a new session starts, however active. */
export const SESSION_MAX_MS = 4 * 60 * 60 * 1000;
const STORAGE_KEY = 'otelkit.session';
// Input events come in bursts (scroll, typing); activity is recorded, and written, this coarsely.
const ACTIVITY_INTERVAL_MS = 5_000;
/** What counts as the person being there; `scroll` and `visibilitychange` reach window in capture. */
const ACTIVITY_EVENTS = ['pointerdown', 'keydown', 'scroll', 'visibilitychange', 'pageshow'];

/** A session as stored. */
export interface SessionState {
  /** Random 32-hex id, the `session.id` attribute. */
  id: string;
  /** Epoch ms the session started. */
  start: number;
  /** Epoch ms of the last activity. */
  last: number;
  /** Whether this session's telemetry is sent. */
  sampled: boolean;
}

function randomId(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function storageOf(kind: SessionStorageKind): Storage | undefined {
  try {
    // Access itself throws when storage is disabled (privacy modes, sandboxed iframes).
    return kind === 'local' ? window.localStorage : window.sessionStorage;
  } catch {
    return undefined;
  }
}

/** Keeps the current session, rotating it on inactivity or age. */
export class SessionManager {
  private state: SessionState;
  private readonly storage: Storage | undefined;

  /**
   * @param kind where to keep the session
   * @param sampleRate share of sessions whose telemetry is sent, 0 to 1
   * @param now clock, replaceable in tests
   */
  constructor(
    kind: SessionStorageKind,
    private readonly sampleRate: number,
    private readonly now: () => number = Date.now,
  ) {
    this.storage = storageOf(kind);
    this.state = this.read() ?? this.create();
    this.validate();
  }

  private read(): SessionState | undefined {
    try {
      const raw = this.storage?.getItem(STORAGE_KEY);
      if (!raw) return undefined;
      const parsed = JSON.parse(raw) as Partial<SessionState>;
      if (
        typeof parsed.id === 'string' &&
        typeof parsed.start === 'number' &&
        typeof parsed.last === 'number' &&
        typeof parsed.sampled === 'boolean'
      ) {
        return parsed as SessionState;
      }
    } catch {
      // Corrupt or inaccessible storage: start afresh.
    }
    return undefined;
  }

  private write(): void {
    try {
      this.storage?.setItem(STORAGE_KEY, JSON.stringify(this.state));
    } catch {
      // Quota exceeded or storage disabled: the session still lives in memory for this page.
    }
  }

  private create(): SessionState {
    const now = this.now();
    this.state = { id: randomId(), start: now, last: now, sampled: Math.random() < this.sampleRate };
    this.write();
    return this.state;
  }

  private expired(state: SessionState): boolean {
    const now = this.now();
    return now - state.last > SESSION_INACTIVITY_MS || now - state.start > SESSION_MAX_MS;
  }

  private validate(): void {
    // Other tabs sharing localStorage record their activity and start new sessions there; an
    // in-memory copy alone would expire a session still in use, or keep one the others left.
    const stored = this.read();
    if (stored?.id === this.state.id) {
      this.state.last = Math.max(this.state.last, stored.last);
    } else if (stored && !this.expired(stored)) {
      this.state = { ...stored, last: Math.max(this.state.last, stored.last) };
    }
    if (this.expired(this.state)) this.create();
  }

  /** The current session, rotated first if it has expired. */
  current(): SessionState {
    this.validate();
    return this.state;
  }

  /** Records activity (the person did something) so the inactivity timer restarts. */
  touch(): void {
    this.validate();
    this.state.last = this.now();
    this.write();
  }

  /**
   * Counts the person's activity: input, scrolling, switching to or away from the tab, a page
   * restored from the back/forward cache, and this page load if it is visible. Passive listeners,
   * at most one storage write per 5 s.
   */
  watchActivity(): void {
    let last = Number.NEGATIVE_INFINITY;
    const onActivity = () => {
      const now = this.now();
      if (now - last < ACTIVITY_INTERVAL_MS) return;
      last = now;
      this.touch();
    };
    for (const type of ACTIVITY_EVENTS) addEventListener(type, onActivity, { capture: true, passive: true });
    if (document.visibilityState === 'visible') onActivity();
  }
}

/**
 * Samples by session: every span of a sampled session is recorded, none of an unsampled one. A
 * remote parent's decision is not followed, because the browser is where traces start.
 */
export class SessionSampler implements Sampler {
  /** @param sessions the sessions whose decision is applied */
  constructor(private readonly sessions: SessionManager) {}

  /** Records and samples when the current session is sampled, else drops. */
  shouldSample(
    _context: Context,
    _traceId: string,
    _name: string,
    _kind: SpanKind,
    _attributes: Attributes,
    _links: Link[],
  ): SamplingResult {
    return {
      decision: this.sessions.current().sampled
        ? SamplingDecision.RECORD_AND_SAMPLED
        : SamplingDecision.NOT_RECORD,
    };
  }

  /** Describes the sampler, as the SDK's diagnostics print it. */
  toString(): string {
    return 'SessionSampler';
  }
}
