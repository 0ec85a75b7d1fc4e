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
 * reports it to the ErrorHandler. Once per page; nothing without zone.js.
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
  if ((zone[key] as { [REPAIRED]?: boolean } | undefined)?.[REPAIRED] === true) return;
  // The browser's own Promise, which zone.js keeps: a handled one of it starts no zone task.
  const NativePromise = ((globalThis as Record<string, unknown>)[zone.__symbol__('Promise')] ?? Promise) as PromiseConstructor;
  const dispatch = (error: unknown): void => {
    // zone.js's wrapper, when the app has turned wrapping back on.
    const reason: unknown = error instanceof Error && 'rejection' in error && 'promise' in error ? error.rejection : error;
    const promise = NativePromise.reject(reason);
    promise.catch(() => undefined);
    dispatchEvent(new PromiseRejectionEvent('unhandledrejection', { promise, reason, cancelable: true }));
  };
  zone[key] = Object.assign(dispatch, { [REPAIRED]: true });
}
