import { adoptOutcome } from '../core/adopt-outcome';
import { SelfLog } from '../core/self-log';

/** Whether `value` is a Promise or another thenable: what an `async` callback returns. Never throws (a Proxy whose `then` cannot be read is none). */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false;
  try {
    return typeof (value as { then?: unknown }).then === 'function';
  } catch {
    return false;
  }
}

/**
 * Reports to SelfLog the rejection of what a callback returned, when it is a Promise or another
 * thenable (an `async` logger's `write`, an `async` hook): a rejection nobody handles ends a Node
 * process. The error is the last argument of `template`. Anything else is left alone. Adopted as
 * `adoptOutcome` adopts it: one that fulfils with itself is reported too, never adopted for ever.
 */
export function reportRejection(value: unknown, template: string, ...args: unknown[]): void {
  if (isThenable(value))
    adoptOutcome(
      () => value,
      () => undefined,
      (error) => SelfLog.write(template, ...args, error),
    );
}
