/** What an error says about retrying the write that failed with it. */
export interface RetryHint {
  /** True when trying again cannot succeed (an HTTP 400, 401, 403, 404, a redirect …): the batch fails at once. */
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
  try {
    if (typeof error !== 'object' || error === null) return { permanent: false, retryAfterMs: undefined };
    const { permanent, retryAfterMs } = error as { permanent?: unknown; retryAfterMs?: unknown };
    return {
      permanent: permanent === true,
      retryAfterMs:
        typeof retryAfterMs === 'number' && retryAfterMs >= 0 && Number.isFinite(retryAfterMs) ? retryAfterMs : undefined,
    };
  } catch {
    return { permanent: false, retryAfterMs: undefined };
  }
}
