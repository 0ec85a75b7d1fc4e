import { ConfigurationError } from './errors/configuration-error';

/**
 * Refuses a misspelt option: throws naming the first own key of `options` with a value that is
 * not in `allowed`, so `{ retires: 5 }` or `{ isolate: 'UserId' }` fails when the configuration is
 * built instead of silently meaning "the default". A key whose value is `undefined` is let through
 * (spread option objects often carry them).
 *
 * @throws ConfigurationError naming `where`, the key and the keys allowed.
 */
export function checkOptionKeys(where: string, options: object, allowed: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key) && (options as Record<string, unknown>)[key] !== undefined)
      throw new ConfigurationError(`${where}: unknown option ${JSON.stringify(key)} (expected one of ${allowed.join(', ')})`);
  }
}
