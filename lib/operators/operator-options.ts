import { isObject } from '../core/is-object';
import { ConfigurationError } from '../core/errors/configuration-error';
import { expectOption } from '../core/expect-option';
import { hasMethods } from '../core/has-methods';
import { readGuarded, readOptions } from '../core/read-options';

/**
 * `Array.isArray(value)`, false where that throws (a revoked Proxy), so such a value is refused as
 * one whose options cannot be read, with a ConfigurationError, not a TypeError of its own.
 */
export function isArrayOption(value: unknown): boolean {
  try {
    return Array.isArray(value);
  } catch {
    return false;
  }
}

/** A short description of a bad option value, for a ConfigurationError (never throws). */
export function describeOption(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (!isObject(value)) return String(value);
  return isArrayOption(value) ? 'an array' : 'an object';
}

/**
 * Reads a numeric option: `undefined` gives `fallback`; anything that is not a number within
 * `[min, max]` (an integer when `integer`) throws.
 *
 * @throws ConfigurationError naming the option and the value.
 */
export function numberOption(
  value: unknown,
  fallback: number,
  where: string,
  limits: { min: number; max?: number; integer?: boolean },
): number {
  if (value === undefined) return fallback;
  const max = limits.max ?? Infinity;
  if (
    typeof value !== 'number' ||
    Number.isNaN(value) ||
    value < limits.min ||
    value > max ||
    (limits.integer === true && !Number.isInteger(value) && value !== Infinity)
  ) {
    const range = max === Infinity ? `at least ${limits.min}` : `between ${limits.min} and ${max}`;
    throw new ConfigurationError(
      `${where}: expected ${limits.integer === true ? 'an integer' : 'a number'} ${range}, got ${describeOption(value)}`,
    );
  }
  return value;
}

/**
 * Checks a count option: a whole number, at least 1, and safe (2^53 and above, `Number.MAX_VALUE`
 * too, would mean "no bound" as `Infinity` would, which is refused as well).
 *
 * @param unit What is counted, as the message names it: `events`, `tries` …
 * @throws ConfigurationError `where: expected a whole number of <unit> ≥ 1, got <value>`.
 */
export function checkCount(where: string, value: unknown, unit: string): void {
  expectOption(Number.isSafeInteger(value) && (value as number) >= 1, where, `a whole number of ${unit} ≥ 1`, value);
}

/**
 * Checks a byte bound: a whole number, at least 1, as counts are (a string such as `'10'` is not one,
 * though `'10' > 0`; nor is `Infinity` or a fraction of a byte).
 *
 * @throws ConfigurationError `where: expected a whole number of bytes ≥ 1, got <value>`.
 */
export function checkBytes(where: string, value: unknown): void {
  checkCount(where, value, 'bytes');
}

/**
 * Reads an operator's options argument: `undefined` gives `{}`; anything but an object throws
 * (a JavaScript caller's `null` or string would otherwise fail later as a TypeError).
 *
 * @throws ConfigurationError naming the operator and the value.
 */
export function optionsObject<T extends object>(value: T | undefined, where: string): Partial<T> {
  if (value === undefined) return {};
  if (!isObject(value) || isArrayOption(value))
    throw new ConfigurationError(`${where}: expected an options object, got ${describeOption(value)}`);
  return value;
}

/**
 * Reads an operator's options once, before anything checks them (see `readOptions`): a getter that
 * throws (or a Proxy's trap) is a ConfigurationError naming the option, not its own error thrown out
 * of the operator's call, and a getter that answers differently on each read cannot pass a check
 * with one value and run with another. What is no object (or is an array) is given back as it is,
 * for the operator's own check to refuse in its own words.
 *
 * @param names The options the operator knows, read even when inherited (a class's getters).
 * @throws ConfigurationError naming `where` and the option whose read threw.
 */
export function snapshotOptions<T>(options: T, where: string, names: readonly string[]): T {
  return isObject(options) && !isArrayOption(options) ? (readOptions(where, options, names) as T) : options;
}

/**
 * Checks an operator's scheduler argument when the operator is built: a value without `schedule`
 * and `now` would fail only when a timer is due or the clock read, as a TypeError sent to the subscriber.
 *
 * @param at Where the message says the value was given. Default `where: scheduler`.
 * @throws ConfigurationError `at: expected an RxJS SchedulerLike, got <value>`, or
 * `where: reading the scheduler threw …` when checking it throws (a Proxy's trap).
 */
export function checkScheduler(where: string, scheduler: unknown, at = `${where}: scheduler`): void {
  const ok = readGuarded(where, 'the scheduler', () => hasMethods(scheduler, ['schedule', 'now']));
  expectOption(ok, at, 'an RxJS SchedulerLike', scheduler);
}
