import type { EventEmitter } from 'node:events';

/** What ownListener needs of an emitter: `on` and `off`; the listener limit's two methods when it has them (a stream double may not). */
export type ListenerTarget = Pick<EventEmitter, 'on' | 'off'> &
  Partial<Pick<EventEmitter, 'getMaxListeners' | 'setMaxListeners'>>;

/** A listener, as EventEmitter takes it. */
type Listener = Parameters<EventEmitter['on']>[1];

/**
 * Adds a listener that is rxlog's own, raising the emitter's listener limit by one while it is
 * on, so that it never counts toward the limit: many sinks on one stream (stdout) stay quiet,
 * where Node warned (MaxListenersExceededWarning) from the 11th. Returns the function that takes
 * it off and lowers the limit again; calling it twice does nothing. A limit of 0 or Infinity (no
 * limit) is left alone, as is an emitter without one.
 *
 * @example
 * const stop = ownListener(stream, 'error', onError);
 * // …
 * stop();
 */
export function ownListener(target: ListenerTarget, event: string, listener: Listener): () => void {
  // Raised before the listener is added: Node checks the limit as it adds.
  const raised = changeMaxListeners(target, 1);
  target.on(event, listener);
  let on = true;
  return () => {
    if (!on) return;
    on = false;
    target.off(event, listener);
    if (raised) changeMaxListeners(target, -1);
  };
}

/** Raises (or lowers) the limit by `by`; false when there is none to change. Never throws. */
function changeMaxListeners(target: ListenerTarget, by: number): boolean {
  try {
    if (typeof target.getMaxListeners !== 'function' || typeof target.setMaxListeners !== 'function') return false;
    const limit = target.getMaxListeners();
    if (typeof limit !== 'number' || !(limit > 0) || limit === Infinity) return false;
    target.setMaxListeners(Math.max(1, limit + by));
    return true;
  } catch {
    // A stream double whose limit methods throw: its listeners are added as they are.
    return false;
  }
}
