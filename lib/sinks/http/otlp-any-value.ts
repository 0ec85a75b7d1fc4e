import { SelfLog } from '../../core/self-log';
import { exceptionText } from '../../core/exception-text';
import { firstUnreadableMarker, startUnreadable, unreadableCount, unreadableMarker } from '../../formatting/unreadable-values';
import { jsonDate, jsonNumber, quoteJson } from '../../templates/safe-json';
import { isDate, unbox } from '../../templates/capture';

/** An OTLP `AnyValue` in the OTLP/JSON encoding: exactly one field is set (none for null). */
export interface OtlpAnyValue {
  stringValue?: string | undefined;
  /** Bytes, in base64: OTLP/JSON writes bytes so. */
  bytesValue?: string | undefined;
  boolValue?: boolean | undefined;
  /** A 64-bit integer, in decimal: OTLP/JSON writes int64 as a string. */
  intValue?: string | undefined;
  /** A double; NaN and ±Infinity as the strings `'NaN'`, `'Infinity'`, `'-Infinity'`, as proto3 JSON does. */
  doubleValue?: number | string | undefined;
  arrayValue?: { values: OtlpAnyValue[] } | undefined;
  kvlistValue?: { values: OtlpKeyValue[] } | undefined;
}

/** An OTLP attribute: a key and its value. */
export interface OtlpKeyValue {
  key: string;
  value: OtlpAnyValue;
}

/** Deepest nesting converted before a value is written as `'[MaxDepth]'`: captured data is far shallower. */
const MAX_DEPTH = 32;

/**
 * Most items (array items and object members) written for one record; an array or object past
 * them is written as `'[Truncated]'`, as CLEF's writer does. Captured data holds far fewer; a value
 * that was never captured (an app operator's, an app-built event's) and holds the same objects many
 * times over would otherwise be written item by item, for hours.
 */
const MAX_ITEMS = 1 << 20;
/** What the record being written may still write. */
let itemsLeft = MAX_ITEMS;
/** The arrays and objects being written, outermost first: one met again is a cycle. */
const ancestors: object[] = [];

/** %TypedArray%: what every typed array is an instance of (a DataView is not). */
export const TYPED_ARRAY = Object.getPrototypeOf(Int8Array) as abstract new () => ArrayLike<unknown>;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * A captured property value as an OTLP `AnyValue`: strings, booleans, integers (`intValue`, also
 * for bigint), other numbers (`doubleValue`), arrays (`arrayValue`), objects (`kvlistValue`,
 * undefined members left out; a bigint outside int64 as a string), a Date as its ISO string, a
 * Uint8Array (a Buffer) as `bytesValue`, another typed array as an array of its numbers, another
 * object with a `toJSON` as what `toJSON(key)` returns (whose own toJSON is not called) and a boxed
 * primitive as its value, as JSON.stringify and CLEF's writer write them (a value never captured:
 * capture already does both), a
 * function as `'[Function]'` (never its source), a symbol as its text, null, undefined and an
 * array hole as an empty value; an array or object met again inside
 * itself as `'[Circular]'`, one past a record's 2^20 items as `'[Truncated]'`, a value (a member,
 * an item) that throws when read as `'[Throws: message]'` in its place. Never throws.
 */
export function toAnyValue(value: unknown, depth = 0): OtlpAnyValue {
  itemsLeft = MAX_ITEMS;
  startUnreadable();
  return JSON.parse(anyValueJson(value, depth)) as OtlpAnyValue;
}

/**
 * Properties as OTLP attributes, in their order; undefined values are left out, a value that
 * throws when read is `'[Throws: message]'`, properties whose keys cannot be listed are one
 * `rxlog.unreadable` attribute. Never throws.
 */
export function toKeyValues(properties: Readonly<Record<string, unknown>>, depth = 0): OtlpKeyValue[] {
  return JSON.parse(`[${keyValuesJson(properties, depth, noSkip)}]`) as OtlpKeyValue[];
}

/**
 * `JSON.stringify(toAnyValue(value, depth))`, written straight to text: a batch body is built
 * without an object per value (about a third less CPU and garbage per OTLP batch). `key` is what a
 * `toJSON` is given (the member's name, the item's index, `''` at the top); `json` says `value` is
 * what one returned, whose own toJSON is not called. Never throws.
 */
export function anyValueJson(value: unknown, depth = 0, key: string | number = '', json = false): string {
  switch (typeof value) {
    case 'string':
      return stringValueJson(value);
    case 'boolean':
      return `{"boolValue":${value}}`;
    case 'number':
      // proto3 JSON writes NaN and ±Infinity as strings, as jsonNumber does.
      return Number.isSafeInteger(value) ? `{"intValue":"${value}"}` : `{"doubleValue":${jsonNumber(value)}}`;
    case 'bigint':
      // intValue is an int64: a bigint beyond it keeps its digits as a string value.
      return value >= INT64_MIN && value <= INT64_MAX ? `{"intValue":"${value}"}` : stringValueJson(value.toString());
    case 'undefined':
      return '{}';
    case 'object':
      return value === null ? '{}' : structureJson(value, depth, key, json);
    case 'function':
      // Never its source code (String(fn)): the marker CLEF's writer writes.
      return '{"stringValue":"[Function]"}';
    default:
      // A symbol: String() reads its description slot, no member, so it cannot throw.
      return stringValueJson(String(value));
  }
}

/**
 * The members of a JSON array of OTLP attributes (without the brackets), in property order;
 * undefined values and the keys `skip` names are left out. Each value on its own: one that throws
 * when read is `'[Throws: message]'` under its key, and the others are written; for a record's
 * attributes (not a map inside one), one SelfLog report says how many could not be read. Never throws.
 */
