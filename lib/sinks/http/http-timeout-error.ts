import { hasSharedBrand } from '../../core/shared-brand';

/** Marks the HttpTimeoutErrors of every copy of rxlog in a process (its CommonJS and ES module builds). */
const BRAND: unique symbol = Symbol.for('rxlog.HttpTimeoutError');

/** A request that had no complete response within the sink's `timeoutMs`; it was aborted. */
export class HttpTimeoutError extends Error {
  /**
   * `error instanceof HttpTimeoutError` holds for one made by any copy of rxlog in the process
   * (its CommonJS and ES module builds, loaded side by side); for a subclass, `instanceof` keeps
   * its usual meaning.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasSharedBrand(this, HttpTimeoutError, BRAND, value);
  }

  /** The mark `instanceof HttpTimeoutError` reads. */
  get [BRAND](): true {
    // On the prototype, not each instance: printed by Node, an instance would show it.
    return true;
  }
  override readonly name = 'HttpTimeoutError';

  /** @param timeoutMs The limit that ran out, in milliseconds. */
  constructor(
    readonly method: string,
    readonly url: string,
    readonly timeoutMs: number,
  ) {
    super(`${method} ${url} had no complete response within ${timeoutMs} ms; the request was aborted`);
  }
}
