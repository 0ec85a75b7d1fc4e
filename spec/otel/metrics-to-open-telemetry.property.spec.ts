import fc from 'fast-check';
import { batchOption } from '../helpers/delivery-arbitraries';
import { defer, filter, type MonoTypeOperatorFunction, VirtualTimeScheduler } from 'rxjs';
import { AggregationTemporality, type DataPoint, MeterProvider, MetricReader, type MetricData } from '@opentelemetry/sdk-metrics';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import type { SinkOptions } from '../../lib/configuration/sink-options';
import type { LogEvent } from '../../lib/core/log-event';
import type { EmitResult, Sink } from '../../lib/core/sink';
import type { LoggerMetrics } from '../../lib/metrics/metrics-types';
import { injectEventAccounting } from '../../lib/operators/event-accounting';
import { filterEvents } from '../../lib/operators/filter-events';
import { sampleEvents } from '../../lib/operators/sample-events';
import { metricsToOpenTelemetry } from '../../lib/otel/metrics-to-open-telemetry';
import { mulberry32, noThrow } from '../helpers/model-run';

// What a dashboard built on metricsToOpenTelemetry reads, against what log.metrics() says, with the
// real OpenTelemetry SDK (a MeterProvider and a MetricReader collected on demand, cumulative and
// delta). fast-check makes 1–3 sinks that do something random per batch (take it, throw, reject,
// hang, refuse some of it (counted as an OtlpSink counts rejectedLogRecords, some given in `sinks`),
// leave some out under a reason of their own), with random queues,
// retries, breakers, and pipes that drop by reason; then a schedule of log calls, time and
// collections, and a close. At every collection, per sink: the processed series add up to
// delivered + failed + dropped, the exported ones to delivered + failed, queue.size is queueDepth;
// the logger's own series add up to the calls it refused; every cumulative point is at least the
// last one with the same start time, and the delta points add up to the cumulative ones.

type Act = 'ok' | 'throw' | 'reject' | 'hang' | 'partial' | 'leaveOut';

interface SinkPlan {
  script: Act[];
  queue: { limit: number; overflow: 'drop-oldest' | 'drop-newest' } | undefined;
  batch: { size: number; maxDelayMs: number } | undefined;
  retry: { attempts: number; initialDelayMs: number } | false;
  circuitBreaker: { failureThreshold: number; resetTimeoutMs: number } | false;
  pipe: 'none' | 'filter' | 'sample' | 'reasons';
  /** Given to metricsToOpenTelemetry in `sinks`, so its refused records are exported as `rejected`. */
  rejecting: boolean;
}

type Step = { kind: 'log'; count: number } | { kind: 'advance'; ms: number } | { kind: 'collect' };

const sinkPlan: fc.Arbitrary<SinkPlan> = fc.record({
  script: fc.array(fc.constantFrom<Act>('ok', 'ok', 'ok', 'throw', 'reject', 'hang', 'partial', 'leaveOut'), {
    minLength: 1,
    maxLength: 5,
  }),
  queue: fc.option(
    fc.record({
      limit: fc.integer({ min: 1, max: 6 }),
      overflow: fc.constantFrom('drop-oldest' as const, 'drop-newest' as const),
    }),
    { nil: undefined },
  ),
  batch: batchOption(4, 50),
  retry: fc.oneof(
    fc.constant(false as const),
    fc.record({ attempts: fc.integer({ min: 1, max: 3 }), initialDelayMs: fc.integer({ min: 0, max: 40 }) }),
  ),
  circuitBreaker: fc.oneof(
    fc.constant(false as const),
    fc.record({ failureThreshold: fc.integer({ min: 1, max: 3 }), resetTimeoutMs: fc.integer({ min: 0, max: 100 }) }),
  ),
  pipe: fc.constantFrom('none' as const, 'none' as const, 'filter' as const, 'sample' as const, 'reasons' as const),
  rejecting: fc.boolean(),
});

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 30 }).map<Step>((count) => ({ kind: 'log', count })) },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 120 }).map<Step>((ms) => ({ kind: 'advance', ms })) },
  { weight: 2, arbitrary: fc.constant<Step>({ kind: 'collect' }) },
);

