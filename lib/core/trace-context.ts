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
