import type { LogEvent } from '../../core/log-event';
import type { LogLevelName } from '../../core/log-level';
import { exceptionText } from '../../formatting/exception-text';
import { formatLevel } from '../../formatting/format-level';
import { unixNanos } from './http-unix-nanos';
import { type OtlpAnyValue, type OtlpKeyValue, toKeyValues } from './otlp-any-value';

/** One OTLP `LogRecord` in the OTLP/JSON encoding. */
export interface OtlpLogRecord {
  timeUnixNano: string;
  severityNumber: number;
  severityText: string;
  body: OtlpAnyValue;
  attributes: OtlpKeyValue[];
  traceId?: string;
  spanId?: string;
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

const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;

/**
 * An event as an OTLP log record: the rendered message as the body, the level as severity
 * (text in Serilog's names), every property as an attribute, the template as
 * `message_template.text`, an exception as `exception.type`, `exception.message` and
 * `exception.stacktrace`. A `TraceId` property of 32 lower-case hex digits and a `SpanId` of 16
 * become the record's `traceId` and `spanId` instead of attributes. Never throws.
 */
export function toOtlpLogRecord(event: LogEvent): OtlpLogRecord {
  const properties = event.properties;
  const traceId = properties.TraceId;
  const spanId = properties.SpanId;
  const correlated = typeof traceId === 'string' && TRACE_ID.test(traceId) && typeof spanId === 'string' && SPAN_ID.test(spanId);
  const attributes = toKeyValues(properties);
  const record: OtlpLogRecord = {
    timeUnixNano: unixNanos(event.timestamp),
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- events read back from JSON or built in JavaScript can carry a level outside LogLevelName
    severityNumber: OTLP_SEVERITY[event.level] ?? 0,
    severityText: formatLevel(event.level),
    body: { stringValue: renderSafely(event) },
    attributes: correlated ? attributes.filter((a) => a.key !== 'TraceId' && a.key !== 'SpanId') : attributes,
  };
  if (correlated) {
    record.traceId = traceId;
    record.spanId = spanId;
  }
  record.attributes.push({ key: 'message_template.text', value: { stringValue: event.messageTemplate.text } });
  const exception = event.exception;
  if (exception !== undefined) {
    record.attributes.push(
      { key: 'exception.type', value: { stringValue: readField(exception, 'name') ?? 'Error' } },
      { key: 'exception.message', value: { stringValue: readField(exception, 'message') ?? '' } },
      { key: 'exception.stacktrace', value: { stringValue: exceptionText(exception) } },
    );
  }
  return record;
}

function renderSafely(event: LogEvent): string {
  try {
    return event.renderMessage();
  } catch {
    return event.messageTemplate.text;
  }
}

function readField(error: Error, field: 'name' | 'message'): string | undefined {
  try {
    const value: unknown = error[field];
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a non-string name or message is rare; its String() form is the best we can send
    return typeof value === 'string' ? value : value === undefined ? undefined : String(value);
  } catch {
    return undefined;
  }
}
