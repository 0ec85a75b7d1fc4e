import { expectOption } from '../../core/expect-option';
import { checkOptionKeys } from '../../core/check-option-keys';
import { readOptions } from '../../core/read-options';

/**
 * Checks an optional text option (an API key, a tenant): undefined, or a non-empty string.
 *
 * @throws ConfigurationError naming `where` and the value.
 */
export function checkOptionalText(value: unknown, where: string): asserts value is string | undefined {
  expectOption(value === undefined || (typeof value === 'string' && value !== ''), where, 'a non-empty string', value);
}

/**
 * A base URL option (Seq's `serverUrl`, Loki's `url`) as its path, without surrounding spaces and
 * trailing slashes, ready for a path to be appended, and its query (`''` for none), which goes
 * after that path (a gateway's `?token=`, Seq's `?apiKey=`); a fragment (a copied `#/explore`) is
 * dropped.
 *
 * @throws ConfigurationError when it is not a non-empty string.
 */
export function baseUrlOption(value: unknown, where: string, expected: string): [path: string, query: string] {
  expectOption(typeof value === 'string' && value.trim() !== '', where, expected, value);
  const [path, query = ''] = value
    .trim()
    .split('#')[0]
    .split(/\?(.*)/s);
  return [path.replace(/\/+$/, ''), query];
}

/**
 * A sink's options read once, each of its own keys and each of `names` (see readOptions), before
 * the sink checks them and spreads them into HttpSink's: a getter or Proxy trap that throws is a
 * ConfigurationError naming the option, not its own error, and one that answers differently cannot
 * pass a check and then send another value. A Map, a Date or another built-in is refused (see
 * expectOptionsObject: spread, it would lose what it is), and so is a function (whose reads, a
 * Proxy's, may throw); null and a primitive are given back as they are, for the sink's own checks,
 * which name the option missing. An option of `names` that is in `setHere` (HttpSink's, which the
 * sink sets itself) or in neither, given with a value, is refused: a misspelt option's error then
 * lists only the options the sink takes.
 *
 * @throws ConfigurationError naming `where` and the option.
 */
export function sinkOptions<T>(where: string, options: T, names: readonly string[], setHere: readonly string[]): T {
  if (options === null || (typeof options !== 'object' && typeof options !== 'function')) return options;
  const read = readOptions(where, options, names) as T & object;
  // HttpSink's options the sink sets itself (its options type leaves them out), given from
  // JavaScript: taken, they would be ignored without a word (a `url`) or have the server refuse
  // every request (a `method`, a `beaconContentType`: every beacon, each counted delivered).
  checkOptionKeys(
    where,
    read,
    names.filter((name) => !setHere.includes(name)),
  );
  return read;
}
