import { expectOption } from '../../core/expect-option';

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
