import { isObject } from './is-object';
import { MAX_TIMER_MS } from './max-timer-ms';

/** What an error says about retrying the write that failed with it. */
export interface RetryHint {
  /**
   * Whether trying again can succeed. `true`: the batch is bad (an HTTP 400, 422): it fails at once,
   * and a circuit breaker counts the answer as a success. `'sink'`: the sink cannot write any batch
   * (an HTTP 401, 403, 404, a redirect: a wrong key or URL): it fails at once too, but counts as a
   * failure toward opening the breaker. `false`: retried.
   */
  readonly permanent: boolean | 'sink';
  /** The least wait the far side asked for before a retry (an HTTP `Retry-After`), in milliseconds, at most 2^31 - 1. */
  readonly retryAfterMs: number | undefined;
}

/**
 * Reads the retry hints a sink's error may carry: a `permanent` field (`true` or `'sink'`), and a
 * `retryAfterMs` number (as `HttpStatusError` has). Any error can carry them, so a custom sink can
 * ask the delivery stage not to retry, to count its breaker, or to wait. Never throws.
 *
 * @example retryHint(Object.assign(new Error('quota'), { retryAfterMs: 5_000 })) // { permanent: false, retryAfterMs: 5000 }
 */
export function retryHint(error: unknown): RetryHint {
  let permanent: boolean | 'sink' = false;
  let retryAfterMs: number | undefined;
  try {
    if (isObject(error)) {
      // Both read before either is kept: a getter that throws leaves no hint at all.
      const hints = error as { permanent?: unknown; retryAfterMs?: unknown };
      const { permanent: permanentHint, retryAfterMs: afterHint } = hints;
      permanent = permanentHint === true || permanentHint === 'sink' ? permanentHint : false;
      // Past the longest timer delay (Infinity too: "as long as you may") it is the longest, which
      // the retry options' maxDelayMs then caps, as parseRetryAfter reads an absurd Retry-After.
      if (typeof afterHint === 'number' && afterHint >= 0) retryAfterMs = Math.min(afterHint, MAX_TIMER_MS);
    }
  } catch {
    // A hostile error (a throwing getter, a revoked proxy) gives no hint.
  }
  return { permanent, retryAfterMs };
}
