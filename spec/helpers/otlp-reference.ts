import type { LogEvent } from '../../lib/core/log-event';
import {
  isSpanIdText,
  isTraceIdText,
  isZeroId,
  SPAN_ID_PROPERTY,
  TRACE_FLAGS_PROPERTY,
  TRACE_ID_PROPERTY,
} from '../../lib/core/trace-context';
import { exceptionText } from '../../lib/core/exception-text';
import { formatLevel } from '../../lib/formatting/format-level';
import { readErrorField, renderMessageSafely } from '../../lib/formatting/safe-event-text';
import { unixNanos } from '../../lib/sinks/http/http-unix-nanos';
import type { OtlpAnyValue, OtlpKeyValue } from '../../lib/sinks/http/otlp-any-value';
import { OTLP_MAX_TIME_MS, OTLP_SEVERITY, type OtlpLogRecord } from '../../lib/sinks/http/otlp-log-record';
import { eventTimeMs } from '../../lib/templates/log-event-record';

// A model of the OTLP/JSON mapping built from plain objects and serialized with JSON.stringify,
// the straightforward way: the sink's text writers must produce exactly its JSON.

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** The reference AnyValue of a captured value. */
export function referenceAnyValue(value: unknown, depth = 0, key: string | number = '', json = false): OtlpAnyValue {
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
      return value >= INT64_MIN && value <= INT64_MAX ? { intValue: value.toString() } : { stringValue: value.toString() };
    case 'undefined':
      return {};
    case 'object':
      return value === null ? {} : referenceStructure(value, depth, key, json);
    case 'function':
      return { stringValue: '[Function]' };
    default:
      try {
        return { stringValue: String(value) };
      } catch {
        return { stringValue: '[unprintable]' };
      }
  }
}

/** The reference attributes of a properties object. */
export function referenceKeyValues(properties: Readonly<Record<string, unknown>>, depth = 0): OtlpKeyValue[] {
  const out: OtlpKeyValue[] = [];
  try {
    for (const key of Object.keys(properties)) {
      const value = properties[key];
      if (value !== undefined) out.push({ key, value: referenceAnyValue(value, depth, key) });
    }
  } catch (error) {
    out.push({ key: 'rxlog.unreadable', value: { stringValue: exceptionText(error) } });
  }
  return out;
}

/** The objects whose reference value is being built: one met again inside itself is a cycle. */
const referenceAncestors: object[] = [];

/** The primitive a box (new Number(1), new String('a'), Object(1n)) holds, else the value. */
function referenceUnbox(value: unknown): unknown {
  for (const box of [Number, String, Boolean, BigInt, Symbol])
    if (value instanceof box) return (box.prototype as { valueOf(): unknown }).valueOf.call(value);
  return value;
}

function referenceStructure(value: object, depth: number, key: string | number, json: boolean): OtlpAnyValue {
  if (depth >= 32) return { stringValue: '[MaxDepth]' };
  if (referenceAncestors.includes(value)) return { stringValue: '[Circular]' };
  referenceAncestors.push(value);
  try {
    if (value instanceof Date) {
      const time = value.getTime();
      return { stringValue: time === time ? value.toISOString() : 'Invalid Date' };
    }
    // common.proto's bytes_value, which OTLP/JSON writes in base64 (a Buffer is a Uint8Array too).
    if (value instanceof Uint8Array)
      return { bytesValue: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
    // Any other typed array is the list of its numbers (a BigInt64Array's are bigints); a DataView is an object.
    if (Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView)))
      return {
        arrayValue: {
          values: Array.from(value as ArrayLike<unknown>, (item, index) => referenceAnyValue(item, depth + 1, index)),
        },
      };
    if (value instanceof Error) return { stringValue: exceptionText(value) };
    // As JSON.stringify: what toJSON(key) returns (its own toJSON not called), a box's primitive.
    if (!json) {
      const toJSON = (value as { toJSON?: unknown }).toJSON;
      const result = referenceUnbox(
        typeof toJSON === 'function' ? (toJSON as (key: string) => unknown).call(value, `${key}`) : value,
      );
      if (result !== value) return referenceAnyValue(result, depth, key, true);
    }
    return { kvlistValue: { values: referenceKeyValues(value as Record<string, unknown>, depth + 1) } };
  } catch (error) {
    return { stringValue: `[unreadable: ${exceptionText(error)}]` };
  } finally {
    referenceAncestors.pop();
  }
}

/** The reference log record of an event. */
export function referenceLogRecord(event: LogEvent): OtlpLogRecord {
  const properties = event.properties;
  const traceId = properties[TRACE_ID_PROPERTY];
  const spanId = properties[SPAN_ID_PROPERTY];
  const flags = properties[TRACE_FLAGS_PROPERTY];
  const zeroTrace = isTraceIdText(traceId) && isZeroId(traceId);
  const traced = isTraceIdText(traceId) && !zeroTrace;
  const zeroSpan = isSpanIdText(spanId) && isZeroId(spanId);
  const spanned = traced && isSpanIdText(spanId) && !zeroSpan;
  const flagged = traced && typeof flags === 'number' && Number.isInteger(flags) && flags >= 0 && flags <= 0xff;
  const exception = event.exception;
  const ownKeys = ['', 'message_template.text'];
  if (exception !== undefined) ownKeys.push('exception.type', 'exception.message', 'exception.stacktrace');
  const all = referenceKeyValues(properties);
  const attributes = all.filter(
    (a) =>
      !(
        ownKeys.includes(a.key) ||
        (a.key === TRACE_ID_PROPERTY && (traced || zeroTrace)) ||
        (a.key === SPAN_ID_PROPERTY && (spanned || zeroSpan || zeroTrace)) ||
        (a.key === TRACE_FLAGS_PROPERTY && (flagged || zeroTrace))
      ),
  );
  let time: number;
  try {
    time = eventTimeMs(event);
  } catch {
    time = Number.NaN;
  }
  const known = Number.isFinite(time) && time >= 0 && time <= OTLP_MAX_TIME_MS;
  const record: OtlpLogRecord = {
    timeUnixNano: known ? unixNanos(new Date(time)) : '0',
    observedTimeUnixNano: unixNanos(new Date(known ? time : Date.now())),
    severityNumber: OTLP_SEVERITY[event.level] ?? 0,
    severityText: formatLevel(event.level),
    body: { stringValue: renderMessageSafely(event) },
    attributes,
  };
  if (traced) record.traceId = traceId;
  if (spanned) record.spanId = spanId;
  if (flagged) record.flags = flags;
  // Properties left out because the record writes their key itself, or the key is empty.
  const dropped = all.filter((a) => ownKeys.includes(a.key)).length;
  if (dropped > 0) record.droppedAttributesCount = dropped;
  record.attributes.push({ key: 'message_template.text', value: { stringValue: event.messageTemplate.text } });
  if (exception !== undefined) {
    const message = readErrorField(exception, 'message') ?? '';
    record.attributes.push({ key: 'exception.type', value: { stringValue: readErrorField(exception, 'name') || 'Error' } });
    if (message !== '') record.attributes.push({ key: 'exception.message', value: { stringValue: message } });
    record.attributes.push({ key: 'exception.stacktrace', value: { stringValue: exceptionText(exception) } });
  }
  return record;
}
