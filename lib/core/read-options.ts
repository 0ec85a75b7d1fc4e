import { ConfigurationError } from './errors/configuration-error';

/** A thrown value as a string (an Error as 'Error: message'); never throws. */
export function thrownText(error: unknown): string {
  try {
    return String(error);
  } catch {
    return 'an error';
  }
}

/**
 * A snapshot of an options object: each of its own keys and each of `names` read once, into a
 * plain object without a prototype. Configuration reads the snapshot, never the object again, so
 * a getter that answers differently each time, or an object changed after configuration, cannot
 * change what was configured. A key whose value is `undefined` is left out.
 *
 * @throws ConfigurationError naming `where` and the option whose read threw, the error as its `cause`.
 */
export function readOptions(where: string, options: object, names: readonly string[]): Record<string, unknown> {
  const snapshot: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const key of new Set([...Object.keys(options), ...names])) {
    let value: unknown;
    try {
      value = (options as Record<string, unknown>)[key];
    } catch (error) {
      throw new ConfigurationError(`${where}: reading option ${JSON.stringify(key)} threw ${thrownText(error)}`, {
        cause: error,
      });
    }
    if (value !== undefined) snapshot[key] = value;
  }
  return snapshot;
}
