import { hasSharedBrand } from '../../core/shared-brand';

/** Marks the OtlpRequestTooLargeErrors of every copy of rxlog in a process (its CommonJS and ES module builds). */
const BRAND: unique symbol = Symbol.for('rxlog.OtlpRequestTooLargeError');

/**
 * A request body over OtlpSink's `maxRequestBytes`, which was not sent (the OTLP specification:
 * the client "MUST NOT make the request"). OtlpSink sends a batch that large in parts instead; a
 * single event that large fails for good (`permanent`: the delivery stage does not retry it).
 */
export class OtlpRequestTooLargeError extends Error {
  /**
   * `error instanceof OtlpRequestTooLargeError` holds for one made by any copy of rxlog in the process
   * (its CommonJS and ES module builds, loaded side by side); for a subclass, `instanceof` keeps
   * its usual meaning.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasSharedBrand(this, OtlpRequestTooLargeError, BRAND, value);
  }

  /** The mark `instanceof OtlpRequestTooLargeError` reads. */
  get [BRAND](): true {
    // On the prototype, not each instance: printed by Node, an instance would show it.
    return true;
  }
  override readonly name = 'OtlpRequestTooLargeError';
  readonly permanent = true;

  /**
   * @param bytes The body's size, in UTF-8 bytes.
   * @param maxBytes The limit, `maxRequestBytes`.
   */
  constructor(
    readonly bytes: number,
    readonly maxBytes: number,
  ) {
    super(`OtlpSink: a request body of ${bytes} bytes is over maxRequestBytes (${maxBytes}); it was not sent`);
  }
}
