import { hasSharedBrand } from '../core/shared-brand';

/** Marks the BrokenCircuitErrors of every copy of rxlog in a process (its CommonJS and ES module builds). */
const BRAND: unique symbol = Symbol.for('rxlog.BrokenCircuitError');

/** Thrown (as an Observable error) by a call that an open circuit breaker rejects without trying it. */
export class BrokenCircuitError extends Error {
  /**
   * `error instanceof BrokenCircuitError` holds for one made by any copy of rxlog in the process,
   * so a breaker unwraps another copy's rejection to the failure it carries and a feedback loop
   * between the two copies keeps one rejection in the chain. For a subclass, `instanceof` keeps
   * its usual meaning.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasSharedBrand(this, BrokenCircuitError, BRAND, value);
  }

  /** The mark `instanceof BrokenCircuitError` reads. */
  get [BRAND](): true {
    // On the prototype, not each instance: printed by Node, an instance would show it.
    return true;
  }
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
