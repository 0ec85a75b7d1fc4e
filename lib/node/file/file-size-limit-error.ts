import { hasSharedBrand } from '../../core/shared-brand';

/** Marks the FileSizeLimitErrors of every copy of rxlog in a process (its CommonJS and ES module builds). */
const BRAND: unique symbol = Symbol.for('rxlog.FileSizeLimitError');

/**
 * The events that do not fit under a FileSink's `fileSizeLimitBytes` when `rollOnFileSizeLimit` is
 * off: the lines that fit are written (the file fills up to its limit, as Serilog's does), and the
 * rest fail with this error (the cause of a PartialDeliveryError when some were written), so retry,
 * the fallback and the `failed` count see each of them.
 */
export class FileSizeLimitError extends Error {
  /**
   * `error instanceof FileSizeLimitError` holds for one made by any copy of rxlog in the process
   * (its CommonJS and ES module builds, loaded side by side); for a subclass, `instanceof` keeps
   * its usual meaning.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasSharedBrand(this, FileSizeLimitError, BRAND, value);
  }

  /** The mark `instanceof FileSizeLimitError` reads. */
  get [BRAND](): true {
    // On the prototype, not each instance: printed by Node, an instance would show it.
    return true;
  }
  override readonly name = 'FileSizeLimitError';
  /**
   * Not retried (see retryHint): a full file that does not roll takes nothing until its period
   * ends, so the events fail (or go to the fallback) at once, as Serilog's file sink drops them.
   * The batch's (`true`), not the sink's: the file takes smaller events while it has room, and one
   * event larger than the limit fails alone.
   */
  readonly permanent = true;

  constructor(
    /** The file that is full. */
    readonly path: string,
    /** The configured limit, in bytes. */
    readonly limitBytes: number,
  ) {
    super(`FileSink: ${path} would pass its size limit of ${limitBytes} bytes (rollOnFileSizeLimit is off)`);
  }
}
