import { type MonoTypeOperatorFunction, retry, type SchedulerLike, timer } from 'rxjs';
import { unrefScheduler } from '../core/unref-scheduler';
import { checkScheduler } from './operator-options';
import { backoffDelay, checkRandom, resolveRetryOptions, type RetryOptions } from './backoff-delay';
import { checkOptionKeys } from '../core/check-option-keys';

// The options and the delay live in their own module, free of RxJS, so the logger's delivery
// stage can use them without pulling this operator's imports into a bundle that does not use it.
export { backoffDelay, type ResolvedRetryOptions, resolveRetryOptions, type RetryOptions } from './backoff-delay';

/**
 * Re-subscribes to the source after an error, waiting `backoffDelay(n)` on the scheduler before
 * retry n, and passes the last error on once `attempts` tries have failed. Works on any
 * Observable; the source must be cold (each subscription a new try), e.g. `defer(() => fetch(…))`.
 *
 * @param scheduler Runs the delays. Default `unrefScheduler`.
 * @param random Jitter source, a uniform number in [0, 1). Default `Math.random`.
 * @throws ConfigurationError when an option is invalid or unknown, or `random` is not a function.
 * @example defer(() => fetch(url, { method: 'POST', body })).pipe(retryWithBackoff({ attempts: 5 }))
 */
export function retryWithBackoff<T>(
  options: RetryOptions = {},
  scheduler: SchedulerLike = unrefScheduler,
  random: () => number = Math.random,
): MonoTypeOperatorFunction<T> {
  const resolved = resolveRetryOptions(options);
  checkOptionKeys('retryWithBackoff', options, ['attempts', 'initialDelayMs', 'maxDelayMs', 'jitter']);
  checkRandom('retryWithBackoff', random);
  checkScheduler('retryWithBackoff', scheduler);
  return retry<T>({
    count: resolved.attempts - 1,
    delay: (_error, retryNumber) => timer(backoffDelay(retryNumber, resolved, random), scheduler),
  });
}
