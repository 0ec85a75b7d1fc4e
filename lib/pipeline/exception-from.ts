import { ThrownValueError } from '../core/errors/thrown-value-error';

function describe(value: unknown): string {
  try {
    return String(value);
  } catch {
    // An object without a prototype, or whose toString throws, still gets an exception that says what it was.
    try {
      return Object.prototype.toString.call(value);
    } catch {
      return `[unprintable ${typeof value}]`;
    }
  }
}

/**
 * What a `catch` gave, as an event's exception: an Error as it is (one from another realm too,
 * recognised by its `name` and `message`), any other value as a {@link ThrownValueError} carrying
 * `String(value)`. Never throws.
 */
export function exceptionFrom(value: unknown): Error {
  if (typeof value === 'object' && value !== null) {
    try {
      if (value instanceof Error) return value;
      const candidate = value as { name?: unknown; message?: unknown };
      if (typeof candidate.name === 'string' && typeof candidate.message === 'string') return value as Error;
    } catch {
      // A Proxy whose traps throw (a revoked one too) or a throwing getter: not an error.
    }
  }
  return new ThrownValueError(describe(value));
}
