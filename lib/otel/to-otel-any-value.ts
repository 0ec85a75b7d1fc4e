import type { AnyValue, AnyValueMap } from '@opentelemetry/api-logs';
import { wellFormed } from '../core/lone-surrogate';
import { exceptionText } from '../core/exception-text';
import { isDate } from '../templates/capture';
import { writeJson } from '../templates/safe-json';
import { startUnreadable, unreadableMarker } from '../formatting/unreadable-values';
import { jsonForm, noSkip, readValue, reportUnreadable, TYPED_ARRAY } from '../sinks/http/otlp-any-value';

/** Deepest nesting converted before a value is written as `'[MaxDepth]'`: captured data is far shallower. */
const MAX_DEPTH = 32;

/**
 * Most items (array items and object members) converted for one record; an array or object past
 * them is `'[Truncated]'`, as CLEF's writer has it. Captured data holds far fewer; a value that was
 * never captured (an app operator's, an app-built event's) and holds the same objects many times
 * over would otherwise be converted item by item, for hours.
 */
const MAX_ITEMS = 1 << 20;
/** What the record being converted may still convert. */
let itemsLeft = MAX_ITEMS;
/** The arrays and objects being converted, outermost first: one met again is a cycle. */
const ancestors: object[] = [];
/** Whether a map converted since the last check holds a member the SDK loses (see {@link sdkSafe}). */
let lostMember = false;

/**
 * A captured property value as an OpenTelemetry `AnyValue`: strings, numbers and booleans as
 * they are (but a whole number of 2^63 or more in size as its text, which the SDK's OTLP/JSON
 * serializer would write as an intValue outside int64, and NaN and ±Infinity as `'NaN'`,
 * `'Infinity'` and `'-Infinity'`, which it would write as a null double), a bigint as a number when it is a safe integer (else its decimal text), arrays as
 * arrays (typed arrays too, a Uint8Array left as bytes), plain objects as maps (undefined members
 * left out), a Date as its ISO string, an Error as its text, another object with a `toJSON` as
 * what `toJSON(key)` returns (whose own toJSON is not called) and a boxed primitive as its value,
 * as capture and CLEF's writer write them (a value never captured), a function as `'[Function]'` (never
 * its source), a symbol as its text, null as null; an array or object met again inside itself as
 * `'[Circular]'`, one past a record's 2^20 items as `'[Truncated]'`, a value (a member, an item)
 * that throws when read as `'[Throws: message]'` in its place, and a map holding a `__proto__` or
 * `constructor` member (a JSON body a client sent) as its JSON text, which the SDK keeps whole.
 * Never throws.
 */
export function toOtelAnyValue(value: unknown, depth = 0): AnyValue {
  itemsLeft = MAX_ITEMS;
  lostMember = false;
  startUnreadable();
  return keptWhole(anyValue(value, depth, ''));
}

/** The converted value, past {@link sdkSafe} when the conversion met a member the SDK loses. */
function keptWhole(value: AnyValue): AnyValue {
  return lostMember ? sdkSafe(value) : value;
}

/**
 * `key` is what a `toJSON` is given (the member's name, the item's index, `''` at the top); `json`
 * says `value` is what one returned, whose own toJSON is not called.
 */
function anyValue(value: unknown, depth: number, key: string | number, json = false): AnyValue {
  switch (typeof value) {
    case 'string':
      // A proto3 string is UTF-8: the SDK's exporters would write a lone surrogate's escape
      // (which protobuf's JSON readers refuse, with the whole request) or bytes that are no UTF-8.
      return wellFormed(value);
    case 'number':
      // A whole number at or past 2^63 in size: the SDK's OTLP/JSON serializer writes every whole
      // number as an intValue (`9223372036854776000`, `1e+21`), outside int64, and NaN and
      // ±Infinity as `"doubleValue":null`, which the Collector's reader refuses: either way with the
      // whole request. Each goes as its text (every finite number that large is whole), as a bigint
      // past int64 does (its protobuf exporter would have sent a double).
      return Math.abs(value) < 2 ** 63 ? value : String(value);
    case 'boolean':
      return value;
    case 'bigint':
      return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
        ? Number(value)
        : value.toString();
    case 'undefined':
      return undefined;
    case 'object':
      return value === null ? null : structure(value, depth, key, json);
    case 'function':
      // Never its source code (String(fn)): the marker CLEF's writer writes.
      return '[Function]';
    default:
      // A symbol: String() reads its description slot, no member, so it cannot throw.
      return wellFormed(String(value));
  }
}

/**
 * Properties as an OpenTelemetry attribute map, in their order; undefined values and a property
 * named `''` (attribute keys are non-empty) are left out, a value that throws when read is
 * `'[Throws: message]'` (its message cut to 200 characters), and
 * properties whose keys cannot be listed are one `rxlog.unreadable` attribute; one SelfLog report
 * per record says how many values could not be read. Never throws.
 */
