/**
 * `text` as it may go into a message: cut past 120 characters to its first 100 and its length,
 * so a megabyte of text in a misplaced option (or a class named by one) cannot make a megabyte
 * error message. `quote` writes the part kept.
 */
function cut(text: string, quote: (text: string) => string): string {
  return text.length > 120 ? `${quote(text.slice(0, 100))}… (${text.length} characters)` : quote(text);
}

/**
 * A name the app gave (a sink's name or kind), unquoted, as it may go into a message's path
 * (`writeTo.sink(<name>).queue`): cut past 120 characters as {@link describeValue} cuts a string.
 */
export function shortText(text: string): string {
  return cut(text, String);
}

/** A class's or function's `name`, or `unnamed` when it is not a non-empty string (an anonymous class's `''`, a Symbol, a static `name()` method). */
function nameOf(name: unknown, unnamed: string): string {
  return typeof name === 'string' && name !== '' ? cut(name, String) : unnamed;
}

/** A short description of a bad configuration value, for an error message (never throws: a hostile Proxy is `an unreadable object`). */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'string') return cut(value, JSON.stringify);
  try {
    if (typeof value === 'function') return `function ${nameOf(value.name, '(anonymous)')}`;
    // Object.create(null) has no constructor.
    if (typeof value === 'object') return nameOf((value as { constructor?: { name?: unknown } }).constructor?.name, 'object');
  } catch {
    return `an unreadable ${typeof value}`;
  }
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- objects returned above: only primitives reach here
  return `${typeof value} ${String(value)}`;
}
