import { isObject } from './is-object';
import { SelfLog } from './self-log';

/**
 * A callback's name for SelfLog: its `name`, or `unnamed` (`'anonymous'`) when it has none or
 * reading it throws (a Proxy, as a mocking library or a membrane makes). Read only when there is
 * something to report, never on an event's ordinary way.
 */
export function callbackName(callback: unknown, unnamed = 'anonymous'): string {
  try {
    const name: unknown = (callback as { name?: unknown }).name;
    return typeof name === 'string' && name !== '' ? name : unnamed;
  } catch {
    return unnamed;
  }
}

/**
 * Whether a callback the logger calls synchronously (an enricher, a filter) returned a promise:
 * an `async` one. The logger cannot wait for it, so it is reported to SelfLog and its result is
 * ignored; its rejection is reported too, as it would otherwise be unhandled and end a Node
 * process. Reading `then` may throw (a hostile object): callers call this inside their guard.
 *
 * @param what What the callback is, for the message: `Enricher`, `Filter`.
 * @param callback The callback, named in the message (see `callbackName`).
 */
export function strayPromise(value: unknown, what: string, callback: unknown): boolean {
  if (!isObject(value) || typeof (value as { then?: unknown }).then !== 'function') return false;
  const name = callbackName(callback);
  SelfLog.write('{What} {Name} returned a Promise; it must answer synchronously, so the Promise is ignored', what, name);
  (value as PromiseLike<unknown>).then(undefined, (error: unknown) => SelfLog.write('{What} {Name} failed', what, name, error));
  return true;
}
