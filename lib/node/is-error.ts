import { types } from 'node:util';

/**
 * Whether `value` is an Error, one from another realm included: Node's own errors (fs, net) in a
 * Jest spec come from outside its sandbox, and one made in a `vm` context, are no instance of this
 * realm's `Error`, yet Nest's `ConsoleLogger` prints their stack as it does any other's.
 */
export function isError(value: unknown): value is Error {
  return value instanceof Error || types.isNativeError(value);
}
