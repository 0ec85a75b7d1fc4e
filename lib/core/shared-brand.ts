import { isObject } from './is-object';
/** A class, for `hasSharedBrand`. */
type AnyClass = abstract new (...args: never) => unknown;

/**
 * The static `Symbol.hasInstance` of a class whose instances carry `brand`, a `Symbol.for` key
 * every copy of rxlog in a process shares: an app that both requires and imports rxlog loads its
 * CommonJS and ES module builds, and an instance made by one must pass the other's checks. For
 * `base` itself any value carrying the brand passes; for a subclass (`target`), `instanceof` keeps
 * its usual meaning.
 *
 * @example static [Symbol.hasInstance](value: unknown): boolean { return hasSharedBrand(this, LevelSwitch, BRAND, value); }
 */
export function hasSharedBrand(target: AnyClass, base: AnyClass, brand: symbol, value: unknown): boolean {
  try {
    if (target !== base) return Function.prototype[Symbol.hasInstance].call(target, value);
    return isObject(value) && (value as Record<symbol, unknown>)[brand] === true;
  } catch {
    // A hostile Proxy whose traps throw is no instance.
    return false;
  }
}
