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
 * Checks a list of functions given to `where` (enrichers, operators): throws naming the first item
 * that is not one, as `where[index]` (`pipe[1]: expected an operator function, got null`).
 *
 * @throws ConfigurationError when an item is not a function.
 */
export function expectFunctions(items: readonly unknown[], where: string, expected: string): void {
  items.forEach((item, index) => expectOption(typeof item === 'function', `${where}[${index}]`, expected, item));
}
