import { ROOT_CONTEXT, type Context, trace, TraceFlags } from '@opentelemetry/api';
import type { AnyValueMap, LogRecord, SeverityNumber } from '@opentelemetry/api-logs';
import type { LogEvent } from '../core/log-event';
import { wellFormed } from '../core/lone-surrogate';
import { SelfLog } from '../core/self-log';
import type { LogLevelName } from '../core/log-level';
import { isSpanIdText, isTraceIdText, isZeroId } from '../core/trace-context';
import { exceptionText } from '../core/exception-text';
import { formatLevel } from '../formatting/format-level';
import { readEventTimeMs } from '../sinks/http/http-unix-nanos';
import { readValue } from '../sinks/http/otlp-any-value';
import { OTLP_MAX_TIME_MS, otlpSeverity } from '../sinks/http/otlp-log-record';
import { addOtelAttributes } from './to-otel-any-value';
import { readErrorField, renderMessageSafely } from '../formatting/safe-event-text';
import { LogEventRecord } from '../templates/log-event-record';

const TRACE_PROPERTIES: ReadonlySet<string> = new Set(['TraceId', 'SpanId', 'TraceFlags']);
const TRACE_IDS: ReadonlySet<string> = new Set(['TraceId', 'SpanId']);
const ZERO_SPAN: ReadonlySet<string> = new Set(['SpanId']);

/**
 * An event as an OpenTelemetry `LogRecord` for `Logger.emit`: the rendered message as the body,
 * the level as `severityNumber` (Verbose 1 TRACE, Debug 5, Information 9, Warning 13, Error 17,
 * Fatal 21; none for another level) and `severityText` (Serilog's level name, else the level),
 * the event's timestamp (as the observed time too), every property as an attribute (structures as
 * maps and arrays; none for one named `''`: keys are non-empty), the template as `message_template.text`, an
 * exception as `exception.type` (its name, `'Error'` when it has none), `exception.message` (left
 * out when empty) and `exception.stacktrace`. A valid
 * `TraceId` / `SpanId` pair (with `TraceFlags`, an integer 0-255; other flags stay an attribute)
 * becomes the record's context, so the record
 * carries that trace and span; without one the record has none (the root context), whatever span
 * is active when the sink writes. An all-zero id is no id and no attribute (with the span id and
 * flags beside an all-zero trace id), as OtlpSink sends it. A property value that throws when read (an event built in
 * JavaScript, with a throwing getter or a Proxy) is `'[Throws: message]'` in its place, and never
 * the trace context (see `toOtelAttributes`). An event whose other fields throw when read is, as
 * CompactJsonFormatter writes it, an ERROR record
 * `Unformattable event` (its time left to the SDK) with what it threw as its exception, reported
 * on SelfLog: the rest of its batch is emitted. Never throws.
 */
export function toOtelLogRecord(event: LogEvent): LogRecord {
  try {
    return logRecord(event);
  } catch (error) {
    SelfLog.write('An event could not be read for OpenTelemetry; it is emitted as an unformattable event: {Error}', error);
    return {
      severityNumber: 17,
      severityText: 'Error',
      body: 'Unformattable event',
      attributes: exceptionAttributes({}, error as Error),
      context: ROOT_CONTEXT,
    };
  }
}

function logRecord(event: LogEvent): LogRecord {
  const properties = event.properties;
  const { context: spanContext, skipped: traceSkipped } = traceContextOf(properties);
  // The record's own attributes first: past the SDK's attribute count limit (128 by default) it
  // drops the last ones, which are then properties, never the template or the exception.
  // Strings, whatever an event built in JavaScript gives (an object's members would be dropped by the SDK).
  // U+FFFD for a lone surrogate, in every text of the record (see toOtelAnyValue).
  const own: AnyValueMap = { 'message_template.text': wellFormed(String(event.messageTemplate.text)) };
  const exception = event.exception;
  if (exception !== undefined) exceptionAttributes(own, exception);
  // Attribute keys are unique: a property named like one of the record's own is not sent (nor one
  // named '': see addOtelAttributes).
  const attributes = addOtelAttributes(
    own,
    properties,
    0,
    traceSkipped === undefined ? (key) => Object.hasOwn(own, key) : (key) => Object.hasOwn(own, key) || traceSkipped.has(key),
  );
  // Set name by name on one fresh object, not spread from parts: V8 adds names to an object a
  // spread made on a slow path (several microseconds per record).
  const record: LogRecord = {};
  setTimes(record, event);
  setSeverity(record, event.level);
  record.body = wellFormed(String(renderMessageSafely(event)));
  record.attributes = attributes;
  record.context = spanContext ?? ROOT_CONTEXT;
  return record;
}

