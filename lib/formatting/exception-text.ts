/**
 * An exception as log text: its `stack` (which starts with `Name: message`), else `String(error)`.
 * Never throws, whatever the error's getters do.
 */
export function exceptionText(error: unknown): string {
  try {
    const stack = (error as { stack?: unknown } | null | undefined)?.stack;
    return typeof stack === 'string' ? stack : String(error);
  } catch {
    return '[unprintable exception]';
  }
}
