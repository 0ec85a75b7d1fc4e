/**
 * Whether `value` is an object of properties, as `LogContext.run`, `child` and enrichers take
 * them: a plain one, one without a prototype or a class instance's own fields. A primitive's tag
 * names its type (`[object Null]`, `[object String]`); a string or an array would bind its indexes
 * as names, and a Map, a Set or a Date has entries that are no names. A Proxy whose trap throws
 * counts as properties: listing or reading its names comes next, and that is reported there.
 *
 * @example isProperties({ RequestId: 'r-7' }) // true; isProperties(new Map()) // false
 */
export function isProperties(value: unknown): boolean {
  try {
    return Object.prototype.toString.call(value) === '[object Object]';
  } catch {
    return true;
  }
}

/**
 * Objects that are no object of properties, which `child`, `LogContext.run` and `withLogContext`
 * refuse at compile time (each with its own message): an array or tuple, a Map, a Set, a Date, a
 * function.
 */
export type NotAnObjectOfProperties =
  readonly unknown[] | ReadonlyMap<unknown, unknown> | ReadonlySet<unknown> | Date | ((...args: never[]) => unknown);
