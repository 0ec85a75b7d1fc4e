import type { Subscribable, Unsubscribable } from 'rxjs';
import { MAX_TIMER_MS } from '../../core/max-timer-ms';
import { SelfLog } from '../../core/self-log';
import { HttpBeacon } from './http-beacon';

/** What `installPageHideFlush` flushes: a Logger, or anything with `flushSync()`. */
export interface SyncFlushable {
  /** Delivers what is pending without waiting for the event loop. */
  flushSync(): void;
}

/** The page events `installPageHideFlush` listens to: a window, or a stand-in in tests. */
export interface PageEvents {
  /**
   * Adds a listener for `pagehide`, `pageshow` or `visibilitychange`, or (captured, as they are
   * fired at the document and do not bubble) `freeze` or `resume`.
   */
  addEventListener(type: string, listener: () => void, options?: { readonly capture?: boolean }): void;
  /** Removes a listener added by addEventListener. */
  removeEventListener(type: string, listener: () => void, options?: { readonly capture?: boolean }): void;
  /** The page's document, read for its visibility state. */
  readonly document?: { readonly visibilityState?: string | undefined } | undefined;
}

/**
 * Gets queued events out of a browser page before it goes away: on `pagehide`, and on
 * `visibilitychange` to `'hidden'` (the last event mobile browsers reliably fire), and on `freeze`
 * (a frozen page may be discarded with no further event), calls `log.flushSync()`. That pushes every partial batch and everything queued through the sinks'
 * `emitSync`, which for HttpSink, SeqSink, OtlpSink and LokiSink is `navigator.sendBeacon` while
 * the page hides. A batch already in flight is not sent again: it continues as a `keepalive`
 * fetch when its body is at most 64 KiB; a larger one whose request the browser cancelled as the
 * page navigated away goes by beacon and to the offline store too (see docs/browser.md, "The batch
 * in flight"). An event logged after that flush while the page goes away (in the app's own
 * `pagehide` listener, or a `visibilitychange` one, that runs after this one) is sent by beacon
 * too, once the listener that logged it returns: from `pagehide` until a `pageshow` brings the
 * page back, and from `visibilitychange` to `'hidden'` or `freeze` until the page's next task (or
 * the `resume` that ends a freeze, which comes before any task of the frozen page). Returns a
 * function that removes the listeners; a Logger's come off by themselves once it has closed.
 * Outside a browser window it does nothing.
 *
 * @param page Where the events come from. Default `globalThis` (the window).
 * @example
 * const log = new LoggerConfiguration().writeTo.sink(new SeqSink({ serverUrl: 'https://seq.example.com' }), { batch: { size: 100, maxDelayMs: 2_000 } }).createLogger();
 * const uninstall = installPageHideFlush(log);
 */
