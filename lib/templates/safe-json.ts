import { isObject } from '../core/is-object';
import { escapeControlsPastC0 } from '../core/escape-control-characters';
import { errorMessage } from '../core/read-property';
import { CIRCULAR_MARKER, DEFAULT_CAPTURE_LIMITS, isDate, longView, MAX_DEPTH_MARKER, more, tagOf, unbox } from './capture';
import { isJsonSafe, WRITE_JSON_MAX_DEPTH } from './json-safe-captures';

// eslint-disable-next-line no-control-regex -- JSON must escape control characters, so the pattern names them
const NEEDS_ESCAPE = /["\\\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]/;

/**
 * A lone surrogate's `\u` escape in JSON text, after an even number of backslashes (so not an
 * escaped backslash followed by the letters `ud800`). JSON.stringify writes a surrogate pair as
 * it is and escapes only a lone one.
 */
const LONE_SURROGATE_ESCAPE = /(?<!\\)((?:\\\\)*)\\ud[89a-f][0-9a-f]{2}/g;

/**
 * JSON text with every lone surrogate written as U+FFFD, the replacement character itself, as a
 * UTF-8 encoder writes it (and as Serilog's output has it). Its `\udXXX` escape is valid JSON
 * grammar, but not a character: strict readers (serde_json, protobuf's JSON) reject the whole
 * document, which for a sink is a whole batch.
 */
export function withoutLoneSurrogates(json: string): string {
  return json.includes('\\ud') ? json.replace(LONE_SURROGATE_ESCAPE, '$1\ufffd') : json;
}

/**
 * JSON text as JSON.stringify wrote it, made safe to write: lone surrogates as U+FFFD (see
 * {@link withoutLoneSurrogates}), and as `\u` escapes what JSON may hold raw (raw, they can only be
 * inside strings): DEL, the C1 controls (U+009B is a one-byte CSI to xterm and VTE), U+2028 /
 * U+2029 and the bidirectional embeddings, overrides and isolates (Trojan Source). So a `tail -f`
 * or `cat` of a log file cannot run a value from data as a terminal command nor show its line
 * backwards; the JSON is the same (`JSON.parse` gives the same strings), and the text output and
 * the `rxlog` command escape them too.
 */
function safeJsonText(json: string): string {
  return escapeControlsPastC0(withoutLoneSurrogates(json));
}

/**
 * A string as a JSON string literal. Strings that need no escaping (the common case) are only
 * wrapped in quotes; the rest go through JSON.stringify, and a lone surrogate becomes U+FFFD
 * (see {@link withoutLoneSurrogates}), so the output is valid UTF-8 for every reader.
 */
export function quoteJson(text: string): string {
  return needsNoEscape(text) ? `"${text}"` : safeJsonText(JSON.stringify(text));
}

/**
 * Whether `text` goes between JSON quotes as it is: no control character, quote, backslash or
 * surrogate, nor any character {@link safeJsonText} escapes.
 */
export function needsNoEscape(text: string): boolean {
  // Hot path: a char loop beats a regex on short strings, a regex wins on long ones.
  if (text.length < 42) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x20 || c === 0x22 || c === 0x5c) return false;
      // One comparison for ASCII text: the rest only past DEL.
      if (
        c >= 0x7f &&
        (c <= 0x9f || (c >= 0xd800 && c <= 0xdfff) || (c >= 0x2028 && (c <= 0x202e || (c >= 0x2066 && c <= 0x2069))))
      )
        return false;
    }
    return true;
  }
  return !NEEDS_ESCAPE.test(text);
}

/** A number as JSON: finite numbers as literals, NaN and ±Infinity as the strings `"NaN"`, `"Infinity"`, `"-Infinity"`. */
export function jsonNumber(value: number): string {
  // String() writes NaN and ±Infinity as exactly those names.
  return Number.isFinite(value) ? String(value) : `"${value}"`;
}

/**
 * Most digits of an integer literal that `parseJsonExact` reads exactly: 4300, CPython's
 * `sys.int_info.default_max_str_digits`, the bound Python's `int()` and `json.loads` put on the
 * same conversion (CVE-2020-10735). Converting digits to a bigint, and back to text, takes time
 * that grows faster than their count (seconds for a few million digits in V8); 4300 digits hold
 * a 14 000-bit number, far past any id, .NET `long`, `decimal` or `UInt128` a log holds.
 */
export const MAX_EXACT_INTEGER_DIGITS = 4300;

