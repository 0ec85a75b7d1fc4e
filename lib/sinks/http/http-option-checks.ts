import { expectOption } from '../../core/expect-option';
import { expectOptionsObject } from '../../core/read-options';

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
 * Refuses a Map, a Date or another built-in given as a sink's options (see expectOptionsObject)
 * before the sink spreads them into HttpSink's, which would lose what it is; null and what is no
 * object are left to the sink's own checks, which name the option missing.
 *
 * @throws ConfigurationError naming `where` and the value.
 */
export function checkSpreadOptions(where: string, options: unknown): void {
  if (typeof options === 'object' && options !== null) expectOptionsObject(where, options);
}
