import { MAX_TIMER_MS } from './max-timer-ms';

/**
 * Keeps a Node process alive until the returned function is called: one ref'd timer that never
 * fires in practice. The pipeline's own timers are unref'd so an idle logger never holds a
 * process open; while a `close()` or `flush()` is awaited, this keeps the timers it waits on
 * (retry backoff, the graceful timeout) from being abandoned by a process that has nothing else
 * to do. In browsers it is a plain timer and changes nothing. Calling the release twice is harmless.
 *
 * @example
 * const release = keepAlive();
 * try { return await work(); } finally { release(); }
 */
export function keepAlive(): () => void {
  const timer = setTimeout(() => undefined, MAX_TIMER_MS);
  return () => clearTimeout(timer);
}
