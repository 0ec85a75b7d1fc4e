import { hasSharedBrand } from '../shared-brand';

/** Marks the ThrownValueErrors of every copy of rxlog in a process (its CommonJS and ES module builds). */
const BRAND: unique symbol = Symbol.for('rxlog.ThrownValueError');

/**
 * The exception of an event logged with a thrown value that is not an Error (`throw 'timeout'`,
 * `Promise.reject(42)`): its message is `String(value)`, and its stack is that one line, since the
 * place it was made (inside the logger) says nothing about where the value was thrown.
 *
 * @example
 * try { JSON.parse(text); } catch (e) { log.error(e, 'Bad payload {Length}', text.length); }
 */
export class ThrownValueError extends Error {
  /**
   * `value instanceof ThrownValueError` holds for one made by any copy of rxlog in the process (its CommonJS
   * and ES module builds, loaded side by side); for a subclass, `instanceof` keeps its usual meaning.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasSharedBrand(this, ThrownValueError, BRAND, value);
  }

  /** The mark `instanceof ThrownValueError` reads. */
  get [BRAND](): true {
    // On the prototype, not each instance: printed by Node, an instance would show it.
    return true;
  }
  override readonly name = 'ThrownValueError';

  constructor(message: string) {
    super(message);
    this.stack = `${this.name}: ${message}`;
  }
}
