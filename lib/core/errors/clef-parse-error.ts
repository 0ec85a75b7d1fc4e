import { hasSharedBrand } from '../shared-brand';

/** Marks the ClefParseErrors of every copy of rxlog in a process (its CommonJS and ES module builds). */
const BRAND: unique symbol = Symbol.for('rxlog.ClefParseError');

/** A line that is not a CLEF event, thrown by `readCompactJson` with the reason and the start of the line. */
export class ClefParseError extends Error {
  /**
   * `value instanceof ClefParseError` holds for one made by any copy of rxlog in the process (its CommonJS
   * and ES module builds, loaded side by side); for a subclass, `instanceof` keeps its usual meaning.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasSharedBrand(this, ClefParseError, BRAND, value);
  }

  /** The mark `instanceof ClefParseError` reads. */
  get [BRAND](): true {
    // On the prototype, not each instance: printed by Node, an instance would show it.
    return true;
  }
  override readonly name = 'ClefParseError';

  constructor(
    reason: string,
    /** The offending line. */
    readonly line: string,
  ) {
    super(`Not a CLEF event (${reason}): ${line.length > 120 ? `${line.slice(0, 120)}…` : line}`);
  }
}
