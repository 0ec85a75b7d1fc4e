import { defer, type MonoTypeOperatorFunction, retry, type SchedulerLike, timer } from 'rxjs';
import { unrefScheduler } from '../core/unref-scheduler';
import { injectScheduler } from './event-accounting';
import { checkScheduler, snapshotOptions } from './operator-options';
import { backoffDelay as delayOf, checkRandom, resolveRetryOptions, type RetryOptions } from './backoff-delay';
import { checkOptionKeys } from '../core/check-option-keys';
import { expectOption } from '../core/expect-option';
import { retryHint } from '../core/retry-hint';
import { SelfLog } from '../core/self-log';

// The options and the delay live in their own module, free of RxJS, so the logger's delivery
// stage can use them without pulling this operator's imports into a bundle that does not use it.
export { type ResolvedRetryOptions, resolveRetryOptions, type RetryOptions } from './backoff-delay';

const RETRY_KEYS = ['attempts', 'initialDelayMs', 'maxDelayMs', 'jitter'];

/**
 * The delay before retry number `retryNumber` (1 for the first retry; a number below 1 counts as
 * 1), in whole milliseconds: `initialDelayMs × 2^(retryNumber − 1)`, spread by ± `jitter` of
 * itself, and never more than `maxDelayMs`. Pure: pass `random` to make it deterministic.
 *
 * @param random A uniform number in [0, 1); 0.5 means no jitter (also what NaN counts as; values outside are clamped). Default `Math.random`.
 * @throws ConfigurationError when `retryNumber` is not a number (or is NaN), or an option is invalid.
 * @example backoffDelay(3, { initialDelayMs: 100, jitter: 0 }) // 400
 */
export function backoffDelay(retryNumber: number, options: RetryOptions = {}, random: () => number = Math.random): number {
  // Checked here, for app code (the delivery stage counts its own tries): NaN, or the options given
  // in its place, would make the delay NaN, which a timer reads as "at once".
  expectOption(
    typeof retryNumber === 'number' && !Number.isNaN(retryNumber),
    'backoffDelay: retryNumber',
    "the retry's number (1 for the first)",
    retryNumber,
  );
  return delayOf(retryNumber, resolveRetryOptions(snapshotOptions(options, 'backoffDelay', RETRY_KEYS), 'backoffDelay'), random);
}

/**
 * Re-subscribes to the source after an error, waiting `backoffDelay(n)` on the scheduler before
 * retry n, and passes the last error on once `attempts` tries have failed. Works on any
 * Observable; the source must be cold (each subscription a new try), e.g. `defer(() => fetch(…))`.
 * Tries are counted over the whole subscription, as RxJS's `retry` counts them by default
 * (`resetOnSuccess: false`): a try that emitted values before it failed still uses one up, and
 * the delay keeps growing. For a long-lived stream whose values should give tries back, use
 * `retry({ delay: (_, n) => timer(backoffDelay(n, options)), resetOnSuccess: true })`.
 * Like the sinks' `retry` option, it reads an error's hints: one with `permanent: true` or
 * `'sink'` (an `HttpStatusError` 400 or 401) is passed on at once, and its `retryAfterMs` (an HTTP `Retry-After`) is
 * waited for when longer than the backoff, up to `maxDelayMs`.
 *
 * @param scheduler Runs the delays. Default: given none, the scheduler of the logger whose pipeline subscribes it (`useScheduler`), read at subscribe; outside a logger, `unrefScheduler`.
 * @param random Jitter source, a uniform number in [0, 1). Default `Math.random`. A throw gives the delay no jitter (told to SelfLog once) rather than ending the retries.
 * @throws ConfigurationError when an option is invalid or unknown, or `random` is not a function.
 * @example defer(() => fetch(url, { method: 'POST', body })).pipe(retryWithBackoff({ attempts: 5 }))
 */
export function retryWithBackoff<T>(
  options: RetryOptions = {},
  scheduler?: SchedulerLike,
  random: () => number = Math.random,
): MonoTypeOperatorFunction<T> {
  const given = snapshotOptions(options, 'retryWithBackoff', RETRY_KEYS);
  const resolved = resolveRetryOptions(given, 'retryWithBackoff');
  checkOptionKeys('retryWithBackoff', given, RETRY_KEYS);
  checkRandom('retryWithBackoff', random);
  if (scheduler !== undefined) checkScheduler('retryWithBackoff', scheduler);
  // A random source that throws would replace the source's error and end the retries: its draw
  // counts as no jitter (as NaN does), and SelfLog hears of it once per operator.
  let told = false;
  const draw = (): number => {
    try {
      return random();
    } catch (error) {
      if (!told) SelfLog.write('retryWithBackoff: the random source threw; its delays have no jitter', error);
      told = true;
      return Number.NaN;
    }
  };
  const delayed = (clock: SchedulerLike): MonoTypeOperatorFunction<T> =>
    retry<T>({
      count: resolved.attempts - 1,
      delay: (error, retryNumber) => {
        // Read as the sink's retry option reads them: a permanent error (an HTTP 400) is not tried
        // again, and a Retry-After is waited for when longer than the backoff, up to maxDelayMs.
        const { permanent, retryAfterMs } = retryHint(error);
        if (permanent) throw error;
        const backoff = delayOf(retryNumber, resolved, draw);
        return timer(
          retryAfterMs === undefined ? backoff : Math.max(backoff, Math.min(retryAfterMs, resolved.maxDelayMs)),
          clock,
        );
      },
    });
  if (scheduler !== undefined) return delayed(scheduler);
  // Given none: the logger's scheduler when a logger's pipeline subscribes it (useScheduler), else the default.
  return (source) => defer(() => source.pipe(delayed(injectScheduler(unrefScheduler))));
}
