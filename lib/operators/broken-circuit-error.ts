/** Thrown (as an Observable error) by a call that an open circuit breaker rejects without trying it. */
export class BrokenCircuitError extends Error {
  override readonly name = 'BrokenCircuitError';

  constructor(breakerName: string) {
    super(`Circuit breaker ${breakerName} is open; the call was not attempted`);
  }
}
