import { isObject } from './is-object';
import { hasErrorBrand } from './has-error-brand';
import { cutWithEllipsis, truncatedText } from './truncated-text';

/** Most causes followed, and most errors of an AggregateError listed: a longer chain (or a cycle) is cut with a marker. */
const MAX_CAUSES = 8;
/** Most errors and causes written in all, nested ones included, so errors nested in errors stay bounded. */
const MAX_PARTS = 64;
/** Most characters of a plain object's JSON written for it. */
const MAX_JSON = 1_000;
/** The text of a value nothing can be read from: no stack, no String(), no name, no JSON. */
const UNPRINTABLE = '[unprintable exception]';
/** Most characters of one nested error's or cause's text written, as a captured string is cut (64 KiB). */
const MAX_PART_TEXT = 64 * 1024;
/** Most characters of the nested errors' and causes' texts written in all, as capture's budget (1 MiB). */
const MAX_NESTED_TEXT = 16 * MAX_PART_TEXT;

/** A plain object's JSON (`{ code: 'ETIMEDOUT' }`), cut at 1 000 characters, or undefined when it has none. */
function jsonText(value: unknown): string | undefined {
  try {
    const json = JSON.stringify(value);
    if (typeof json === 'string') return cutWithEllipsis(json, MAX_JSON);
  } catch {
    // A cycle, a BigInt or a throwing getter: there is no JSON to give.
  }
  return undefined;
}

/**
 * A first line of Firefox's and Safari's stacks: a frame (`handler@https://…/main.js:10:5`,
 * `global code@…`, `forEach@[native code]`), where V8's is `Name: message`.
 */
export const FRAME_FIRST = /^[^\n@]*@[^\n]*(?::\d+:\d+|\[native code\])(?:\n|$)/;

/**
 * A `stack` with `Name: message` put first when it starts with a frame and leaves the message out,
 * as Firefox's and Safari's do; any other (V8's, one read back from CLEF, one an app put together)
 * is kept as it is.
 */
function withHeader(error: { name?: unknown; message?: unknown }, stack: string): string {
  try {
    if (!FRAME_FIRST.test(stack)) return stack;
    const { name, message } = error;
    if (typeof message !== 'string' || message === '' || stack.includes(message)) return stack;
    // Firefox ends its stack with a newline, which would leave an empty line before the next.
    return `${typeof name === 'string' ? name : 'Error'}: ${message}\n${stack.endsWith('\n') ? stack.slice(0, -1) : stack}`;
  } catch {
    // A name or message getter that throws: the stack alone.
    return stack;
  }
}

/**
 * A thrown value's `stack` (with `Name: message` first when it leaves them out, as Firefox's does), else (none, or a `stack` getter that throws) `String(value)`: `Name: message`
 * (a plain object, whose `String` is `[object Object]`, as its JSON when it has one, cut at 1 000
 * characters), else (a `message` getter that throws, which also breaks V8's `stack`) `Name: [unreadable message]`,
 * or (a `name` that cannot be made text) `Error: message` (see `headerText`), else (no `toString`,
 * as `Object.create(null)` makes) its JSON, else `[unprintable exception]`. Never throws.
 */
