import { describeValue } from './describe-value';
import { ConfigurationError } from './errors/configuration-error';

/**
 * Checks one configuration value: unless `ok`, throws naming where the value was given, what was
 * expected there and the value itself (`filter.byExcluding: expected a predicate function, got
 * undefined`). One helper for every such check, so each message has the same shape.
 *
 * @throws ConfigurationError when `ok` is false.
 */
export function expectOption(ok: boolean, where: string, expected: string, value: unknown): asserts ok {
  if (!ok) throw new ConfigurationError(`${where}: expected ${expected}, got ${describeValue(value)}`);
}

/** A class's source text: `class Name …`, `class {…}`; not a method named `class` (`class(event) {…}`). */
const CLASS_SOURCE = /^class\b(?!\s*\()/;

/** Whether `value` is a class (a function whose source is `class …`), as {@link expectCallback} refuses it. */
export function isClass(value: unknown): boolean {
  // Never throws: for any function (a Proxy of one too) it gives source text or `function … [native code]`.
  return typeof value === 'function' && CLASS_SOURCE.test(Function.prototype.toString.call(value));
}

/**
 * Checks a callback given to `where` (an enricher, a filter's predicate, an operator, a transform):
 * a function, and not a class, which throws on every call without `new`, so it would fail every
 * event where the configuration took it (Serilog's `Enrich.With<ThreadIdEnricher>()` written
 * `enrich.with(ThreadIdEnricher)`). A built-in such as `Boolean` is a function, not a class.
 *
 * @throws ConfigurationError naming `where` and the value.
 */
export function expectCallback(value: unknown, where: string, expected: string): void {
  expectOption(typeof value === 'function', where, expected, value);
  expectOption(!isClass(value), where, `${expected}, not a class`, value);
}

/**
 * A copy of `items`, an array given to a configuration call: each item is read once and handed to
 * `check` as it is read, which gives what to keep or throws. A hole is an item (`undefined`), so an
 * array of holes (`new Array(1e8)`) is refused at its first item at once, where a copy made first,
 * or a walk over its holes, held the caller a minute and took gigabytes.
 */
export function checkItems<T>(items: readonly unknown[], check: (item: unknown, index: number) => T): T[] {
  const checked: T[] = [];
  for (let index = 0, { length } = items; index < length; index++) checked.push(check(items[index], index));
  return checked;
}

/**
 * Checks a list of functions given to `where` (enrichers, operators): throws naming the first item
 * that is not one, or is a class (see expectCallback), as `where[index]` (`pipe[1]: expected an
 * operator function, got null`; a hole too). Gives the functions as read, each once (see checkItems).
 *
 * @throws ConfigurationError when an item is not a function, or is a class.
 */
export function expectFunctions<T>(items: readonly T[], where: string, expected: string): T[] {
  return checkItems(items, (item, index) => {
    expectCallback(item, `${where}[${index}]`, expected);
    return item as T;
  });
}