export function toOtelAttributes(
  properties: Readonly<Record<string, unknown>>,
  depth = 0,
  skip?: ReadonlySet<string>,
): AnyValueMap {
  return addOtelAttributes({}, properties, depth, (key) => skip?.has(key) === true);
}

/** {@link toOtelAttributes} added to `out` (after what it holds), but for the keys `skip` names; returns `out`. */
export function addOtelAttributes(
  out: AnyValueMap,
  properties: Readonly<Record<string, unknown>>,
  depth: number,
  skip: (key: string) => boolean,
): AnyValueMap {
  // A record's attributes, not a map inside one: the budget and the report are the record's.
  const outer = ancestors.length === 0;
  if (outer) {
    itemsLeft = MAX_ITEMS;
    lostMember = false;
    startUnreadable();
  }
  let keys: string[] = [];
  try {
    keys = Object.keys(properties);
  } catch (error) {
    define(out, 'rxlog.unreadable', wellFormed(unreadableMarker(error)));
  }
  for (const key of keys) {
    // A record's attribute keys are non-empty: the SDK drops a '' one, with a diag warning (a map
    // inside an attribute may have one).
    if ((outer && key === '') || skip(key)) continue;
    const value = readValue(properties, key);
    // U+FFFD for a lone surrogate, as in a value: of keys that are one then, the first is kept.
    const name = wellFormed(key);
    if (value !== undefined && !Object.hasOwn(out, name)) define(out, name, anyValue(value, depth, key));
  }
  if (outer) {
    // Rare (a JSON body a client sent): only then is the converted record walked again.
    if (lostMember) for (const key of Object.keys(out)) define(out, key, keptWhole(out[key]));
    reportUnreadable();
  }
  return out;
}

/**
 * Members the OpenTelemetry JS SDK (sdk-logs) loses from a map: it sets a `__proto__` member by
 * assignment, which changes the copy's prototype and leaves the member out, and it refuses (with
 * the whole attribute) a map whose `constructor` is not `Object`.
 */
const LOST_MEMBERS: readonly string[] = ['__proto__', 'constructor'];

function holdsLostMember(map: object): boolean {
  return LOST_MEMBERS.some((key) => Object.hasOwn(map, key));
}

/**
 * The converted value with every map that holds a member the SDK loses written as its JSON text
 * (the outermost such map, what is inside it included), so the record keeps every member and the
 * attribute. Works in place on what the conversion made.
 */
function sdkSafe(value: AnyValue): AnyValue {
  if (typeof value !== 'object' || value === null || value instanceof Uint8Array) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = sdkSafe(value[i]);
    return value;
  }
  if (holdsLostMember(value)) return writeJson(value);
  for (const key of Object.keys(value)) define(value, key, sdkSafe(value[key]));
  return value;
}

// A property named __proto__ is an ordinary key, never the map's prototype.
function define(map: AnyValueMap, key: string, value: AnyValue): void {
  Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
}

function structure(value: object, depth: number, key: string | number, json: boolean): AnyValue {
  if (depth >= MAX_DEPTH) return '[MaxDepth]';
  if (ancestors.includes(value)) return '[Circular]';
  ancestors.push(value);
  try {
    // Any realm's Date (a vm context's, an iframe's): an invalid one is 'Invalid Date', as this realm's.
    if (isDate(value)) {
      const time = value.getTime();
      return time === time ? value.toISOString() : 'Invalid Date';
    }
    if (value instanceof Error) return wellFormed(exceptionText(value));
    if (value instanceof Uint8Array) return value;
    // A typed array is a list of its numbers, as capture makes it: counted by its length, never by its keys.
    const array = Array.isArray(value) || value instanceof TYPED_ARRAY;
    if (!json && !array) {
      // Never captured (capture does the same): what toJSON(key) returns, a box's primitive.
      const result = jsonForm(value, key);
      if (result !== value) return anyValue(result, depth, key, true);
    }
    // Read once and made a number: a Proxy's length may change between reads, or be NaN or
    // negative (which would unbound the budget), and the loop goes no further than counted.
    const length = array ? +(value as ArrayLike<unknown>).length : Object.keys(value).length;
    if (!(length >= 0 && (itemsLeft -= length) >= 0)) return '[Truncated]';
    if (array) {
      const items: AnyValue[] = [];
      // Each item on its own, as a map's values; a hole (undefined) is null.
      for (let i = 0; i < length; i++) items.push(anyValue(readValue(value, i), depth + 1, i) ?? null);
      return items;
    }
    const map = addOtelAttributes({}, value as Record<string, unknown>, depth + 1, noSkip);
    if (holdsLostMember(map)) lostMember = true;
    return map;
  } catch (error) {
    return wellFormed(unreadableMarker(error));
  } finally {
    ancestors.pop();
  }
}
