import { hasSharedBrand } from '../shared-brand';

/** Marks the ConfigurationErrors of every copy of rxlog in a process (its CommonJS and ES module builds). */
const BRAND: unique symbol = Symbol.for('rxlog.ConfigurationError');

/** A configuration mistake, thrown at build time with the offending value in its message. */
export class ConfigurationError extends Error {
  /**
   * `value instanceof ConfigurationError` holds for one made by any copy of rxlog in the process (its CommonJS
   * and ES module builds, loaded side by side); for a subclass, `instanceof` keeps its usual meaning.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasSharedBrand(this, ConfigurationError, BRAND, value);
  }

  /** The mark `instanceof ConfigurationError` reads. */
  get [BRAND](): true {
    // On the prototype, not each instance: printed by Node, an instance would show it.
    return true;
  }
  override readonly name = 'ConfigurationError';
}
