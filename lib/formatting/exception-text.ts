/** Most causes followed: a longer chain (or a cycle) is cut with a marker. */
const MAX_CAUSES = 8;
/** Most characters of a plain object's JSON written for it. */
const MAX_JSON = 1_000;
/** The text of a value nothing can be read from: no stack, no String(), no name, no JSON. */
const UNPRINTABLE = '[unprintable exception]';

/** A plain object's JSON (`{ code: 'ETIMEDOUT' }`), cut at 1 000 characters, or undefined when it has none. */
function jsonText(value: unknown): string | undefined {
  try {
    const json = JSON.stringify(value);
    if (typeof json === 'string') return json.length > MAX_JSON ? `${json.slice(0, MAX_JSON)}…` : json;
  } catch {
    // A cycle, a BigInt or a throwing getter: there is no JSON to give.
  }
  return undefined;
}

/**
 * A thrown value's `stack`, else (none, or a `stack` getter that throws) `String(value)`: `Name: message`
 * (a plain object, whose `String` is `[object Object]`, as its JSON when it has one, cut at 1 000
 * characters), else (a `message` getter that throws, which also breaks V8's `stack`) `Name: [unreadable message]`,
 * else (no `toString`, as `Object.create(null)` makes) its JSON, else `[unprintable exception]`. Never throws.
 */
function stackText(value: unknown): string {
  try {
    const stack = (value as { stack?: unknown } | null | undefined)?.stack;
    if (typeof stack === 'string') return stack;
  } catch {
    // Its name and message still say what it was.
  }
  try {
    const text = String(value);
    // A plain object (a cause such as `{ code: 'ETIMEDOUT' }`) says more as its JSON.
    return (text.startsWith('[object ') && jsonText(value)) || text;
  } catch {
    // A message getter or toString that throws: the name may still be readable.
  }
  try {
    const name = (value as { name?: unknown }).name;
    if (typeof name === 'string') return `${name}: [unreadable message]`;
  } catch {
    // A Proxy whose traps all throw.
  }
  return jsonText(value) ?? UNPRINTABLE;
}

function ownText(error: unknown): string {
  let text = stackText(error);
  // An AggregateError (what Promise.any rejects with) carries its reasons in `errors`. Guarded: a getter
  // or Proxy trap that throws there costs the reasons from that one on, never the text made so far.
  try {
    // By name too: one from another realm (a vm context, an iframe) is no instance of this one's.
    const errors =
      error instanceof AggregateError || (error as { name?: unknown } | null | undefined)?.name === 'AggregateError'
        ? (error as { errors?: unknown }).errors
        : undefined;
    if (Array.isArray(errors)) {
      const count = errors.length;
      for (let index = 0; index < Math.min(count, MAX_CAUSES); index++)
        text += `\nerror ${index + 1} of ${count}: ${stackText(errors[index])}`;
      if (count > MAX_CAUSES) text += `\n[${count - MAX_CAUSES} more errors]`;
    }
  } catch {
    // The text made so far stands.
  }
  return text;
}

/**
 * An exception as log text: its `stack` (which starts with `Name: message`), else `String(error)`,
 * followed by each `cause` in the chain on its own `caused by: ` line (as Node prints them and as
 * pino's error serializer does), at most eight deep; a `cause` getter that throws ends the chain
 * with `caused by: [unreadable cause]`. An `AggregateError` lists its `errors`, the
 * first eight, each on an `error i of n: ` line. A value nothing can be read from (a revoked Proxy)
 * is `[unprintable exception]`; a getter or Proxy trap that throws costs only the text it guards.
 * Never throws, whatever the error's getters do.
 */
export function exceptionText(error: unknown): string {
  try {
    let own = ownText(error);
    let text = own;
    const seen = new Set<unknown>([error]);
    let current = error;
    // A value nothing could be read from (a revoked Proxy) has no cause to read either.
    for (let depth = 0; own !== UNPRINTABLE; depth++) {
      if (depth === MAX_CAUSES) return `${text}\ncaused by: [more causes]`;
      let cause: unknown;
      try {
        cause = typeof current === 'object' && current !== null ? (current as { cause?: unknown }).cause : undefined;
      } catch {
        // A `cause` getter that throws costs the chain from there on, not the text already made.
        return `${text}\ncaused by: [unreadable cause]`;
      }
      if (cause === undefined) return text;
      if (seen.has(cause)) return `${text}\ncaused by: [Circular]`;
      seen.add(cause);
      own = ownText(cause);
      text += `\ncaused by: ${own}`;
      current = cause;
    }
    return text;
  } catch {
    return UNPRINTABLE;
  }
}
