import type { LogEvent } from '../../core/log-event';
import { isLevelName, levelValue, type LogLevelName } from '../../core/log-level';
import {
  isSpanIdText,
  isTraceIdText,
  isZeroId,
  SPAN_ID_PROPERTY,
  TRACE_FLAGS_PROPERTY,
  TRACE_ID_PROPERTY,
} from '../../core/trace-context';
import { exceptionText } from '../../core/exception-text';
import { formatLevel } from '../../formatting/format-level';
import { readEventTimeMs, unixNanos } from './http-unix-nanos';
import { keyValuesJson, mergedKeys, type OtlpAnyValue, type OtlpKeyValue, readValue, stringValueJson } from './otlp-any-value';
import { readErrorField, renderMessageSafely } from '../../formatting/safe-event-text';
import { quoteJson } from '../../templates/safe-json';
import { SelfLog } from '../../core/self-log';

/** One OTLP `LogRecord` in the OTLP/JSON encoding. */
export interface OtlpLogRecord {
  timeUnixNano: string;
  observedTimeUnixNano: string;
  severityNumber: number;
  severityText: string;
  body: OtlpAnyValue;
  attributes: OtlpKeyValue[];
  /** 32 lower-case hex digits (OTLP/JSON writes the 16 bytes as hex). */
  traceId?: string | undefined;
  /** 16 lower-case hex digits. */
  spanId?: string | undefined;
  /** W3C trace flags (bits 0-7). */
  flags?: number | undefined;
  /** Properties not sent as attributes (see `toOtlpLogRecord`); left out when there are none. */
  droppedAttributesCount?: number | undefined;
}

/**
 * The last millisecond whose nanoseconds fit OTLP's `fixed64` timestamps (2^64 - 1 ns is
 * 2554-07-21T23:34:33.709551615Z): a later time would make a collector reject the whole request.
 */
export const OTLP_MAX_TIME_MS = 18_446_744_073_709;

/** OpenTelemetry's severity numbers: the first of each range (TRACE 1, DEBUG 5, INFO 9, WARN 13, ERROR 17, FATAL 21). */
export const OTLP_SEVERITY: Readonly<Record<LogLevelName, number>> = {
  verbose: 1,
  debug: 5,
  information: 9,
  warning: 13,
  error: 17,
  fatal: 21,
};

/**
 * A level's OpenTelemetry severity number; undefined for a level outside the six (an event read
 * back from JSON or built in JavaScript, even one named like an Object.prototype member).
 */
export function otlpSeverity(level: string): number | undefined {
  // As OTLP_SEVERITY lists them: the first number of each level's range of four.
  return isLevelName(level) ? levelValue(level) * 4 + 1 : undefined;
}

/**
 * An event as an OTLP log record: the rendered message as the body, the level as severity
 * (text in Serilog's names), every property as an attribute, the template as
 * `message_template.text`, an exception as `exception.type` (its name, `'Error'` when it has none),
 * `exception.message` (left out when empty) and `exception.stacktrace` (attribute keys are unique: a property of one of these names is not
 * sent when the record writes that key itself; nor is a property named `''`, as keys are non-empty; each
 * one left out counts in the record's `droppedAttributesCount`). The trace context properties (`TraceId`: 32 lower-case hex digits,
 * `SpanId`: 16, `TraceFlags`: an integer 0-255) become the record's `traceId`, `spanId` and `flags`
 * instead of attributes; an all-zero id is invalid in OTLP and is sent neither way, and a span id
 * or flags without a valid trace id stay attributes. `timeUnixNano` is the event's time (0, OTLP's
 * "unknown", for a time before 1970, past 2554-07-21 or an invalid one); `observedTimeUnixNano` is the same time,
 * or the time of conversion when the event's time is unknown. A property value that throws when
 * read (an event built in JavaScript, with a throwing getter or a Proxy) is `'[Throws: message]'`
 * in its place, and never the trace context (see `keyValuesJson`). An event whose other fields throw
 * when read is, as CompactJsonFormatter writes it, an
 * ERROR record `Unformattable event` at the time of conversion, with what it threw as its
 * exception, reported on SelfLog: the rest of its batch is sent. Never throws.
 */
export function toOtlpLogRecord(event: LogEvent): OtlpLogRecord {
  return JSON.parse(otlpLogRecordJson(event)) as OtlpLogRecord;
}

/**
 * `JSON.stringify(toOtlpLogRecord(event))`, written straight to text: what OtlpSink puts in its
 * request bodies, without an object per record and attribute. Never throws.
 */
export function otlpLogRecordJson(event: LogEvent): string {
  try {
    return recordJson(event);
  } catch (error) {
    SelfLog.write('An event could not be read for OTLP; it is sent as an unformattable event: {Error}', error);
    const now = unixNanos(new Date());
    return (
      `{"timeUnixNano":"${now}","observedTimeUnixNano":"${now}","severityNumber":17,"severityText":"Error"` +
      `,"body":{"stringValue":"Unformattable event"},"attributes":[${exceptionJson(error as Error)}]}`
    );
  }
}

