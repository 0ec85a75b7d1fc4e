import { describeValue } from '../../core/describe-value';
import { ConfigurationError } from '../../core/errors/configuration-error';

/**
 * Checks one option of an HTTP sink: unless `valid`, throws a ConfigurationError
 * `${where}: expected ${expected}, got ${describeValue(value)}`, naming the option and the bad value.
 *
 * @example checkHttpOption(typeof apiKey === 'string', 'SeqSink.apiKey', 'a non-empty string', apiKey)
 */
export function checkHttpOption(valid: boolean, where: string, expected: string, value: unknown): asserts valid {
  if (!valid) throw new ConfigurationError(`${where}: expected ${expected}, got ${describeValue(value)}`);
}

/**
 * Checks an optional text option (an API key, a tenant): undefined, or a non-empty string.
 *
 * @throws ConfigurationError naming `where` and the value.
 */
export function checkOptionalText(value: unknown, where: string): asserts value is string | undefined {
  checkHttpOption(value === undefined || (typeof value === 'string' && value !== ''), where, 'a non-empty string', value);
}

/**
 * A base URL option (Seq's `serverUrl`, Loki's `url`) without surrounding spaces and trailing
 * slashes, ready for a path to be appended.
 *
 * @throws ConfigurationError when it is not a non-empty string.
 */
export function baseUrlOption(value: unknown, where: string, expected: string): string {
  checkHttpOption(typeof value === 'string' && value.trim() !== '', where, expected, value);
  return value.trim().replace(/\/+$/, '');
}
