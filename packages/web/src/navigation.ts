import { ROOT_CONTEXT, type Span, type Tracer } from '@opentelemetry/api';
import { scrubUrl } from './privacy.js';
import type { PageContextManager } from './tracing.js';
import { PAGE_PATH } from './tracing.js';

/** Name of the span covering one page view: from navigation (or route change) to leaving it. */
export const PAGE_VIEW_SPAN = 'page view';
/** Why a page view ended: `pagehide`, `route_change`. */
export const PAGE_VIEW_END_REASON = 'page_view.end_reason';
/** How the page view started: `load`, `push`, `replace`, `pop`, `restore` (back/forward cache). */
export const PAGE_VIEW_TRIGGER = 'page_view.trigger';

/**
 * One span per page view, ended on `pagehide` or when a single-page app changes route. It is the
 * parent of everything that happens meanwhile (see PageContextManager), so a page view is one
 * trace; and because it ends inside `pagehide`, its delivery proves the unload path works.
 * History is observed by wrapping pushState/replaceState (apps call them; there is no event) and
 * listening to popstate.
 */
export class PageViews {
  private span: Span | undefined;
  private path: string;

  /**
   * @param tracer where page view spans go
   * @param contextManager made to parent spans on the current page view
   * @param pagePath the page label of a location
   * @param beforeEnd runs before a page view ends, while it still parents new spans
   */
  constructor(
    private readonly tracer: Tracer,
    private readonly contextManager: PageContextManager,
    private readonly pagePath: (location: Location) => string,
    private readonly beforeEnd?: () => void,
  ) {
    this.path = pagePath(window.location);
  }

  /** The current page: a path or the route template `pagePath` gives. */
  current(): string {
    return this.path;
  }

  /**
   * Starts a page view: now, or for the initial `load` at navigation start. That is 0 on the page's
   * performance timeline, the scale document load's spans are dated on, so the SDK corrects all of
   * them alike for how far `Date.now()` has drifted from that clock and none starts before its
   * page view. `performance.timeOrigin`, an epoch time, would go uncorrected.
   */
  start(trigger: string): void {
    this.path = this.pagePath(window.location);
    this.span = this.tracer.startSpan(
      PAGE_VIEW_SPAN,
      {
        ...(trigger === 'load' ? { startTime: 0 } : {}),
        attributes: {
          [PAGE_PATH]: this.path,
          [PAGE_VIEW_TRIGGER]: trigger,
          'url.full': scrubUrl(window.location.href),
          ...(document.referrer ? { 'http.request.header.referer': scrubUrl(document.referrer) } : {}),
        },
      },
      ROOT_CONTEXT,
    );
    this.contextManager.setPageSpan(this.span);
  }

  /** Ends the current page view. */
  end(reason: string): void {
    if (!this.span) return;
    try {
      this.beforeEnd?.();
    } catch {
      // The page view must end whatever the hook does.
    }
    this.span.setAttribute(PAGE_VIEW_END_REASON, reason);
    this.span.end();
    this.span = undefined;
    this.contextManager.setPageSpan(undefined);
  }

  /** The current page view span, if any. */
  active(): Span | undefined {
    return this.span;
  }

  /** Wraps history methods and listens to popstate to turn route changes into page views. */
  watchRoutes(): void {
    const onChange = (trigger: string) => {
      try {
        const next = this.pagePath(window.location);
        if (next === this.path) return; // Query or hash only: same page.
        this.end('route_change');
        this.start(trigger);
      } catch {
        // Never break the app's navigation.
      }
    };
    for (const [method, trigger] of [
      ['pushState', 'push'],
      ['replaceState', 'replace'],
    ] as const) {
      const original = history[method];
      history[method] = function (this: History, ...args: Parameters<History['pushState']>) {
        const result = original.apply(this, args);
        onChange(trigger);
        return result;
      };
    }
    addEventListener('popstate', () => onChange('pop'));
  }
}