/** A reader the test collects from on demand. */
class TestReader extends MetricReader {
  constructor(temporality: AggregationTemporality) {
    super({ aggregationTemporalitySelector: () => temporality });
  }
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** One collection: per metric name, per series (its attributes as JSON), the point's value and start time. */
type Collected = Map<string, Map<string, { value: number; start: string }>>;

async function collect(reader: TestReader): Promise<Collected> {
  const { resourceMetrics, errors } = await reader.collect();
  if (errors.length > 0) throw new Error(`collection errors: ${errors.map(String).join(', ')}`);
  const collected: Collected = new Map();
  for (const metric of resourceMetrics.scopeMetrics.flatMap<MetricData>((scope) => scope.metrics)) {
    const series = new Map<string, { value: number; start: string }>();
    for (const point of metric.dataPoints as DataPoint<number>[])
      series.set(JSON.stringify(point.attributes), { value: point.value, start: JSON.stringify(point.startTime) });
    collected.set(metric.descriptor.name, series);
  }
  return collected;
}

/** The sum of a metric's points whose attributes name `component`. */
function total(collected: Collected, metric: string, component: string): number {
  let sum = 0;
  for (const [attributes, { value }] of collected.get(metric) ?? [])
    if ((JSON.parse(attributes) as Record<string, unknown>)['otel.component.name'] === component) sum += value;
  return sum;
}

/** A sink that does what its script says, batch by batch, and counts what it refused as an OtlpSink does. */
function scriptedSink(script: readonly Act[], scheduler: VirtualTimeScheduler): Sink & { rejectedLogRecords: number } {
  let calls = 0;
  let write = 0;
  return {
    rejectedLogRecords: 0,
    emit(events: readonly LogEvent[]): void | EmitResult | Promise<void> {
      switch (script[calls++ % script.length]) {
        case 'ok':
          return undefined;
        case 'throw':
          throw new Error('scripted throw');
        case 'reject':
          return new Promise<void>((_, reject) => scheduler.schedule(() => reject(new Error('scripted reject')), 30));
        case 'hang':
          return new Promise<void>(() => undefined);
        case 'partial':
          this.rejectedLogRecords += Math.min(1, events.length);
          return { rejected: Math.min(1, events.length) };
        case 'leaveOut':
          // A reason per write, as a sink with a reason per request might: past 64, 'other'.
          return { rejected: 0, dropped: { count: Math.min(2, events.length), reason: `sink-${write++}` } };
      }
    },
  };
}

/** Drops every third event it sees under one of a few reasons, one named like a computed error.type. */
const dropsByReason: MonoTypeOperatorFunction<LogEvent> = (source) =>
  defer(() => {
    const accounting = injectEventAccounting();
    let seen = 0;
    return source.pipe(
      filter(() => {
        seen++;
        if (seen % 3 !== 0) return true;
        accounting.dropped(1, ['health-check', 'queue_full', 'already_shutdown'][seen % 9 === 0 ? 2 : seen % 2]);
        return false;
      }),
    );
  });

function pipeOf(pipe: SinkPlan['pipe']): MonoTypeOperatorFunction<LogEvent>[] {
  switch (pipe) {
    case 'none':
      return [];
    case 'filter':
      return [filterEvents((event) => (event.properties.N as number) % 4 !== 0)];
    case 'sample':
      return [sampleEvents({ rate: 0.5, key: 'N' })];
    case 'reasons':
      return [dropsByReason];
  }
}

function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

async function advance(scheduler: VirtualTimeScheduler, ms: number): Promise<void> {
  const target = scheduler.frame + ms;
  for (;;) {
    await turn();
    const next = scheduler.actions[0];
    if (next === undefined || next.delay > target) break;
    scheduler.maxFrames = next.delay;
    scheduler.flush();
  }
  scheduler.frame = Math.max(scheduler.frame, target);
  await turn();
}

async function scenario(sinks: SinkPlan[], steps: Step[], strategy: 'graceful' | 'immediate', seed: number): Promise<void> {
  const scheduler = new VirtualTimeScheduler();
  const cumulative = new TestReader(AggregationTemporality.CUMULATIVE);
  const delta = new TestReader(AggregationTemporality.DELTA);
  const meterProvider = new MeterProvider({ readers: [cumulative, delta] });
  const names = sinks.map((_, index) => `s${index}`);
  let configuration = new LoggerConfiguration().useScheduler(scheduler);
  const rejecting: Record<string, { rejectedLogRecords: number }> = {};
  sinks.forEach((plan, index) => {
    const options: SinkOptions = {
      name: names[index],
      pipe: pipeOf(plan.pipe),
      retry: plan.retry,
      circuitBreaker: plan.circuitBreaker,
    };
    if (plan.queue !== undefined) options.queue = plan.queue;
    if (plan.batch !== undefined) options.batch = plan.batch;
    const sink = scriptedSink(plan.script, scheduler);
    if (plan.rejecting) rejecting[names[index]] = sink;
    configuration = configuration.writeTo.sink(sink, options);
  });
  const log = configuration.createLogger();
  const handle = metricsToOpenTelemetry(log, meterProvider.getMeter('rxlog'), { sinks: rejecting });
  const spy = jest.spyOn(Math, 'random').mockImplementation(mulberry32(seed));
  let last: Collected | undefined;
  /** Per series, the delta points added up so far. */
  const deltas = new Map<string, number>();
  let seq = 0;

  const check = async (where: string): Promise<void> => {
    const metrics: LoggerMetrics = log.metrics();
    const now = await collect(cumulative);
    const change = await collect(delta);
    for (const name of names) {
      const m = metrics.sinks[name];
      const processed = total(now, 'otel.sdk.processor.log.processed', name);
      if (processed !== m.delivered + m.failed + m.dropped)
        throw new Error(
          `${where}: ${name} processed ${processed} ≠ delivered ${m.delivered} + failed ${m.failed} + dropped ${m.dropped}`,
        );
      const exported = total(now, 'otel.sdk.exporter.log.exported', name);
      if (exported !== m.delivered + m.failed)
        throw new Error(`${where}: ${name} exported ${exported} ≠ delivered ${m.delivered} + failed ${m.failed}`);
      const queued = total(now, 'otel.sdk.processor.log.queue.size', name);
      if (queued !== m.queueDepth) throw new Error(`${where}: ${name} queue.size ${queued} ≠ queueDepth ${m.queueDepth}`);
    }
    const refused = total(now, 'otel.sdk.processor.log.processed', 'rxlog');
    if (refused !== metrics.rejectedAfterClose + metrics.rejectedReentrant + metrics.rejectedInvalidLevel)
      throw new Error(`${where}: the logger's processed ${refused} ≠ the calls it refused`);
    for (const metric of ['otel.sdk.processor.log.processed', 'otel.sdk.exporter.log.exported']) {
      for (const [series, point] of now.get(metric) ?? []) {
        const before = last?.get(metric)?.get(series);
        if (before !== undefined && (point.value < before.value || point.start !== before.start))
          throw new Error(
            `${where}: ${metric} ${series} went from ${before.value} to ${point.value} (start ${before.start} → ${point.start})`,
          );
        const key = `${metric} ${series}`;
        const added = (deltas.get(key) ?? 0) + (change.get(metric)?.get(series)?.value ?? 0);
        deltas.set(key, added);
        if (added !== point.value)
          throw new Error(`${where}: ${metric} ${series}: delta points add up to ${added}, cumulative ${point.value}`);
      }
      // A series once reported is reported at every collection.
      for (const series of last?.get(metric)?.keys() ?? [])
        if (!(now.get(metric)?.has(series) ?? false)) throw new Error(`${where}: ${metric} ${series} is no longer reported`);
    }
    last = now;
  };

  try {
    for (const [index, next] of steps.entries()) {
      const where = `step ${index} ${JSON.stringify(next)}`;
      if (next.kind === 'log')
        for (let i = 0; i < next.count; i++) noThrow('a log call', () => log.information('Event {N}', seq++));
      else if (next.kind === 'advance') await advance(scheduler, next.ms);
      else await check(where);
    }
    const closing = log.close({ strategy, timeoutMs: 100 });
    log.information('After close {N}', seq++);
    await advance(scheduler, 200);
    await closing;
    await check('after close');
    log.information('Later {N}', seq++);
    await advance(scheduler, 1_000);
    await check('1 s after close');
  } finally {
    spy.mockRestore();
    handle.stop();
    await meterProvider.shutdown();
  }
}

describe('metricsToOpenTelemetry, against log.metrics(), with the OpenTelemetry SDK', () => {
  it('reports counts that add up to the logger’s and never fall, whatever the sinks do', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(sinkPlan, { minLength: 1, maxLength: 3 }),
        fc.array(step, { maxLength: 25 }),
        fc.constantFrom('graceful' as const, 'immediate' as const),
        fc.integer(),
        (sinks, steps, strategy, seed) => scenario(sinks, steps, strategy, seed),
      ),
      { numRuns: Number(process.env.OTEL_METRICS_RUNS ?? 100), seed: Number(process.env.OTEL_METRICS_SEED ?? 20261204) },
    );
  }, 120_000);
});
