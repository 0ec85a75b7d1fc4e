import { context, isSpanContextValid, trace } from '@opentelemetry/api';
import type { Enricher } from '../core/enricher';

/**
 * An enricher that adds the active OpenTelemetry span's ids to every event logged inside it:
 * `TraceId` (32 lower-case hex digits), `SpanId` (16) and `TraceFlags` (the W3C flags byte as a number: sampled when bit 0 is set; other bits kept),
 * read through `@opentelemetry/api`, so it works with whichever SDK the app registered. Outside
 * a span, or with an invalid (all-zero) span context, it adds nothing; an event that already
 * has a `TraceId`, `SpanId` or `TraceFlags` property (from a child logger, LogContext, an upstream
 * request, or a template hole given undefined) keeps its own and gets none of the active span's,
 * so ids and flags never mix two trace contexts. A non-recording
 * (unsampled) span's ids are added with its flags (0). CLEF writes these as `@tr`
 * and `@sp`, `OtlpSink` and `OpenTelemetrySink` as the record's trace context, and an output
 * template shows them as `{TraceId}` and `{SpanId}`.
 *
 * @example
 * ```ts fragment
 * new LoggerConfiguration().enrich.with(traceContextEnricher()).writeTo.console().createLogger();
 * ```
 */
export function traceContextEnricher(): Enricher {
  return function traceContext(event) {
    // Ids are added as a set or not at all: the active span's SpanId beside another trace's TraceId
    // (or the reverse) would name a span that trace does not have, and its ids beside another
    // context's TraceFlags would misstate whether it is sampled. An enricher never overwrites an
    // own property, even one whose value is undefined (a `{TraceId}` hole given undefined), so one
    // the event owns at all means none is added.
    const { properties } = event;
    if (Object.hasOwn(properties, 'TraceId') || Object.hasOwn(properties, 'SpanId') || Object.hasOwn(properties, 'TraceFlags'))
      return undefined;
    const span = trace.getSpan(context.active());
    if (span === undefined) return undefined;
    const spanContext = span.spanContext();
    if (!isSpanContextValid(spanContext)) return undefined;
    // The API takes upper-case hex as valid; rxlog's sinks (and W3C Trace Context) take lower case only.
    return {
      TraceId: spanContext.traceId.toLowerCase(),
      SpanId: spanContext.spanId.toLowerCase(),
      TraceFlags: spanContext.traceFlags,
    };
  };
}
