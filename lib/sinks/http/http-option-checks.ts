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
 * A base URL option (Seq's `serverUrl`, Loki's `url`) without surrounding spaces and trailing
 * slashes, ready for a path to be appended.
 *
 * @throws ConfigurationError when it is not a non-empty string.
 */
export function baseUrlOption(value: unknown, where: string, expected: string): string {
  expectOption(typeof value === 'string' && value.trim() !== '', where, expected, value);
  return value.trim().replace(/\/+$/, '');
}
