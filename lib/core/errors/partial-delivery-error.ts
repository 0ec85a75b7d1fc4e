import { hasSharedBrand } from '../shared-brand';

/** Marks the PartialDeliveryErrors of every copy of rxlog in a process (its CommonJS and ES module builds). */
const BRAND: unique symbol = Symbol.for('rxlog.PartialDeliveryError');

/**
 * A sink's write that reached its destination only in part: the first `delivered` events of the
 * batch are written whole, the rest not at all. A sink throws (or rejects with) it from `emit` or
 * `emitSync`; the delivery stage then counts those events as delivered and retries, falls back
 * with, or fails only the rest, so a disk that fills up mid-batch neither loses nor repeats events.
 *
 * @example throw new PartialDeliveryError(3, error); // 3 events are in the file; the rest are not
 */
export class PartialDeliveryError extends Error {
  /**
   * `error instanceof PartialDeliveryError` holds for one made by any copy of rxlog in the process
   * (a sink package that `require`s rxlog's CommonJS build, in an app that imports its ES module
   * build), so the events it reports written are not written again. For a subclass, `instanceof`
   * keeps its usual meaning.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasSharedBrand(this, PartialDeliveryError, BRAND, value);
  }

  /** The mark `instanceof PartialDeliveryError` reads. */
  get [BRAND](): true {
    // On the prototype, not each instance: printed by Node, an instance would show it.
    return true;
  }
  override readonly name = 'PartialDeliveryError';

  /**
   * @param delivered How many leading events of the batch reached the destination.
   * @param cause Why the rest did not. Kept as the standard `cause` only, not in the message:
   *   formatters and SelfLog write the cause chain, so the message says what was partial and the
   *   `caused by:` line what failed, each once (metrics' `lastError` appends it as `; caused by`).
   * @param rejected How many of those `delivered` events the receiver refused without saying
   *   which (an OTLP partial success): the delivery stage counts them failed, not delivered, and
   *   does not send them again. Default 0.
   */
  constructor(
    readonly delivered: number,
    override readonly cause?: unknown,
    readonly rejected = 0,
  ) {
    super(`only the first ${delivered} events of the batch were written`);
  }
}

/**
 * How many of `max` events a sink's report of `reported` delivered events stands for: a whole
 * number from 0 to `max`, whatever the report holds (NaN, negative, fractional or too large).
 */
export function reportedCount(reported: number, max: number): number {
  return Math.min(Math.max(0, Math.floor(reported) || 0), max);
}

/**
 * The count a sink's error reports when it is a PartialDeliveryError with a number for
 * `delivered`, else undefined. Never throws: a hostile Proxy (whose `instanceof` throws) or a
 * throwing getter is an ordinary failed write, not an exception in the delivery stage.
 */
export function partialDelivered(error: unknown): number | undefined {
  try {
    const delivered = error instanceof PartialDeliveryError ? (error.delivered as unknown) : undefined;
    return typeof delivered === 'number' ? delivered : undefined;
  } catch {
    return undefined;
  }
}
