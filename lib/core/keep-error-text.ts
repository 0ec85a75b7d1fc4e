/**
 * Gives a copy of an error (an object made with its prototype) the error's own text for each of
 * `name`, `message` and `stack` that the copy does not read as text, except those `skip` has.
 * What the error's class reads from its internal slot or a private field is not in the copy, which
 * has neither: a DOMException's name and message throw there, and Firefox's stack (an accessor on
 * Error.prototype) is ''. Never throws: a getter that throws on the error gives nothing.
 */
export function keepErrorText(copy: object, error: object, skip?: { has(name: string): boolean }): void {
  for (const name of ['name', 'message', 'stack']) {
    if (skip?.has(name) === true) continue;
    const value = textOf(error, name);
    if (value !== undefined && textOf(copy, name) === undefined)
      Object.defineProperty(copy, name, { value, writable: true, configurable: true });
  }
}

/** `source[key]` when it is a string with something in it; undefined otherwise, or when reading it throws. */
function textOf(source: object, key: string): string | undefined {
  try {
    const value: unknown = (source as Record<string, unknown>)[key];
    return typeof value === 'string' && value !== '' ? value : undefined;
  } catch {
    return undefined;
  }
}
