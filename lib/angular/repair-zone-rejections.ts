/** What of zone.js's global `Zone` is read and set here. */
type ZoneStatic = Record<string, unknown> & { __symbol__?(name: string): string };

/** Marks the handler once it is replaced (shared by every copy of rxlog in the page). */
const REPAIRED = Symbol.for('rxlog.zoneRejections');

/**
 * Lets the window's `unhandledrejection` listeners (`provideBrowserGlobalErrorListeners()`'s among
 * them) hear of a promise rejected outside Angular's zone and never handled, as they do without
 * zone.js. zone.js handles such a rejection itself and hands it to a handler that was meant to call
 * those listeners, but never does: it reads the promise and the reason from the wrapper Error that
 * zone.js no longer makes by default (0.14.2 and later), so building the event throws, and it calls
 * each listener's task in a way that throws too; zone.js swallows both, and only its console line
 * says anything (angular/angular#51357 and #55590). This handler dispatches the event on the window
 * instead, with the rejected value as its reason and, the original promise being gone, a handled
 * promise rejected with the same value. A rejection inside Angular's zone never comes here: NgZone
 * reports it to the ErrorHandler. A handler set there before this one that is not zone.js's own
 * (an app's, an error tracker's) is kept: it is called after the event, with what zone.js gives.
 * Once per page; nothing without zone.js.
 */
export function repairZoneRejections(): void {
  const zone = (globalThis as { Zone?: ZoneStatic }).Zone;
  if (
    typeof zone?.__symbol__ !== 'function' ||
    typeof PromiseRejectionEvent !== 'function' ||
    typeof dispatchEvent !== 'function'
  )
    return;
  const key = zone.__symbol__('unhandledPromiseRejectionHandler');
  const before = zone[key] as (((this: unknown, error: unknown) => void) & { [REPAIRED]?: boolean }) | undefined;
  if (before?.[REPAIRED] === true) return;
  const handled = zone[zone.__symbol__('rejectionHandledHandler')];
  // The browser's own Promise, which zone.js keeps: a handled one of it starts no zone task.
  const NativePromise = ((globalThis as Record<string, unknown>)[zone.__symbol__('Promise')] ?? Promise) as PromiseConstructor;
  // zone.js's own handler is made by the same function as its `rejectionHandledHandler`, so its
  // text is that one's; any other (an app's, an error tracker's) is still called, after the event.
  const other =
    typeof before === 'function' &&
    (typeof handled !== 'function' ||
      before === handled ||
      Function.prototype.toString.call(before) !== Function.prototype.toString.call(handled))
      ? before
      : undefined;
  const dispatch = function (this: unknown, error: unknown): void {
    // zone.js's wrapper, when the app has turned wrapping back on.
    const reason: unknown = error instanceof Error && 'rejection' in error && 'promise' in error ? error.rejection : error;
    const promise = NativePromise.reject(reason);
    promise.catch(() => undefined);
    try {
      dispatchEvent(new PromiseRejectionEvent('unhandledrejection', { promise, reason, cancelable: true }));
    } finally {
      other?.call(this, error);
    }
  };
  zone[key] = Object.assign(dispatch, { [REPAIRED]: true });
}
