import { exceptionText } from '../../formatting/exception-text';

/** An OTLP `AnyValue` in the OTLP/JSON encoding: exactly one field is set (none for null). */
export interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  /** A 64-bit integer, in decimal: OTLP/JSON writes int64 as a string. */
  intValue?: string;
  /** A double; NaN and ±Infinity as the strings `'NaN'`, `'Infinity'`, `'-Infinity'`, as proto3 JSON does. */
  doubleValue?: number | string;
  arrayValue?: { values: OtlpAnyValue[] };
  kvlistValue?: { values: OtlpKeyValue[] };
}

/** An OTLP attribute: a key and its value. */
export interface OtlpKeyValue {
  key: string;
  value: OtlpAnyValue;
}

/** Deepest nesting converted before a value is written as `'[MaxDepth]'`: captured data is far shallower. */
const MAX_DEPTH = 32;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * A captured property value as an OTLP `AnyValue`: strings, booleans, integers (`intValue`, also
 * for bigint), other numbers (`doubleValue`), arrays (`arrayValue`), objects (`kvlistValue`,
 * undefined members left out; a bigint outside int64 as a string), a Date as its ISO string,
 * null and undefined as an empty value.
 * Never throws.
 */
export function toAnyValue(value: unknown, depth = 0): OtlpAnyValue {
  switch (typeof value) {
    case 'string':
      return { stringValue: value };
    case 'boolean':
      return { boolValue: value };
    case 'number':
      if (Number.isSafeInteger(value)) return { intValue: String(value) };
      if (Number.isFinite(value)) return { doubleValue: value };
      return { doubleValue: value > 0 ? 'Infinity' : value < 0 ? '-Infinity' : 'NaN' };
    case 'bigint':
      // intValue is an int64: a bigint beyond it keeps its digits as a string value.
      return value >= INT64_MIN && value <= INT64_MAX ? { intValue: value.toString() } : { stringValue: value.toString() };
    case 'undefined':
      return {};
    case 'object':
      return value === null ? {} : structure(value, depth);
    default:
      return { stringValue: safeString(value) };
  }
}

/** Properties as OTLP attributes, in their order; undefined values are left out. Never throws. */
export function toKeyValues(properties: Readonly<Record<string, unknown>>, depth = 0): OtlpKeyValue[] {
  const out: OtlpKeyValue[] = [];
  try {
    for (const key of Object.keys(properties)) {
      const value = properties[key];
      if (value !== undefined) out.push({ key, value: toAnyValue(value, depth) });
    }
  } catch (error) {
    out.push({ key: 'rxlog.unreadable', value: { stringValue: exceptionText(error) } });
  }
  return out;
}

function structure(value: object, depth: number): OtlpAnyValue {
  if (depth >= MAX_DEPTH) return { stringValue: '[MaxDepth]' };
  try {
    if (value instanceof Date) {
      const time = value.getTime();
      return { stringValue: time === time ? value.toISOString() : 'Invalid Date' };
    }
    if (Array.isArray(value)) return { arrayValue: { values: value.map((item: unknown) => toAnyValue(item, depth + 1)) } };
    if (value instanceof Error) return { stringValue: exceptionText(value) };
    return { kvlistValue: { values: toKeyValues(value as Record<string, unknown>, depth + 1) } };
  } catch (error) {
    return { stringValue: `[unreadable: ${exceptionText(error)}]` };
  }
}

function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return '[unprintable]';
  }
}
