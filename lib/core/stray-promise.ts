import { SelfLog } from './self-log';

/**
 * Whether a callback the logger calls synchronously (an enricher, a filter) returned a promise:
 * an `async` one. The logger cannot wait for it, so it is reported to SelfLog and its result is
 * ignored; its rejection is reported too, as it would otherwise be unhandled and end a Node
 * process. Reading `then` may throw (a hostile object): callers call this inside their guard.
 *
 * @param what What the callback is, for the message: `Enricher`, `Filter`.
 */
export function strayPromise(value: unknown, what: string, name: string): boolean {
  if (typeof value !== 'object' || value === null || typeof (value as { then?: unknown }).then !== 'function') return false;
  SelfLog.write('{What} {Name} returned a Promise; it must answer synchronously, so the Promise is ignored', what, name);
  (value as PromiseLike<unknown>).then(undefined, (error: unknown) => SelfLog.write('{What} {Name} failed', what, name, error));
  return true;
}