/**
 * A bigint as JSON: its integer literal, or, past {@link MAX_EXACT_INTEGER_DIGITS} digits (sign not
 * counted), which rxlog's reader refuses as Python's does, the string of its digits, as Serilog
 * writes every `BigInteger`: so each line rxlog writes is one it reads.
 */
export function jsonBigint(value: bigint): string {
  const digits = String(value);
  return digits.length > MAX_EXACT_INTEGER_DIGITS + (value < 0 ? 1 : 0) ? `"${digits}"` : digits;
}

/** A Date as a JSON string: its ISO 8601 UTC text, or `"Invalid Date"`. */
export function jsonDate(value: Date): string {
  const time = value.getTime();
  return `"${time === time ? value.toISOString() : 'Invalid Date'}"`;
}

const NO_ANCESTORS: object[] = [];

/**
 * Most items (array items and object properties) one writeJson call writes; an object past them is
 * written as `"[Truncated]"`. A captured tree holds far fewer; a value that was not captured and
 * holds the same objects many times over would otherwise be written item by item, for hours.
 */
export const WRITE_JSON_MAX_ITEMS = 1 << 20;
/** What the current writeJson call may still write. */
let itemsLeft = WRITE_JSON_MAX_ITEMS;

/** The members of a prototype that decide how JSON.stringify writes its instances. */
interface JsonHooks {
  toJSON?: unknown;
  toISOString?: unknown;
  valueOf?: unknown;
  [Symbol.toPrimitive]?: unknown;
}
const OBJECT_PROTOTYPE = Object.prototype as JsonHooks;
const ARRAY_PROTOTYPE = Array.prototype as JsonHooks;
const DATE_PROTOTYPE = Date.prototype as JsonHooks;
const DATE_TO_JSON = DATE_PROTOTYPE.toJSON;
const DATE_TO_ISO_STRING = DATE_PROTOTYPE.toISOString;
const DATE_VALUE_OF = DATE_PROTOTYPE.valueOf;
const DATE_TO_PRIMITIVE = DATE_PROTOTYPE[Symbol.toPrimitive];

/**
 * Whether JSON.stringify still writes a marked tree as writeJson does: nobody gave plain objects
 * or arrays a `toJSON`, nor replaced how a Date becomes JSON (writeJson calls `toISOString`).
 * A few reads and compares: far cheaper than the walk they let writeJson skip.
 */
function nativeMatches(): boolean {
  return (
    OBJECT_PROTOTYPE.toJSON === undefined &&
    ARRAY_PROTOTYPE.toJSON === undefined &&
    DATE_PROTOTYPE.toJSON === DATE_TO_JSON &&
    DATE_PROTOTYPE.toISOString === DATE_TO_ISO_STRING &&
    DATE_PROTOTYPE.valueOf === DATE_VALUE_OF &&
    DATE_PROTOTYPE[Symbol.toPrimitive] === DATE_TO_PRIMITIVE
  );
}

/**
 * `value` as JSON, or undefined where JSON.stringify leaves it out (an object member holding undefined).
 * `key` is what a toJSON is given: an array's index stays a number until one is called.
 */
function write(value: unknown, depth: number, ancestors: object[], key: string | number): string | undefined {
  switch (typeof value) {
    case 'string':
      return quoteJson(value);
    case 'number':
      return jsonNumber(value);
    case 'boolean':
      return String(value);
    case 'bigint':
      return jsonBigint(value);
    case 'symbol':
      return quoteJson(value.toString());
    case 'function':
      return '"[Function]"';
    case 'undefined':
      return undefined;
    default:
      return value === null ? 'null' : writeObject(value as object, depth, ancestors, key);
  }
}

