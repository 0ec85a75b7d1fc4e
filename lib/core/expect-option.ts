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
 * that is not one, as `where[index]` (`pipe[1]: expected an operator function, got null`; a hole
 * too). Gives the functions as read, each once (see checkItems).
 *
 * @throws ConfigurationError when an item is not a function.
 */
export function expectFunctions<T>(items: readonly T[], where: string, expected: string): T[] {
  return checkItems(items, (item, index) => {
    expectOption(typeof item === 'function', `${where}[${index}]`, expected, item);
    return item as T;
  });
}
