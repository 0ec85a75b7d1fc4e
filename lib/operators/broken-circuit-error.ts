/** Thrown (as an Observable error) by a call that an open circuit breaker rejects without trying it. */
export class BrokenCircuitError extends Error {
  override readonly name = 'BrokenCircuitError';

  /**
   * @param retryAfterMs How long the breaker stays open, in milliseconds, when it is open (not
   * half-open with a probe out): `retryWithBackoff` after the breaker waits at least that long.
   * @param cause The failure that opened the breaker (its `lastFailure`), as the standard `cause`,
   * which formatters and SelfLog write on a `caused by:` line (as Polly's BrokenCircuitException
   * has it as its InnerException). Left out (no `cause` property) when undefined.
   */
  constructor(
    breakerName: string,
    readonly retryAfterMs?: number | undefined,
    cause?: unknown,
  ) {
    super(`Circuit breaker ${breakerName} is open; the call was not attempted`, cause === undefined ? undefined : { cause });
  }
}
