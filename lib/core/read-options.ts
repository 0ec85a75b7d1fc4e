import { ConfigurationError } from './errors/configuration-error';
import { expectOption } from './expect-option';

/** A thrown value as a string (an Error as 'Error: message'); never throws. */
export function thrownText(error: unknown): string {
  try {
    return String(error);
  } catch {
    return 'an error';
  }
}

/**
 * Rethrows a ConfigurationError as it is; any other error, thrown while configuration read `what`
 * (a getter, a Proxy's trap), becomes a ConfigurationError that says so, the error as its `cause`.
 */
export function readFailure(where: string, what: string, error: unknown): never {
  if (error instanceof ConfigurationError) throw error;
  throw new ConfigurationError(`${where}: reading ${what} threw ${thrownText(error)}`, { cause: error });
}

/**
 * What `read` gives, where it reads a value given to `where` (to check it, or to build from it): a
 * ConfigurationError it throws passes as it is, and any other error (a Proxy's trap, a getter) is
 * a ConfigurationError saying that reading `what` threw, the error as its `cause`, never the error
 * itself.
 *
 * @throws ConfigurationError as readFailure.
 */
export function readGuarded<T>(where: string, what: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    return readFailure(where, what, error);
  }
}

/**
 * Checks an option whose check reads it (a formatter's `format`, a stream's methods, its
 * prototype): one left out (undefined) passes; one given must pass `ok`, else a ConfigurationError
 * as expectOption's. An error thrown as `ok` reads it (a Proxy's trap, a revoked Proxy, a getter)
 * is a ConfigurationError saying that reading `what` threw, the error as its `cause` (see
 * readGuarded), never the error itself.
 *
 * @throws ConfigurationError naming `where`.
 */
export function expectReadableOption(
  where: string,
  what: string,
  expected: string,
  value: unknown,
  ok: (value: unknown) => boolean,
): void {
  expectOption(value === undefined || readGuarded(where, what, () => ok(value)), where, expected, value);
}

/**
 * The built-ins that are objects but never options (their toStringTag, so from any realm): an
 * Error of any class is `[object Error]`; a typed array (a Node Buffer too) is named by its kind.
 */
const NOT_OPTIONS =
  /^\[object (?:Array|Map|Set|WeakMap|WeakSet|WeakRef|Date|RegExp|Boolean|Number|String|Symbol|BigInt|Promise|Error|DOMException|(?:Shared)?ArrayBuffer|DataView|(?:Big)?(?:Ui|I)nt(?:8|16|32|64)(?:Clamped)?Array|Float(?:16|32|64)Array)\]$/;

/**
 * Refuses what is not an options object: an array (its `keys` and `values` methods would read as
 * options, and `[]` as "every default"), a Map, Set, Date, RegExp, Promise, Error (a DOMException too), typed array,
 * ArrayBuffer, DataView, boxed primitive or function, whose settings (a Map's entries, an Error's
 * message, a buffer's bytes) are not options, so they would all read as the defaults without a
 * word. Class instances with fields are options.
 *
 * @throws ConfigurationError naming `where` and the value (`batchEvents: expected options, got Map`).
 */
export function expectOptionsObject(where: string, options: object): void {
  expectOption(
    typeof options === 'object' && !NOT_OPTIONS.test(Object.prototype.toString.call(options)),
    where,
    'options',
    options,
  );
}

/**
 * A snapshot of an options object: each of its own keys and each of `names` read once, into a
 * plain object without a prototype. Configuration reads the snapshot, never the object again, so
 * a getter that answers differently each time, or an object changed after configuration, cannot
 * change what was configured. A key whose value is `undefined` is left out.
 *
 * @throws ConfigurationError naming `where` when `options` is not an options object (see expectOptionsObject), or naming the option whose
 * read threw (or "the options", when their names cannot be listed), the error as its `cause`.
 */
export function readOptions(where: string, options: object, names: readonly string[]): Record<string, unknown> {
  const snapshot: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  let key: string | undefined;
  try {
    expectOptionsObject(where, options);
    for (key of new Set([...Object.keys(options), ...names])) {
      const value: unknown = (options as Record<string, unknown>)[key];
      if (value !== undefined) snapshot[key] = value;
    }
  } catch (error) {
    readFailure(where, key === undefined ? 'the options' : `option ${JSON.stringify(key)}`, error);
  }
  return snapshot;
}
