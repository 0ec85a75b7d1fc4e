import { context, isSpanContextValid, trace } from '@opentelemetry/api';
import { checkOptionKeys } from '../core/check-option-keys';
import { readOptions } from '../core/read-options';
import type { Enricher } from '../core/enricher';
import { expectOption } from '../core/expect-option';

/** Options of {@link traceContextEnricher}. */
export interface TraceContextEnricherOptions {
  /**
   * Also adds the span context's W3C `tracestate`, when it has one, as `TraceState`: its header
   * text (`ot=th:4;rv:6e6d1a75832a2f,congo=t61rcWkgMzE`). `sampleEvents`' `keyHash: 'probability'`
   * reads the explicit randomness `rv` of its `ot` entry, as OpenTelemetry's consistent samplers do.
   * Off by default: a consistent sampler writes `ot=th:…` into the trace state of every span it
   * samples, and no log record has a field for it (CLEF writes it as a property, `OtlpSink` and
   * `OpenTelemetrySink` as an attribute). Default `false`.
   */
  traceState?: boolean | undefined;
}

/**
 * An enricher that adds the active OpenTelemetry span's ids to every event logged inside it:
 * `TraceId` (32 lower-case hex digits), `SpanId` (16) and `TraceFlags` (the W3C flags byte as a number: sampled when bit 0 is set; other bits kept),
 * and with `traceState: true` its `TraceState`,
 * read through `@opentelemetry/api`, so it works with whichever SDK the app registered. Outside
 * a span, or with an invalid (all-zero) span context, it adds nothing; an event that already
 * has a `TraceId`, `SpanId` or `TraceFlags` property (or `TraceState`, when it is asked for; from a child logger, LogContext, an upstream
 * request, or a template hole given undefined) keeps its own and gets none of the active span's,
 * so ids and flags never mix two trace contexts. A non-recording span's ids are added too, with
 * its flags: 0 when unsampled, 1 for a sampled remote parent (a `traceparent` extracted before a
 * server span starts). CLEF writes these as `@tr`
 * and `@sp`, `OtlpSink` and `OpenTelemetrySink` as the record's trace context, and an output
 * template shows them as `{TraceId}` and `{SpanId}`.
 *
 * @throws ConfigurationError when an option is unknown or `traceState` is not a boolean.
 * @example
 * ```ts fragment
 * new LoggerConfiguration().enrich.with(traceContextEnricher()).writeTo.console().createLogger();
 * ```
 */
export function traceContextEnricher(options: TraceContextEnricherOptions = {}): Enricher {
  // Read once: a getter or Proxy trap that throws is a ConfigurationError naming the option.
  const read = readOptions('traceContextEnricher', options, ['traceState']);
  checkOptionKeys('traceContextEnricher', read, ['traceState']);
  const withState: unknown = read.traceState ?? false;
  expectOption(typeof withState === 'boolean', 'traceContextEnricher: traceState', 'true or false', withState);
  return function traceContext(event) {
    // Ids are added as a set or not at all: the active span's SpanId beside another trace's TraceId
    // (or the reverse) would name a span that trace does not have, and its ids beside another
    // context's TraceFlags would misstate whether it is sampled. An enricher never overwrites an
    // own property, even one whose value is undefined (a `{TraceId}` hole given undefined), so one
    // the event owns at all means none is added.
    const { properties } = event;
    if (
      Object.hasOwn(properties, 'TraceId') ||
      Object.hasOwn(properties, 'SpanId') ||
      Object.hasOwn(properties, 'TraceFlags') ||
      (withState && Object.hasOwn(properties, 'TraceState'))
    )
      return undefined;
    const span = trace.getSpan(context.active());
    if (span === undefined) return undefined;
    const spanContext = span.spanContext();
    if (!isSpanContextValid(spanContext)) return undefined;
    // The API takes upper-case hex as valid; rxlog's sinks (and W3C Trace Context) take lower case only.
    const ids = {
      TraceId: spanContext.traceId.toLowerCase(),
      SpanId: spanContext.spanId.toLowerCase(),
      TraceFlags: spanContext.traceFlags,
    };
    // An empty trace state (every member dropped as invalid) is none: no property at all.
    const state = withState ? spanContext.traceState?.serialize() : undefined;
    return state ? { ...ids, TraceState: state } : ids;
  };
}