function writeObject(value: object, depth: number, ancestors: object[], key: string | number): string | undefined {
  try {
    if (isDate(value)) return jsonDate(value);
    // As JSON.stringify: what toJSON(key) returns, once (not the toJSON of what it returns), and a
    // box's primitive (read from its slot, so no valueOf of the app's runs).
    const toJSON = (value as JsonHooks).toJSON;
    const max = DEFAULT_CAPTURE_LIMITS.maxCollectionLength;
    // A typed array longer than that bound is not given to its toJSON, as in capture (Node's
    // Buffer.toJSON copies every byte into an array first).
    let json = unbox(typeof toJSON === 'function' && !longView(value, max) ? toJSON.call(value, `${key}`) : value);
    // A typed array (not a DataView) as capture keeps one, its keys never listed (Object.keys of a
    // Float64Array(1e7) takes seconds): its first maxCollectionLength numbers, then `"…N more"`.
    if (ArrayBuffer.isView(json) && tagOf(json) !== '[object DataView]') {
      const rest = (json as unknown as ArrayLike<unknown>).length - max;
      json = Array.prototype.slice.call(json, 0, max) as unknown[];
      if (rest > 0) (json as unknown[]).push(more(rest));
    }
    if (!isObject(json) || isDate(json)) return write(json, depth, ancestors, key);
    if (ancestors.includes(json)) return `"${CIRCULAR_MARKER}"`;
    if (depth >= WRITE_JSON_MAX_DEPTH) return `"${MAX_DEPTH_MARKER}"`;
    // Spent: no item fits any more, so its keys go unread (Object.keys reads each, a Proxy's trap for each).
    if (itemsLeft < 0) return '"[Truncated]"';
    ancestors.push(json);
    try {
      if (Array.isArray(json)) {
        if ((itemsLeft -= json.length) < 0) return '"[Truncated]"';
        let out = '[';
        for (let i = 0; i < json.length; i++) out += `${i > 0 ? ',' : ''}${write(json[i], depth + 1, ancestors, i) ?? 'null'}`;
        return `${out}]`;
      }
      const keys = Object.keys(json);
      if ((itemsLeft -= keys.length) < 0) return '"[Truncated]"';
      let out = '{';
      for (const name of keys) {
        let item: unknown;
        try {
          item = (json as Record<string, unknown>)[name];
        } catch (error) {
          item = `[Throws: ${errorMessage(error)}]`;
        }
        const text = write(item, depth + 1, ancestors, name);
        if (text !== undefined) out += `${out.length > 1 ? ',' : ''}${quoteJson(name)}:${text}`;
      }
      return `${out}}`;
    } finally {
      ancestors.pop();
    }
  } catch (error) {
    return quoteJson(`[Throws: ${errorMessage(error)}]`);
  }
}

/**
 * Writes any value as compact JSON and never throws: bigint as an integer literal (as a string of
 * its digits past 4300 of them, see `jsonBigint`), NaN and
 * ±Infinity as strings, a Date as its ISO string, undefined omitted from objects (null in arrays
 * and at the top), symbol keys skipped, a cycle as `"[Circular]"`. As JSON.stringify, it writes
 * what an object's `toJSON(key)` returns (called once, with the member's name, the item's index
 * or `''` at the top) and a boxed primitive (`new Number(1)`, `new String('a')`, `Object(1n)`) as
 * the primitive it holds, read from the box so no `valueOf` of the app's runs. A getter, `toJSON` or
 * Proxy trap that throws is written as `"[Throws: <message>]"`. A typed array (a bigint one too)
 * is written as capture keeps one, its first 1000 numbers then `"…N more"`, without listing its keys
 * (or calling its toJSON when it is longer: Node's `Buffer.toJSON` copies every byte);
 * a DataView, as JSON.stringify writes it, as `{}`. It follows 63 levels of nesting
 * (deeper is `"[MaxDepth]"`), so a CLEF line, one object around its properties, nests at most 64
 * deep, as Serilog's reader takes. It writes at most 2^20 items in all (an
 * object past them is `"[Truncated]"`), so a value holding the same objects many times over
 * cannot make it run for hours. The output always parses with JSON.parse.
 * A tree that capture marked as plain JSON data is written by JSON.stringify, to the same bytes.
 *
 * @example writeJson({ n: 1n, x: NaN, d: new Date(0) }) // '{"n":1,"x":"NaN","d":"1970-01-01T00:00:00.000Z"}'
 */
export function writeJson(value: unknown): string {
  if (isObject(value)) {
    // Speed: a tree capture marked as plain JSON-safe data is written natively, byte for byte as below.
    if (isJsonSafe(value) && nativeMatches()) {
      try {
        return safeJsonText(JSON.stringify(value));
      } catch {
        // Only a result longer than a string can hold; the walk below writes what it can.
      }
    }
    // Saved and restored: a toJSON may call writeJson for a value of its own.
    const left = itemsLeft;
    itemsLeft = WRITE_JSON_MAX_ITEMS;
    try {
      return writeObject(value, 0, [], '') ?? 'null';
    } finally {
      itemsLeft = left;
    }
  }
  // A scalar never reaches writeObject, so it shares one empty ancestors list instead of making one.
  return write(value, 0, NO_ANCESTORS, '') ?? 'null';
}
