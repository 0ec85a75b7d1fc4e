import { describeValue } from '../core/describe-value';
import { ConfigurationError } from '../core/errors/configuration-error';
import type { Enricher } from '../core/enricher';

/**
 * An enricher adding an environment variable's value as a property (`propertyName`, default the
 * variable's name), read once when the enricher is made; an unset variable adds nothing.
 *
 * @throws ConfigurationError when a name is empty, or the property name is only white space.
 * @example .enrich.with(withEnvironmentVariable('NODE_ENV', 'Environment'))
 */
export function withEnvironmentVariable(name: string, propertyName: string = name): Enricher {
  if (typeof name !== 'string' || name === '')
    throw new ConfigurationError(`withEnvironmentVariable: expected a variable name, got ${describeValue(name)}`);
  if (typeof propertyName !== 'string' || propertyName === '') {
    // describeValue, not String(): String() throws a TypeError for a null-prototype object.
    throw new ConfigurationError(`withEnvironmentVariable: expected a property name, got ${describeValue(propertyName)}`);
  }
  // Refused as enrich.withProperty and forContext refuse it (Serilog's LogEventProperty too).
  if (propertyName.trim() === '')
    throw new ConfigurationError(
      `withEnvironmentVariable: expected a property name that is not empty or white space, got ${describeValue(propertyName)}`,
    );
  const value: unknown = process.env[name];
  // Not a string: unset. process.env gives the inherited member for an unset `toString` or `constructor`.
  if (typeof value !== 'string') return () => undefined;
  const properties = Object.freeze({ [propertyName]: value });
  return () => properties;
}
