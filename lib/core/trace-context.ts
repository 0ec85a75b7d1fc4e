/** The property that carries an event's W3C trace id: 32 lower-case hex digits. */
export const TRACE_ID_PROPERTY = 'TraceId';
/** The property that carries an event's W3C span id: 16 lower-case hex digits. */
export const SPAN_ID_PROPERTY = 'SpanId';
/** The property that carries an event's W3C trace flags: a number (the W3C flags byte: sampled when bit 0 is set). */
export const TRACE_FLAGS_PROPERTY = 'TraceFlags';

const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;
const ZEROS = /^0+$/;

/** Whether `value` is a trace id as W3C Trace Context writes it: 32 lower-case hex digits (all zeros included). */
export function isTraceIdText(value: unknown): value is string {
  return typeof value === 'string' && TRACE_ID.test(value);
}

/** Whether `value` is a span id as W3C Trace Context writes it: 16 lower-case hex digits (all zeros included). */
export function isSpanIdText(value: unknown): value is string {
  return typeof value === 'string' && SPAN_ID.test(value);
}

/** Whether a trace or span id is all zeros, which W3C Trace Context and OTLP define as invalid. */
export function isZeroId(value: string): boolean {
  return ZEROS.test(value);
}

// A later version may add fields after the flags (W3C Trace Context, "Versioning of traceparent").
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/**
 * A W3C `traceparent` header's trace id, parent (span) id and flags byte (every bit kept: sampled is
 * bit 0), or undefined when the header is absent or invalid (wrong shape, version `ff`, or an
 * all-zero trace or parent id). A version after `00` may carry more fields after the flags, which
 * are ignored, as the spec asks and OpenTelemetry's propagator does; version `00` has exactly four.
 */
export function parseTraceparent(header: string | undefined): { traceId: string; spanId: string; flags: number } | undefined {
  const match = header === undefined ? null : TRACEPARENT.exec(header.trim());
  if (match === null) return undefined;
  const [, version, traceId, spanId, flags, more] = match as unknown as [string, string, string, string, string, string?];
  if (version === 'ff' || (version === '00' && more !== undefined) || isZeroId(traceId) || isZeroId(spanId)) return undefined;
  return { traceId, spanId, flags: parseInt(flags, 16) };
}
