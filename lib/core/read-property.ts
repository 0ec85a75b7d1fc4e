import { writeUnlessRepeated } from './self-log';
import { cutText } from './truncated-text';

/** An Error's message, or any other thrown value, as a string; never throws. */
export function errorMessage(error: unknown): string {
  try {
    return error instanceof Error ? String(error.message) : String(error);
  } catch {
    return 'unprintable error';
  }
}

/** What a read threw, as a marker's message: its `errorMessage`, cut to 200 characters; never throws. */
export function thrownMessage(error: unknown): string {
  const full = errorMessage(error);
  return full.length > 200 ? `${cutText(full, 200)}…` : full;
}

/**
 * A `'[Throws: message]'` marker for a read of `what` that threw, told to SelfLog unless the
 * diagnostic just before was the same read throwing the same way (a context value's getter, read
 * for every event of its run, is told once).
 */
export function throwsMarker(what: string, error: unknown): string {
  const message = thrownMessage(error);
  writeUnlessRepeated('Capturing {What} threw {Message}; captured as a marker', what, message);
  return `[Throws: ${message}]`;
}

/** `source[key]`, or when reading it throws, a `'[Throws: message]'` marker (told to SelfLog); never throws. */
export function read(source: object, key: string | number): unknown {
  try {
    return (source as Record<string | number, unknown>)[key];
  } catch (error) {
    return throwsMarker(`property ${String(key)}`, error);
  }
}