export function keyValuesJson(
  properties: Readonly<Record<string, unknown>>,
  depth: number,
  skip: (key: string) => boolean,
): string {
  // A record's (or resource's) attributes, not a map inside one: the budget and the report are the record's.
  const outer = ancestors.length === 0;
  if (outer) {
    itemsLeft = MAX_ITEMS;
    startUnreadable();
  }
  let out = '';
  let keys: string[] = [];
  try {
    keys = Object.keys(properties);
  } catch (error) {
    out = `{"key":"rxlog.unreadable","value":${stringValueJson(unreadableMarker(error))}}`;
  }
  let written: Set<string> | undefined;
  if (outer) mergedKeys = 0;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    if (skip(key)) continue;
    const value = readValue(properties, key);
    if (value === undefined) continue;
    const name = quoteJson(key);
    // Keys MUST be unique (common.proto), and a lone surrogate is written as U+FFFD: of keys that
    // are one once written, the first is sent (a record counts the others as dropped).
    if (name.includes('\ufffd') && (written ??= new Set()).size === written.add(name).size) {
      if (outer) mergedKeys++;
      continue;
    }
    out += `${out === '' ? '' : ','}{"key":${name},"value":${anyValueJson(value, depth, key)}}`;
  }
  if (outer) reportUnreadable();
  return out;
}

/** How many keys the last {@link keyValuesJson} of a record left out as the same key as an earlier one, once written. */
export let mergedKeys = 0;

/**
 * `source[key]`, or when reading it throws (a getter, a Proxy trap), its `'[Throws: message]'`
 * marker: each value on its own, so one that throws is its marker and the rest are written. Never throws.
 */
export function readValue(source: object, key: string | number): unknown {
  try {
    return (source as Record<string | number, unknown>)[key];
  } catch (error) {
    return unreadableMarker(error);
  }
}

/** The one SelfLog report of a record whose values could not be read (none when all could). Never throws. */
export function reportUnreadable(): void {
  const count = unreadableCount();
  if (count > 0)
    SelfLog.write(
      'OpenTelemetry: {Count} unreadable value(s) of an event sent as markers, the first {Marker}',
      count,
      firstUnreadableMarker(),
    );
}

/**
 * `{"stringValue":…}` for a string. An event built in JavaScript may give what is not one as its
 * message or template text: its String() text, since `{"stringValue":{}}` is no AnyValue and a
 * collector would reject the whole request. Throws only when that String() throws.
 */
export function stringValueJson(text: string): string {
  return `{"stringValue":${quoteJson(String(text))}}`;
}

/** A `skip` for {@link keyValuesJson} that keeps every key. */
export function noSkip(): boolean {
  return false;
}

/**
 * What JSON.stringify writes for `value` (an object never captured: capture does the same), neither
 * a Date, an Error, an array nor a typed array: what its `toJSON(key)` returns (a URL its text, not
 * an empty map), a box's primitive (read from its slot), else `value` itself. The caller converts a
 * result other than `value` without calling its own toJSON, as JSON.stringify does. Throws what the
 * toJSON throws.
 */
export function jsonForm(value: object, key: string | number): unknown {
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  return unbox(typeof toJSON === 'function' ? toJSON.call(value, `${key}`) : value);
}

function structureJson(value: object, depth: number, key: string | number, json: boolean): string {
  if (depth >= MAX_DEPTH) return '{"stringValue":"[MaxDepth]"}';
  if (ancestors.includes(value)) return '{"stringValue":"[Circular]"}';
  ancestors.push(value);
  try {
    // Any realm's Date (a vm context's, an iframe's): an invalid one is "Invalid Date", as this realm's.
    if (isDate(value)) return `{"stringValue":${jsonDate(value)}}`;
    if (value instanceof Error) return stringValueJson(exceptionText(value));
    const bytes = value instanceof Uint8Array;
    // A typed array is a list of its numbers, as capture makes it: counted by its length, never by its keys.
    const array = Array.isArray(value) || value instanceof TYPED_ARRAY;
    if (!json && !bytes && !array) {
      const result = jsonForm(value, key);
      if (result !== value) return anyValueJson(result, depth, key, true);
    }
    // Read once and made a number: a Proxy's length may change between reads, or be NaN or
    // negative (which would unbound the budget), and the loops go no further than counted.
    const length = array ? +(value as ArrayLike<unknown>).length : Object.keys(value).length;
    if (!(length >= 0 && (itemsLeft -= length) >= 0)) return '{"stringValue":"[Truncated]"}';
    if (bytes) {
      // bytes_value, which OTLP/JSON writes in base64 (as the SDK writes a Uint8Array, a Buffer too); a byte is an item.
      let text = '';
      for (let i = 0; i < length; i++) text += String.fromCharCode(value[i]);
      return `{"bytesValue":"${btoa(text)}"}`;
    }
    if (!array) return `{"kvlistValue":{"values":[${keyValuesJson(value as Record<string, unknown>, depth + 1, noSkip)}]}}`;
    let out = '';
    for (let i = 0; i < length; i++) {
      // A hole reads as undefined: the empty AnyValue. null is no AnyValue (protojson rejects it in a list).
      out += `${i === 0 ? '' : ','}${anyValueJson(readValue(value, i), depth + 1, i)}`;
    }
    return `{"arrayValue":{"values":[${out}]}}`;
  } catch (error) {
    return stringValueJson(unreadableMarker(error));
  } finally {
    ancestors.pop();
  }
}
