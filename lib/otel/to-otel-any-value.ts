import type { AnyValue, AnyValueMap } from '@opentelemetry/api-logs';
import { exceptionText } from '../formatting/exception-text';

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

/**
 * A captured property value as an OpenTelemetry `AnyValue`: strings, numbers and booleans as
 * they are, a bigint as a number when it is a safe integer (else its decimal text), arrays as
 * arrays, plain objects as maps (undefined members left out), a Date as its ISO string, an Error
 * as its text, null as null; an array or object met again inside itself as `'[Circular]'`, one
 * past a record's 2^20 items as `'[Truncated]'`. Never throws.
 */
export function toOtelAnyValue(value: unknown, depth = 0): AnyValue {
  itemsLeft = MAX_ITEMS;
  return anyValue(value, depth);
}

function anyValue(value: unknown, depth: number): AnyValue {
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return value;
    case 'bigint':
      return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
        ? Number(value)
        : value.toString();
    case 'undefined':
      return undefined;
    case 'object':
      return value === null ? null : structure(value, depth);
    default:
      return safeString(value);
  }
}

/** Properties as an OpenTelemetry attribute map, in their order; undefined values are left out. Never throws. */
export function toOtelAttributes(
  properties: Readonly<Record<string, unknown>>,
  depth = 0,
  skip?: ReadonlySet<string>,
): AnyValueMap {
  const out: AnyValueMap = {};
  if (depth === 0) itemsLeft = MAX_ITEMS;
  try {
    for (const key of Object.keys(properties)) {
      if (skip?.has(key) === true) continue;
      const value = properties[key];
      if (value !== undefined) define(out, key, anyValue(value, depth));
    }
  } catch (error) {
    define(out, 'rxlog.unreadable', exceptionText(error));
  }
  return out;
}

// A property named __proto__ is an ordinary key, never the map's prototype.
function define(map: AnyValueMap, key: string, value: AnyValue): void {
  Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
}

function structure(value: object, depth: number): AnyValue {
  if (depth >= MAX_DEPTH) return '[MaxDepth]';
  if (ancestors.includes(value)) return '[Circular]';
  ancestors.push(value);
  try {
    if (value instanceof Date) {
      const time = value.getTime();
      return time === time ? value.toISOString() : 'Invalid Date';
    }
    if (value instanceof Error) return exceptionText(value);
    if (value instanceof Uint8Array) return value;
    const array = Array.isArray(value);
    if ((itemsLeft -= array ? value.length : Object.keys(value).length) < 0) return '[Truncated]';
    if (array) return value.map((item: unknown) => anyValue(item, depth + 1) ?? null);
    return toOtelAttributes(value as Record<string, unknown>, depth + 1);
  } catch (error) {
    return `[unreadable: ${exceptionText(error)}]`;
  } finally {
    ancestors.pop();
  }
}

function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return '[unprintable]';
  }
}