/**
 * Sets an exception's attributes on `attributes` and returns it. The conventions require
 * exception.type or exception.message: the type is always set, and an empty message is left out,
 * as the SDK's own LogRecord leaves it out. Never throws, whatever was thrown.
 */
function exceptionAttributes(attributes: AnyValueMap, exception: Error): AnyValueMap {
  attributes['exception.type'] = wellFormed(readErrorField(exception, 'name') || 'Error');
  const message = readErrorField(exception, 'message');
  if (message) attributes['exception.message'] = wellFormed(message);
  attributes['exception.stacktrace'] = wellFormed(exceptionText(exception));
  return attributes;
}

/**
 * The event's time as both the record's time and its observed time: rxlog observed the event when
 * it was logged, not when a batching sink handed it over (OtlpSink and pino's OpenTelemetry
 * instrumentation do the same). An invalid time is left to the SDK, which uses the time of `emit`;
 * so is one OTLP's fixed64 nanoseconds cannot carry (before 1970, after 2554-07-21), which the SDK
 * would export as is and a collector would refuse, with the whole request.
 */
function setTimes(record: LogRecord, event: LogEvent): void {
  // Read as OtlpSink reads it: an app operator's spread copy of a record keeps only its `timeMs`, a
  // Date of another realm fails `instanceof`, and a time that throws when read is unknown (NaN).
  const time = readEventTimeMs(event);
  // NaN fails both comparisons.
  if (time >= 0 && time <= OTLP_MAX_TIME_MS) {
    // A Date of this realm: the SDK reads an early number of milliseconds (before about 1994) as a
    // performance.now() offset, and throws at a Date of another realm. A record's own is made once.
    const timestamp = event instanceof LogEventRecord ? event.timestamp : new Date(time);
    record.timestamp = timestamp;
    record.observedTimestamp = timestamp;
  }
}

/** Severity number and text; a level outside the six has no number, and its name as the text. */
function setSeverity(record: LogRecord, level: LogLevelName): void {
  const severity: SeverityNumber | undefined = otlpSeverity(level);
  const severityText = wellFormed(formatLevel(level));
  if (severity !== undefined) record.severityNumber = severity;
  record.severityText = severityText;
}

/**
 * The record's context from a valid `TraceId` / `SpanId` pair, and the trace properties that are
 * then no attributes: all three with a context (the ids alone when `TraceFlags` is no integer
 * 0-255: it stays an attribute, and the context is unsampled); as OtlpSink sends them, an all-zero trace id (no
 * trace) with the span id and flags that came with it, and an all-zero span id. A valid trace id
 * without a valid span id stays an attribute: the SDK's context cannot carry it alone.
 */
function traceContextOf(properties: Readonly<Record<string, unknown>>): {
  context: Context | undefined;
  skipped: ReadonlySet<string> | undefined;
} {
  // Read as the attributes are: one that throws is its marker (never an id), not the record's end.
  const traceId = readValue(properties, 'TraceId');
  const spanId = readValue(properties, 'SpanId');
  const traceText = isTraceIdText(traceId);
  const zeroSpan = isSpanIdText(spanId) && isZeroId(spanId);
  if (traceText && isZeroId(traceId)) return { context: undefined, skipped: TRACE_PROPERTIES };
  if (!traceText || !isSpanIdText(spanId) || zeroSpan) return { context: undefined, skipped: zeroSpan ? ZERO_SPAN : undefined };
  const flags = readValue(properties, 'TraceFlags');
  // Flags that are no flags byte ('01' text, an app's own value) stay an attribute, as OtlpSink sends them.
  const byte = typeof flags === 'number' && Number.isInteger(flags) && flags >= 0 && flags <= 255;
  return {
    context: trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags: byte ? flags : TraceFlags.NONE }),
    skipped: byte ? TRACE_PROPERTIES : TRACE_IDS,
  };
}
