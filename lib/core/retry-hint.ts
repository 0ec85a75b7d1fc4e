/** What an error says about retrying the write that failed with it. */
export interface RetryHint {
  /** True when trying again cannot succeed (an HTTP 400, 401, 403, 404, a redirect …): the batch fails at once, and no circuit breaker counts it. */
  readonly permanent: boolean;
  /** The least wait the far side asked for before a retry (an HTTP `Retry-After`), in milliseconds. */
  readonly retryAfterMs: number | undefined;
}

/**
 * Reads the retry hints a sink's error may carry: a `permanent: true` field, and a `retryAfterMs`
 * number (as `HttpStatusError` has). Any error can carry them, so a custom sink can ask the
 * delivery stage not to retry, or to wait. Never throws.
 *
 * @example retryHint(Object.assign(new Error('quota'), { retryAfterMs: 5_000 })) // { permanent: false, retryAfterMs: 5000 }
 */
export function retryHint(error: unknown): RetryHint {
  let permanent = false;
  let retryAfterMs: number | undefined;
  try {
    if (typeof error === 'object' && error !== null) {
      // Both read before either is kept: a getter that throws leaves no hint at all.
      const hints = error as { permanent?: unknown; retryAfterMs?: unknown };
      const { permanent: permanentHint, retryAfterMs: afterHint } = hints;
      permanent = permanentHint === true;
      if (typeof afterHint === 'number' && afterHint >= 0 && Number.isFinite(afterHint)) retryAfterMs = afterHint;
    }
  } catch {
    // A hostile error (a throwing getter, a revoked proxy) gives no hint.
  }
  return { permanent, retryAfterMs };
}
