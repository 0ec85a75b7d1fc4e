/** Thrown (as an Observable error) by a call that an open circuit breaker rejects without trying it. */
export class BrokenCircuitError extends Error {
  override readonly name = 'BrokenCircuitError';

  /**
   * @param retryAfterMs How long the breaker stays open, in milliseconds, when it is open (not
   * half-open with a probe out): `retryWithBackoff` after the breaker waits at least that long.
   */
  constructor(
    breakerName: string,
    readonly retryAfterMs?: number | undefined,
  ) {
    super(`Circuit breaker ${breakerName} is open; the call was not attempted`);
  }
}
