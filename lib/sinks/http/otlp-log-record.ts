import type { LogEvent } from '../../core/log-event';
import type { LogLevelName } from '../../core/log-level';
import {
  isSpanIdText,
  isTraceIdText,
  isZeroId,
  SPAN_ID_PROPERTY,
  TRACE_FLAGS_PROPERTY,
  TRACE_ID_PROPERTY,
} from '../../core/trace-context';
import { exceptionText } from '../../formatting/exception-text';
import { formatLevel } from '../../formatting/format-level';
import { eventTimeMs } from '../../templates/log-event-record';
import { unixNanos } from './http-unix-nanos';
import { type OtlpAnyValue, type OtlpKeyValue, toKeyValues } from './otlp-any-value';
import { readErrorField, renderMessageSafely } from '../../formatting/safe-event-text';

/** One OTLP `LogRecord` in the OTLP/JSON encoding. */
export interface OtlpLogRecord {
  timeUnixNano: string;
  observedTimeUnixNano: string;
  severityNumber: number;
  severityText: string;
  body: OtlpAnyValue;
  attributes: OtlpKeyValue[];
  /** 32 lower-case hex digits (OTLP/JSON writes the 16 bytes as hex). */
  traceId?: string;
  /** 16 lower-case hex digits. */
  spanId?: string;
  /** W3C trace flags (bits 0-7). */
  flags?: number;
}

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
 * An event as an OTLP log record: the rendered message as the body, the level as severity
 * (text in Serilog's names), every property as an attribute, the template as
 * `message_template.text`, an exception as `exception.type`, `exception.message` and
 * `exception.stacktrace`. The trace context properties (`TraceId`: 32 lower-case hex digits,
 * `SpanId`: 16, `TraceFlags`: an integer 0-255) become the record's `traceId`, `spanId` and `flags`
 * instead of attributes; an all-zero id is invalid in OTLP and is sent neither way, and a span id
 * or flags without a valid trace id stay attributes. `timeUnixNano` is the event's time (0, OTLP's
 * "unknown", for a time before 1970 or an invalid one); `observedTimeUnixNano` is the same time,
 * or the time of conversion when the event's time is unknown. Never throws.
 */
export function toOtlpLogRecord(event: LogEvent): OtlpLogRecord {
  const properties = event.properties;
  const traceId = properties[TRACE_ID_PROPERTY];
  const spanId = properties[SPAN_ID_PROPERTY];
  const flags = properties[TRACE_FLAGS_PROPERTY];
  const zeroTrace = isTraceIdText(traceId) && isZeroId(traceId);
  const traced = isTraceIdText(traceId) && !zeroTrace;
  const zeroSpan = isSpanIdText(spanId) && isZeroId(spanId);
  const spanned = traced && isSpanIdText(spanId) && !zeroSpan;
  const flagged = traced && typeof flags === 'number' && Number.isInteger(flags) && flags >= 0 && flags <= 0xff;
  let attributes = toKeyValues(properties);
  if (zeroTrace || traced || zeroSpan || flagged) {
    attributes = attributes.filter(
      (a) =>
        !(
          (a.key === TRACE_ID_PROPERTY && (traced || zeroTrace)) ||
          (a.key === SPAN_ID_PROPERTY && (spanned || zeroSpan || zeroTrace)) ||
          (a.key === TRACE_FLAGS_PROPERTY && (flagged || zeroTrace))
        ),
    );
  }
  const time = eventTime(event);
  const known = Number.isFinite(time) && time >= 0;
  const record: OtlpLogRecord = {
    timeUnixNano: known ? unixNanos(new Date(time)) : '0',
    observedTimeUnixNano: unixNanos(new Date(known ? time : Date.now())),
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- events read back from JSON or built in JavaScript can carry a level outside LogLevelName
    severityNumber: OTLP_SEVERITY[event.level] ?? 0,
    severityText: formatLevel(event.level),
    body: { stringValue: renderMessageSafely(event) },
    attributes,
  };
  if (traced) record.traceId = traceId;
  if (spanned) record.spanId = spanId;
  if (flagged) record.flags = flags;
  record.attributes.push({ key: 'message_template.text', value: { stringValue: event.messageTemplate.text } });
  const exception = event.exception;
  if (exception !== undefined) {
    record.attributes.push(
      { key: 'exception.type', value: { stringValue: readErrorField(exception, 'name') ?? 'Error' } },
      { key: 'exception.message', value: { stringValue: readErrorField(exception, 'message') ?? '' } },
      { key: 'exception.stacktrace', value: { stringValue: exceptionText(exception) } },
    );
  }
  return record;
}

function eventTime(event: LogEvent): number {
  try {
    return eventTimeMs(event);
  } catch {
    return Number.NaN;
  }
}
