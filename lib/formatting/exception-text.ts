/** Most causes followed: a longer chain (or a cycle) is cut with a marker. */
const MAX_CAUSES = 8;

/**
 * A thrown value's `stack`, else (none, or a `stack` getter that throws) `String(value)`: `Name: message`,
 * else (a `message` getter that throws, which also breaks V8's `stack`) `Name: [unreadable message]`.
 */
function stackText(value: unknown): string {
  try {
    const stack = (value as { stack?: unknown } | null | undefined)?.stack;
    if (typeof stack === 'string') return stack;
  } catch {
    // Its name and message still say what it was.
  }
  try {
    return String(value);
  } catch (error) {
    const name = (value as { name?: unknown }).name;
    if (typeof name !== 'string') throw error;
    return `${name}: [unreadable message]`;
  }
}

function ownText(error: unknown): string {
  let text = stackText(error);
  // An AggregateError (what Promise.any rejects with) carries its reasons in `errors`.
  const errors = error instanceof AggregateError ? (error.errors as unknown) : undefined;
  if (Array.isArray(errors)) {
    const count = errors.length;
    for (let index = 0; index < Math.min(count, MAX_CAUSES); index++)
      text += `\nerror ${index + 1} of ${count}: ${stackText(errors[index])}`;
    if (count > MAX_CAUSES) text += `\n[${count - MAX_CAUSES} more errors]`;
  }
  return text;
}

/**
 * An exception as log text: its `stack` (which starts with `Name: message`), else `String(error)`,
 * followed by each `cause` in the chain on its own `caused by: ` line (as Node prints them and as
 * pino's error serializer does), at most eight deep. An `AggregateError` lists its `errors`, the
 * first eight, each on an `error i of n: ` line. Never throws, whatever the error's getters do.
 */
export function exceptionText(error: unknown): string {
  try {
    let text = ownText(error);
    const seen = new Set<unknown>([error]);
    let current = error;
    for (let depth = 0; depth < MAX_CAUSES; depth++) {
      const cause: unknown = typeof current === 'object' && current !== null ? (current as { cause?: unknown }).cause : undefined;
      if (cause === undefined) return text;
      if (seen.has(cause)) return `${text}\ncaused by: [Circular]`;
      seen.add(cause);
      text += `\ncaused by: ${ownText(cause)}`;
      current = cause;
    }
    return `${text}\ncaused by: [more causes]`;
  } catch {
    return '[unprintable exception]';
  }
}
