import type { Attributes, Context, Link, SpanKind } from '@opentelemetry/api';
import { type Sampler, SamplingDecision, type SamplingResult } from '@opentelemetry/sdk-trace-base';

/*
 * A session is what a person does in one sitting: it ends after 15 minutes without activity or
 * after 4 hours at most (the limits analytics tools use, so numbers line up). It lives in
 * sessionStorage by default, so closing the tab ends it and nothing outlasts the visit; apps that
 * want one session across tabs opt into localStorage. Sampling is decided once per session, so a
 * sampled session is complete (every page, every error) instead of a random scatter of spans.
 */

/** Where the session is kept. */
export type SessionStorageKind = 'session' | 'local';

/** Inactivity after which a new session starts. */
export const SESSION_INACTIVITY_MS = 15 * 60 * 1000;
/** Age after which a new session starts, however active. */
export const SESSION_MAX_MS = 4 * 60 * 60 * 1000;
const STORAGE_KEY = 'otelkit.session';
// Writing storage on every span would cost main-thread time; activity is recorded this coarsely.
const TOUCH_WRITE_INTERVAL_MS = 5_000;

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
  private lastWrite = 0;
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
    this.lastWrite = this.now();
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

  private validate(): void {
    const now = this.now();
    if (now - this.state.last > SESSION_INACTIVITY_MS || now - this.state.start > SESSION_MAX_MS) {
      this.create();
    }
  }

  /** The current session, rotated first if it has expired. */
  current(): SessionState {
    this.validate();
    return this.state;
  }

  /** Records activity (a span started) so the inactivity timer restarts. */
  touch(): void {
    this.validate();
    const now = this.now();
    this.state.last = now;
    if (now - this.lastWrite > TOUCH_WRITE_INTERVAL_MS) this.write();
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
