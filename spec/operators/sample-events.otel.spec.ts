import { context, propagation, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
// sdk-trace-node re-exports sdk-trace-base's samplers: the TraceIdRatioBasedSampler apps configure.
import {
  InMemorySpanExporter,
  NodeTracerProvider,
  ParentBasedSampler,
  RandomIdGenerator,
  SamplingDecision,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-node';
import { Subject } from 'rxjs';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import type { LogEvent } from '../../lib/core/log-event';
import { SAMPLE_REASON, sampleEvents, type SampleEventsOptions } from '../../lib/operators/sample-events';
import { traceContextEnricher } from '../../lib/otel/trace-context-enricher';
import { MemorySink } from '../../lib/sinks/memory-sink';
import { makeEvent } from '../helpers/events';
import { collectSelfLog } from '../helpers/self-log';

/** The trace ids the real SDK sampler at `ratio` samples, in the order given. */
function sdkSampled(ratio: number, traceIds: readonly string[]): string[] {
  const sampler = new TraceIdRatioBasedSampler(ratio);
  return traceIds.filter(
    (traceId) => sampler.shouldSample(ROOT_CONTEXT, traceId).decision === SamplingDecision.RECORD_AND_SAMPLED,
  );
}

/** The trace ids whose event sampleEvents keeps, one event per id, in the order given. */
function keptBy(options: SampleEventsOptions, traceIds: readonly unknown[]): unknown[] {
  const source = new Subject<LogEvent>();
  const kept: unknown[] = [];
  source.pipe(sampleEvents(options)).subscribe((event) => kept.push(event.properties.TraceId));
  for (const traceId of traceIds) source.next(makeEvent({ properties: { TraceId: traceId } }));
  return kept;
}

/** A trace id whose four 32-bit words XOR to `words` (its first word 1, so never all zero). */
function idWithWords(words: number): string {
  return `00000001${'0'.repeat(16)}${((words ^ 1) >>> 0).toString(16).padStart(8, '0')}`;
}

// The real OpenTelemetry SDK (@opentelemetry/sdk-trace-base's TraceIdRatioBasedSampler and a
// registered NodeTracerProvider): rxlog's decision is compared with the sampler's, id by id.
describe('sampleEvents with OpenTelemetry trace sampling', () => {
  const generator = new RandomIdGenerator();
  const randomIds = Array.from({ length: 5_000 }, () => generator.generateTraceId());
  const ratios = [0, 2 ** -32, 0.001, 0.1, 0.25, 1 / 3, 0.5, 0.9, 1 - 2 ** -33, 1];

  it('keeps, with keyHash "traceidratio", exactly the traces TraceIdRatioBasedSampler samples at the same ratio', () => {
    for (const ratio of ratios) {
      const bound = ratio * 0xffffffff;
      // Ids on both sides of the sampler's bound, its extremes, and upper-case ids (which the SDK reads as their lower case).
      const edges = [
        Math.floor(bound) - 1,
        Math.floor(bound),
        Math.ceil(bound),
        Math.floor(bound) + 1,
        0,
        1,
        0xfffffffe,
        0xffffffff,
      ]
        .filter((words) => words >= 0 && words <= 0xffffffff)
        .map(idWithWords);
      const ids = [...randomIds, ...edges, ...randomIds.slice(0, 500).map((id) => id.toUpperCase())];
      const expected = sdkSampled(ratio, ids);
      expect({
        ratio,
        kept: keptBy({ rate: ratio, key: 'TraceId', keyHash: 'traceidratio', keepWhen: () => false }, ids),
      }).toEqual({
        ratio,
        kept: expected,
      });
    }
    // Not vacuous: at 0.1 the sampler keeps about a tenth of the random ids.
    expect(sdkSampled(0.1, randomIds).length).toBeGreaterThan(400);
    expect(sdkSampled(0.1, randomIds).length).toBeLessThan(600);
  });

  it('keeps other traces than the SDK with the default keyHash, its own hash', () => {
    // The reason keyHash "traceidratio" exists: at the same 10%, most traces with logs have no spans.
    const bySdk = new Set<unknown>(sdkSampled(0.1, randomIds));
    const byHash = keptBy({ rate: 0.1, key: 'TraceId', keepWhen: () => false }, randomIds);
    expect(byHash.filter((id) => bySdk.has(id)).length).toBeLessThan(byHash.length / 4);
  });

  it('samples the all-zero id at random, and hashes another value that is no trace id as keyHash "fnv1a" does, told to SelfLog once', () => {
    const zero = '0'.repeat(32);
    const notIds = ['abc', `${'0'.repeat(31)}g`, ` ${'1'.repeat(32)}`, '1'.repeat(33), 'f47ac10b-58cc-4372-a567-0e02b2c3d479'];
    // The SDK samples none of them, but it never makes a span with one either: such an event was logged outside
    // any trace the SDK decided on. The all-zero id is W3C's "no trace", shared by every untraced event, so it is
    // no key (hashed, every such event would be kept or dropped at once); another value (a request id where no
    // traceparent came) keeps its events together, as the default hash does.
    for (const id of [zero, ...notIds]) expect(sdkSampled(1, [id])).toEqual([]);
    const { diagnostics, stop } = collectSelfLog();
    try {
      const draws = [0.2, 0.8];
      const zeros = keptBy({ rate: 0.5, key: 'TraceId', keyHash: 'traceidratio', random: () => draws.shift() ?? 0.9 }, [
        zero,
        zero,
      ]);
      expect(zeros).toEqual([zero]);
      const ids = [...notIds, ...notIds, 42];
      for (const rate of [0.1, 0.5, 0.9]) {
        const options = { rate, key: 'TraceId', keepWhen: () => false, random: () => 0 };
        expect(keptBy({ ...options, keyHash: 'traceidratio' }, ids)).toEqual(keptBy(options, ids));
      }
      expect(diagnostics.map((d) => d.message)).toEqual(
        Array.from({ length: 3 }, () =>
          expect.stringContaining(
            'sampleEvents: the key value "abc" is no trace id; such values are hashed as keyHash "fnv1a" does',
          ),
        ),
      );
    } finally {
      stop();
    }
  });

  describe('under a registered NodeTracerProvider', () => {
    const exporter = new InMemorySpanExporter();
    const provider = new NodeTracerProvider({
      // Remote parents' own decisions are followed; root spans are sampled at 25% by trace id.
      sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(0.25) }),
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    beforeAll(() => provider.register());
    afterAll(async () => {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    });

    it('keeps the logs of exactly the traces whose spans are exported, by trace id or by the sampled flag', async () => {
      const hashed = new MemorySink();
      const flagged = new MemorySink();
      const log = new LoggerConfiguration().enrich
        .with(traceContextEnricher())
        .writeTo.sink(hashed, { name: 'hashed', pipe: [sampleEvents({ rate: 0.25, key: 'TraceId', keyHash: 'traceidratio' })] })
        .writeTo.sink(flagged, { name: 'flagged', pipe: [sampleEvents({ rate: 0, keepSampledTraces: true })] })
        .createLogger();
      const tracer = provider.getTracer('spec');
      for (let n = 0; n < 400; n++) {
        tracer.startActiveSpan(`request ${n}`, (span) => {
          log.information('Handling request {N}', n);
          span.end();
        });
      }
      const exported = new Set(exporter.getFinishedSpans().map((span) => span.spanContext().traceId));
      expect(exported.size).toBeGreaterThan(60);
      expect(exported.size).toBeLessThan(140);
      const traces = (sink: MemorySink): Set<unknown> => new Set(sink.events.map((e) => e.properties.TraceId));
      expect(traces(hashed)).toEqual(exported);
      expect(traces(flagged)).toEqual(exported);
      expect(log.metrics().sinks.flagged).toMatchObject({ delivered: exported.size, dropped: 400 - exported.size });
      expect(log.metrics().sinks.flagged?.droppedBy).toEqual({ [SAMPLE_REASON]: 400 - exported.size });
      await log.close();
    });

    it('follows, with keepSampledTraces, a remote parent’s decision where the trace id alone would decide otherwise', async () => {
      exporter.reset();
      const flagged = new MemorySink();
      const hashed = new MemorySink();
      const log = new LoggerConfiguration().enrich
        .with(traceContextEnricher())
        .writeTo.sink(flagged, { name: 'flagged', pipe: [sampleEvents({ rate: 0, keepSampledTraces: true })] })
        .writeTo.sink(hashed, { name: 'hashed', pipe: [sampleEvents({ rate: 0.25, key: 'TraceId', keyHash: 'traceidratio' })] })
        .createLogger();
      const propagator = new W3CTraceContextPropagator();
      const tracer = provider.getTracer('spec');
      // An upstream service sampled the first trace and not the second; the ratio alone keeps the second, not the first.
      const [keptUpstream] = randomIds.filter((id) => sdkSampled(0.25, [id]).length === 0);
      const [droppedUpstream] = sdkSampled(0.25, randomIds);
      for (const [traceId, flags] of [
        [keptUpstream, '01'],
        [droppedUpstream, '00'],
      ] as const) {
        const parent = propagator.extract(
          ROOT_CONTEXT,
          { traceparent: `00-${traceId}-00f067aa0ba902b7-${flags}` },
          {
            get: (carrier, key) => carrier[key as 'traceparent'],
            keys: (carrier) => Object.keys(carrier),
          },
        );
        tracer.startActiveSpan('handler', {}, parent, (span) => {
          log.information('Handled');
          span.end();
        });
      }
      expect(exporter.getFinishedSpans().map((span) => span.spanContext().traceId)).toEqual([keptUpstream]);
      expect(flagged.events.map((e) => [e.properties.TraceId, e.properties.TraceFlags])).toEqual([[keptUpstream, 1]]);
      expect(hashed.events.map((e) => e.properties.TraceId)).toEqual([droppedUpstream]);
      await log.close();
    });
  });
});