function recordJson(event: LogEvent): string {
  const properties = event.properties;
  // Read as the attributes are: one that throws is its marker (never a trace id), not the record's end.
  const traceId = readValue(properties, TRACE_ID_PROPERTY);
  const spanId = readValue(properties, SPAN_ID_PROPERTY);
  const flags = readValue(properties, TRACE_FLAGS_PROPERTY);
  // A trace id in W3C form is never an attribute: a valid one is the record's, an all-zero one
  // is sent neither way, and takes the span id and flags with it.
  const traceText = isTraceIdText(traceId);
  const traced = traceText && !isZeroId(traceId);
  const zeroTrace = traceText && !traced;
  const spanText = isSpanIdText(spanId);
  const spanned = traced && spanText && !isZeroId(spanId);
  const flagged = traced && typeof flags === 'number' && Number.isInteger(flags) && flags >= 0 && flags <= 0xff;
  const skipSpan = spanned || zeroTrace || (spanText && isZeroId(spanId));
  const skipFlags = flagged || zeroTrace;
  const exception = event.exception;
  const ownKeys = exception === undefined ? isTemplateKey : isTemplateOrExceptionKey;
  recordProperties = properties;
  dropped = 0;
  // The common event carries no trace context: then no closure is made.
  let attributes = keyValuesJson(
    properties,
    0,
    traceText || skipSpan
      ? (key) =>
          ownKeys(key) ||
          (key === TRACE_ID_PROPERTY && traceText) ||
          (key === SPAN_ID_PROPERTY && skipSpan) ||
          (key === TRACE_FLAGS_PROPERTY && skipFlags)
      : ownKeys,
  );
  // Not kept past its record: a large event would stay in memory until the next one.
  recordProperties = NO_PROPERTIES;
  dropped += mergedKeys;
  attributes += `${attributes === '' ? '' : ','}{"key":"${TEMPLATE_KEY}","value":${stringValueJson(event.messageTemplate.text)}}`;
  if (exception !== undefined) attributes += `,${exceptionJson(exception)}`;
  const time = readEventTimeMs(event);
  // fixed64 nanoseconds: a time before 1970 or past 2554 cannot be written, so it is "unknown".
  const known = time >= 0 && time <= OTLP_MAX_TIME_MS;
  // A level outside LogLevelName is severity 0, unspecified, with its name as the text.
  const severity = otlpSeverity(event.level) ?? 0;
  let out =
    `{"timeUnixNano":"${known ? unixNanos(new Date(time)) : '0'}"` +
    `,"observedTimeUnixNano":"${unixNanos(new Date(known ? time : Date.now()))}"` +
    `,"severityNumber":${severity}` +
    `,"severityText":${quoteJson(formatLevel(event.level))}` +
    `,"body":${stringValueJson(renderMessageSafely(event))},"attributes":[${attributes}]`;
  if (traced) out += `,"traceId":"${traceId}"`;
  if (spanned) out += `,"spanId":"${spanId}"`;
  if (flagged) out += `,"flags":${flags}`;
  if (dropped > 0) out += `,"droppedAttributesCount":${dropped}`;
  return `${out}}`;
}

const TEMPLATE_KEY = 'message_template.text';

/**
 * An exception's attributes (without brackets). The conventions require exception.type or
 * exception.message: the type is always sent (an empty or missing name is 'Error'), and an empty
 * message is left out, as the SDK does. Never throws, whatever was thrown.
 */
function exceptionJson(exception: Error): string {
  const message = readErrorField(exception, 'message');
  return (
    `{"key":"exception.type","value":${stringValueJson(readErrorField(exception, 'name') || 'Error')}}` +
    (message ? `,{"key":"exception.message","value":${stringValueJson(message)}}` : '') +
    `,{"key":"exception.stacktrace","value":${stringValueJson(exceptionText(exception))}}`
  );
}

/** The properties of the record being written, and how many of them the skips below left out. */
const NO_PROPERTIES: Readonly<Record<string, unknown>> = {};
let recordProperties = NO_PROPERTIES;
let dropped = 0;

// Properties not sent as attributes: an empty key (an attribute key MUST be a non-empty string, and
// the OpenTelemetry SDK drops it), and, since keys MUST be unique (logs.proto), a key the record
// writes itself. Each one counts in droppedAttributesCount, so the collector's record shows the loss.
function isTemplateKey(key: string): boolean {
  return (key === '' || key === TEMPLATE_KEY) && leftOut(key);
}

function isTemplateOrExceptionKey(key: string): boolean {
  return (
    (key === '' ||
      key === TEMPLATE_KEY ||
      key === 'exception.type' ||
      key === 'exception.message' ||
      key === 'exception.stacktrace') &&
    leftOut(key)
  );
}

/** Counts a property left out (an undefined one is no attribute anyway); always true. Never throws. */
function leftOut(key: string): true {
  try {
    if (recordProperties[key] !== undefined) dropped++;
  } catch {
    // A value that throws when read would have been sent as its marker: it is left out all the same.
    dropped++;
  }
  return true;
}

/**
 * The instrumentation scope of an event's record: its `SourceContext` (the logger's name, as the
 * OpenTelemetry logs specification asks of bridges and Serilog's OpenTelemetry sink does), else
 * `fallback` (the sink's `scopeName`), also when it cannot be read. Never throws.
 */
export function otlpScopeName(event: LogEvent, fallback: string): string {
  try {
    const context = event.properties.SourceContext;
    return typeof context === 'string' && context !== '' ? context : fallback;
  } catch {
    return fallback;
  }
}