function stackText(value: unknown): string {
  try {
    const stack = (value as { stack?: unknown } | null | undefined)?.stack;
    if (typeof stack === 'string') return withHeader(value as { name?: unknown; message?: unknown }, stack);
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
  const text = headerText(value);
  return text === undefined ? (jsonText(value) ?? UNPRINTABLE) : text;
}

/** A value's own data property or getter `key` when it is a string, else undefined; never throws. */
function stringMember(value: unknown, key: 'name' | 'message'): string | undefined {
  try {
    const member = (value as Record<string, unknown>)[key];
    return typeof member === 'string' ? member : undefined;
  } catch {
    // A getter or Proxy trap that throws.
    return undefined;
  }
}

/**
 * `Name: message` read member by member, for a value whose stack and String() both threw: a
 * `message` getter that throws gives `Name: [unreadable message]`; a `name` that is no string (a
 * Proxy whose conversion throws, which breaks V8's stack text too) or none at all (an Error whose
 * prototype was taken away) gives `Error: message`, when the value is an Error by brand. Undefined
 * when neither says anything. Never throws.
 */
function headerText(value: unknown): string | undefined {
  const name = stringMember(value, 'name');
  const message = stringMember(value, 'message');
  if (message === undefined) return name === undefined ? undefined : `${name}: [unreadable message]`;
  if (name !== undefined) return `${name}: ${message}`;
  try {
    return hasErrorBrand(value) ? `Error: ${message}` : undefined;
  } catch {
    return undefined;
  }
}

/** What one exceptionText call has walked: the values above the current one, and the texts left to write. */
interface Walk {
  /** The errors and causes being written, from the top down to the current one: meeting one again is a cycle. */
  readonly above: Set<unknown>;
  /** How many more values' texts may be written, nested ones included. */
  left: number;
  /** How many more characters the nested values' texts may take. */
  chars: number;
}

/**
 * A nested error's or cause's own text (see `stackText`) and its own fields (see `fieldsText`),
 * cut at 64 KiB and to what is left of the walk's 1 MiB, which it spends: eight errors of a 10 MB
 * message each would make an 80 MB line (a queued sink's `maxEventBytes` counts these caps, and
 * cuts the parts to fit).
 */
function partText(value: unknown, walk: Walk): string {
  let own = stackText(value);
  if (own === UNPRINTABLE) return own;
  // Its own fields too, as Node's util.inspect shows a cause's (`code: 'ECONNREFUSED'`), within the same caps.
  own += fieldsText(value);
  const max = walk.chars < MAX_PART_TEXT ? walk.chars : MAX_PART_TEXT;
  walk.chars -= own.length < max ? own.length : max;
  return own.length > max ? truncatedText(own, max) : own;
}

/** `text` with every line after its first indented by two spaces: a nested error's causes and errors. */
function nested(text: string): string {
  return text.replaceAll('\n', '\n  ');
}

/**
 * The `error i of n: ` lines of an AggregateError (what Promise.any rejects with), each followed
 * by that error's own causes and errors, indented under it. Guarded: a getter or Proxy trap that
 * throws there costs the reasons from that one on, never the text made so far.
 */
function errorsText(error: unknown, walk: Walk): string {
  let text = '';
  try {
    // By name too: one from another realm (a vm context, an iframe) is no instance of this one's.
    const errors =
      error instanceof AggregateError || (error as { name?: unknown } | null | undefined)?.name === 'AggregateError'
        ? (error as { errors?: unknown }).errors
        : undefined;
    if (Array.isArray(errors)) {
      const count = errors.length;
      let index = 0;
      for (; index < Math.min(count, MAX_CAUSES) && walk.left > 0; index++) {
        const item: unknown = errors[index];
        text += `\nerror ${index + 1} of ${count}: `;
        if (walk.above.has(item)) text += '[Circular]';
        else {
          walk.left--;
          const own = partText(item, walk);
          walk.above.add(item);
          text += own === UNPRINTABLE ? own : own + nested(tailText(item, walk));
          walk.above.delete(item);
        }
      }
      if (count > index) text += `\n[${count - index} more errors]`;
    }
  } catch {
    // The text made so far stands.
  }
  return text;
}

/**
 * What follows a value's own text: its errors (an AggregateError's), then each `cause` in the
 * chain on a `caused by: ` line with that cause's errors, at most eight deep.
 */
function tailText(error: unknown, walk: Walk): string {
  let text = errorsText(error, walk);
  const chain: unknown[] = [];
  let current = error;
  let marker = '';
  for (;;) {
    let cause: unknown;
    try {
      cause = isObject(current) ? (current as { cause?: unknown }).cause : undefined;
    } catch {
      // A `cause` getter that throws costs the chain from there on, not the text already made.
      marker = '[unreadable cause]';
      break;
    }
    if (cause === undefined) break;
    marker = walk.above.has(cause) ? '[Circular]' : chain.length === MAX_CAUSES || walk.left === 0 ? '[more causes]' : '';
    if (marker !== '') break;
    walk.left--;
    const own = partText(cause, walk);
    text += `\ncaused by: ${own}`;
    // A value nothing could be read from (a revoked Proxy) has no cause or errors to read either.
    if (own === UNPRINTABLE) break;
    walk.above.add(cause);
    chain.push(cause);
    text += errorsText(cause, walk);
    current = cause;
  }
  for (const cause of chain) walk.above.delete(cause);
  return marker === '' ? text : `${text}\ncaused by: ${marker}`;
}

/** Most own fields of an error written, and most characters of each one's name or string value. */
const MAX_FIELDS = 16;
const MAX_FIELD_TEXT = 200;
/** Own names written otherwise (the stack's header, the `caused by: ` and `error i of n: ` lines), never as fields. */
const NOT_FIELDS = /^(?:name|message|stack|cause|errors)$/;
/** A field name written as it is; any other is quoted as JSON. */
const PLAIN_NAME = /^[A-Za-z_$][\w$]{0,63}$/;

/** `text` cut to MAX_FIELD_TEXT characters, `…` marking the cut, as JSON. */
function quoted(text: string): string {
  return JSON.stringify(cutWithEllipsis(text, MAX_FIELD_TEXT));
}

/**
 * An error's own enumerable fields whose values are strings, numbers, booleans or bigints, as Node
 * and pino show them (`{ code: "ECONNREFUSED", errno: -111, syscall: "connect", port: 5432 }`),
 * on a line of its own after its stack, or `''` when it has none. Objects and arrays (axios's
 * `config` with its headers, a response) are left out: they are structure, and what they hold is
 * data an app logs as properties. At most 16 fields, each name and string cut at 200 characters
 * (`…`), strings quoted as JSON (a line break or control in one stays escaped), `…` for the rest;
 * a getter that throws skips its field, and a Proxy whose names cannot be listed gives none.
 * Never throws.
 */
export function fieldsText(error: unknown): string {
  let text = '';
  try {
    // An Error only (by brand too: from another realm, or without its prototype); a plain object's JSON says all already.
    if (!(error instanceof Error) && !hasErrorBrand(error)) return '';
    let count = 0;
    for (const key of Object.keys(error as object)) {
      if (NOT_FIELDS.test(key)) continue;
      let value: unknown;
      try {
        value = (error as Record<string, unknown>)[key];
      } catch {
        continue;
      }
      const type = typeof value;
      if (type !== 'string' && type !== 'number' && type !== 'boolean' && type !== 'bigint') continue;
      if (count++ === MAX_FIELDS) {
        text += ', …';
        break;
      }
      text += `${text === '' ? '' : ', '}${PLAIN_NAME.test(key) ? key : quoted(key)}: ${type === 'string' ? quoted(value as string) : String(value)}`;
    }
  } catch {
    // A Proxy whose ownKeys trap throws: what was made so far stands.
  }
  return text === '' ? '' : `\n{ ${text} }`;
}

/**
 * An exception as log text: its `stack` (which starts with `Name: message` in V8; Firefox's and
 * Safari's start with a frame, and get them put first), else `String(error)`,
 * followed by each `cause` in the chain on its own `caused by: ` line (as Node prints them and as
 * pino's error serializer does), at most eight deep; a `cause` getter that throws ends the chain
 * with `caused by: [unreadable cause]`. An `AggregateError` lists its `errors`, the first eight,
 * each on an `error i of n: ` line followed by that error's own causes and errors indented by two
 * spaces (a `fetch` failure's reason is in its cause); at most 64 errors and causes are written in
 * all, and one met again inside itself is `[Circular]`. The text of each of them is cut at 64 KiB
 * (`…[truncated N chars]`) and all of theirs at 1 MiB, as captured strings are; the top stack is
 * kept whole (a queued sink's `maxEventBytes` cuts it). A value nothing can be read from (a revoked
 * Proxy) is `[unprintable exception]`; a getter or Proxy trap that throws costs only the text it
 * guards. Each error's and cause's own fields of scalar values (`code`, `errno`, `syscall`, `port`)
 * follow its stack on a line of their own (see `fieldsText`), as Node's `util.inspect` shows them.
 * Never throws, whatever the error's getters do.
 */
export function exceptionText(error: unknown): string {
  try {
    const own = stackText(error);
    if (own === UNPRINTABLE) return own;
    return own + fieldsText(error) + tailText(error, { above: new Set([error]), left: MAX_PARTS, chars: MAX_NESTED_TEXT });
  } catch {
    return UNPRINTABLE;
  }
}
