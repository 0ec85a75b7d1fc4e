import { ConfigurationError } from './errors/configuration-error';
import { describeValue } from './describe-value';
import { expectOptionsObject, readGuarded } from './read-options';

/**
 * Refuses a misspelt option: throws naming the first own key of `options` with a value that is
 * not in `allowed`, so `{ retires: 5 }` or `{ isolate: 'UserId' }` fails when the configuration is
 * built instead of silently meaning "the default". A key whose value is `undefined` is let through
 * (spread option objects often carry them). An array, Map, Date, function and the like are refused (see expectOptionsObject: they would mean "every default"),
 * and options whose names cannot be listed (a Proxy whose trap throws) are a ConfigurationError too.
 *
 * @throws ConfigurationError naming `where`, the key (cut past 120 characters, as describeValue cuts
 * a string: a megabyte key would make a megabyte message) and the keys allowed.
 */
export function checkOptionKeys(where: string, options: object, allowed: readonly string[]): void {
  const unknown = readGuarded(where, 'the options', () => {
    expectOptionsObject(where, options);
    return Object.keys(options).find((key) => !allowed.includes(key) && (options as Record<string, unknown>)[key] !== undefined);
  });
  if (unknown !== undefined)
    throw new ConfigurationError(`${where}: unknown option ${describeValue(unknown)} (expected one of ${allowed.join(', ')})`);
}