export function installPageHideFlush(log: SyncFlushable, page: PageEvents = globalThis): () => void {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- JavaScript callers can pass null as the page
  if (typeof page?.addEventListener !== 'function' || typeof page.removeEventListener !== 'function') return () => undefined;
  const flush = (): void => {
    try {
      HttpBeacon.whileHiding(() => log.flushSync());
    } catch (error) {
      SelfLog.write('installPageHideFlush: flushing on page hide failed', error);
    }
  };
  // An app's own listener that runs after this one may log (a 'Page left' event): the flush has
  // run, and nothing else would send that event before the page goes (a tab hidden already gets
  // no visibilitychange at unload). While the page goes away, the logger's events are watched,
  // and each listener's are flushed in the microtask after it returns, before the next listener.
  let watching: Unsubscribable | undefined;
  let left = false;
  let flushQueued = false;
  // Bounds the flushes of one page hide: a flush the browser refuses writes to SelfLog, and an app
  // that logs its SelfLog lines (on a later microtask) would otherwise flush for ever, on
  // microtasks alone, and the page would never finish hiding.
  let flushesLeft = 0;
  const flushLater = (): void => {
    if (flushQueued) return;
    flushQueued = true;
    queueMicrotask(() => {
      flushQueued = false;
      if (watching === undefined) return;
      if (--flushesLeft <= 0) {
        unwatch();
        SelfLog.write(
          'installPageHideFlush: {Count} flushes while the page hides; what is logged now waits for the next batch',
          LATE_FLUSHES,
        );
      }
      flush();
    });
  };
  const watch = (): void => {
    if (watching !== undefined) return;
    flushesLeft = LATE_FLUSHES;
    try {
      watching = (log as Partial<WatchedLogger>).events$?.subscribe({ next: flushLater });
    } catch (error) {
      SelfLog.write('installPageHideFlush: cannot watch what is logged while the page hides', error);
    }
  };
  const unwatch = (): void => {
    watching?.unsubscribe();
    watching = undefined;
  };
  const onPageHide = (): void => {
    flush();
    left = true;
    watch();
  };
  const onPageShow = (): void => {
    left = false;
    unwatch();
  };
  // A page frozen (a background tab after some minutes, a page entering the back/forward cache)
  // may be discarded with no further event: what a hidden page logged since is still in an open
  // batch. Flushed as at hiding; the watch ends at `resume` (a frozen page runs no task before it),
  // or in the next task.
  const onHidden = (): void => {
    flush();
    watch();
    // A hidden page may live on for hours: watch only the listeners of this turn.
    setTimeout(onResume, 0);
  };
  const onResume = (): void => {
    if (!left) unwatch();
  };
  const onVisibilityChange = (): void => {
    // Visible again: shown, or back from the back/forward cache (Chromium says so before pageshow,
    // so what the app's own pageshow listeners log goes by fetch, not by beacon).
    if (page.document?.visibilityState !== 'hidden') return onPageShow();
    onHidden();
  };
  let closed: Unsubscribable | undefined;
  let removed = false;
  const uninstall = (): void => {
    if (removed) return;
    removed = true;
    page.removeEventListener('pagehide', onPageHide);
    page.removeEventListener('pageshow', onPageShow);
    page.removeEventListener('visibilitychange', onVisibilityChange);
    page.removeEventListener('freeze', onHidden, CAPTURE);
    page.removeEventListener('resume', onResume, CAPTURE);
    unwatch();
    closed?.unsubscribe();
  };
  page.addEventListener('pagehide', onPageHide);
  page.addEventListener('pageshow', onPageShow);
  page.addEventListener('visibilitychange', onVisibilityChange);
  // Fired at the document, not bubbling: the window sees them as they are captured, before the app's own.
  page.addEventListener('freeze', onHidden, CAPTURE);
  page.addEventListener('resume', onResume, CAPTURE);
  // A Logger lets go of the page when it closes, as installProcessHooks' hooks do: an app that
  // builds its logger again (a sign-in, a tenant switch) would otherwise keep every closed one,
  // with its sinks, reachable from the window. metricsEvery completes once close() has finished.
  try {
    closed = (log as Partial<ClosingLogger>).metricsEvery?.(MAX_TIMER_MS).subscribe({ complete: uninstall });
  } catch (error) {
    SelfLog.write('installPageHideFlush: cannot follow the logger to its close; call the uninstall it returned', error);
  }
  // Closed already: uninstall ran inside subscribe, before `closed` was set.
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- set by uninstall, which subscribe may have called
  if (removed) closed?.unsubscribe();
  return uninstall;
}

/** As an object, not `true`: Node's EventTarget removes no listener added with a bare `true`. */
const CAPTURE = { capture: true };

/** Most flushes of what is logged after the flush while the page hides, once per listener that logs. */
const LATE_FLUSHES = 64;

/** What a Logger has for installPageHideFlush to see what is logged while the page hides. */
interface WatchedLogger {
  readonly events$: Subscribable<unknown>;
}

/** What a Logger has for installPageHideFlush to see it close (a plain SyncFlushable has not). */
interface ClosingLogger {
  metricsEvery(intervalMs: number): Subscribable<unknown>;
}
