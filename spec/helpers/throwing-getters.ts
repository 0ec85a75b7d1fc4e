import fc from 'fast-check';

/** A property's key, its value, and whether its getter throws `new Error(key)` instead of giving it. */
export type GetterEntry = [key: string, value: unknown, throws: boolean];

/** Entries with distinct keys: JSON values (or undefined), some of whose getters throw. */
export const getterEntries: fc.Arbitrary<GetterEntry[]> = fc.uniqueArray(
  fc.tuple(fc.string(), fc.option(fc.jsonValue(), { nil: undefined }), fc.boolean()),
  { selector: ([key]) => key },
);

/** Adds an enumerable getter for `key` to `target`: it gives `value`, or throws `new Error(key)`. */
export function defineGetter(target: object, [key, value, throws]: GetterEntry): void {
  Object.defineProperty(target, key, {
    enumerable: true,
    get: throws
      ? () => {
          throw new Error(key);
        }
      : () => value,
  });
}

/** The marker a value whose getter threw `new Error(message)` is written as: the message cut at 200 characters. */
export function thrownMarker(message: string): string {
  return `[Throws: ${message.length > 200 ? `${message.slice(0, 200)}…` : message}]`;
}
