/** A short description of a bad configuration value, for an error message (never throws: a hostile Proxy is `an unreadable object`). */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  // Cut long: a megabyte of text in a misplaced option would make a megabyte error message.
  if (typeof value === 'string')
    return value.length > 120 ? `${JSON.stringify(value.slice(0, 100))}… (${value.length} characters)` : JSON.stringify(value);
  try {
    if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
    // Object.create(null) has no constructor.
    if (typeof value === 'object') return (value as { constructor?: { name?: string } }).constructor?.name ?? 'object';
  } catch {
    return `an unreadable ${typeof value}`;
  }
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- objects returned above: only primitives reach here
  return `${typeof value} ${String(value)}`;
}
