import {
  AggregationTemporality,
  type DataPoint,
  InMemoryMetricExporter,
  MeterProvider,
  MetricReader,
  type MetricData,
  PeriodicExportingMetricReader,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import type { Logger } from '../../lib/pipeline/logger';
import { metricsToOpenTelemetry } from '../../lib/otel/metrics-to-open-telemetry';
import { MemorySink } from '../../lib/sinks/memory-sink';
import type { LoggerMetrics } from '../../lib/metrics/metrics-types';
import { collectSelfLog } from '../helpers/self-log';

/** A reader the test collects from on demand. */
class TestReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** Each point of the counters a restart carries over, as `name component error.type` → value. */
async function counters(reader: TestReader): Promise<Record<string, number>> {
  const { resourceMetrics } = await reader.collect();
  const data: MetricData[] = resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics);
  const seen: Record<string, number> = {};
  for (const metric of data) {
    if (
      !['otel.sdk.processor.log.processed', 'otel.sdk.exporter.log.exported', 'rxlog.delivery.duration.count'].includes(
        metric.descriptor.name,
      )
    )
      continue;
    for (const point of metric.dataPoints) {
      const errorType = point.attributes['error.type'];
      seen[
        `${metric.descriptor.name} ${String(point.attributes['otel.component.name'])}${errorType === undefined ? '' : ` ${String(errorType)}`}`
      ] = point.value as number;
    }
  }
  return seen;
}

describe('metricsToOpenTelemetry across a logger restart', () => {
  // A handle reported what its logger counted up to the reader's last collection, and a logger that
  // took over its names added its own counts to that: what the old logger counted after the last
  // collection (its last events, the batches its close delivered) was in no counter, ever
  // (3 + 2 + 5 events delivered reported as 8).
  it('counts what the stopped logger counted after the last collection: the counters hold every event of both loggers', async () => {
    const reader = new TestReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    const meter = meterProvider.getMeter('rxlog');
    const start = (): Logger => new LoggerConfiguration().writeTo.sink(new MemorySink(), { name: 'memory' }).createLogger();

    const first = start();
    const handle = metricsToOpenTelemetry(first, meter, { name: 'app' });
    for (let n = 0; n < 3; n++) first.information('Event {N}', n);
    expect(await counters(reader)).toMatchObject({ 'otel.sdk.processor.log.processed app/memory': 3 });
    for (let n = 0; n < 2; n++) first.information('Late {N}', n);
    // Closed, then stopped, as docs/opentelemetry.md shows: the close's deliveries are counted too.
    await first.close();
    first.information('After close');
    handle.stop();

    const second = start();
    const secondHandle = metricsToOpenTelemetry(second, meter, { name: 'app' });
    for (let n = 0; n < 5; n++) second.information('Event {N}', n);
    expect(await counters(reader)).toMatchObject({
      'otel.sdk.processor.log.processed app/memory': 10,
      'otel.sdk.exporter.log.exported app/memory': 10,
      'rxlog.delivery.duration.count app/memory': 10,
      'otel.sdk.processor.log.processed app already_shutdown': 1,
    });
    // A second stop adds nothing: the counts were taken once.
    secondHandle.stop();
    secondHandle.stop();
    const third = metricsToOpenTelemetry(second, meter, { name: 'app' });
    expect(await counters(reader)).toMatchObject({ 'otel.sdk.processor.log.processed app/memory': 10 });
    third.stop();
    await Promise.all([meterProvider.shutdown(), second.close()]);
  });

  // stop() reads the metrics once more: a source whose metrics() gives a snapshot it cannot read
  // (metrics built by hand, without sinks) must not make stop() throw, and the handle still stops.
  it('stops without throwing when the last read of the metrics fails, and says so on SelfLog', async () => {
    const reader = new TestReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    const meter = meterProvider.getMeter('rxlog');
    const source = { metrics: (): LoggerMetrics => ({ timestamp: new Date(0), logged: 1 }) as unknown as LoggerMetrics };
    const handle = metricsToOpenTelemetry(source, meter);
    const selfLog = collectSelfLog();
    try {
      expect(() => handle.stop()).not.toThrow();
      expect(selfLog.diagnostics.map((d) => d.message).join('\n')).toContain('metricsToOpenTelemetry');
    } finally {
      selfLog.stop();
    }
    // Stopped: the names are free for another source.
    expect(() => metricsToOpenTelemetry({ metrics: source.metrics }, meter).stop()).not.toThrow();
    await meterProvider.shutdown();
  });

  // An app's shutdown as docs/opentelemetry.md shows it: close the logger, stop the handle, then shut
  // the SDK down, whose reader collects and exports one last time. stop() took the handle's callback
  // away, so that last collection saw nothing of what the logger counted since the previous export
  // (its last events, what its close delivered, up to a whole export interval, 60 s by default):
  // 3 of 5 deliveries exported, and the queue size left as last seen.
  it('hands the counts taken at stop() to the next collection, so the SDK shutdown after it exports every event', async () => {
    // The values a metric's points for a component took, export after export (without error.type).
    const values = (exported: ResourceMetrics[], name: string, component: string): number[] =>
      exported.flatMap((resource) =>
        resource.scopeMetrics
          .flatMap((scope) => scope.metrics)
          .filter((metric) => metric.descriptor.name === name)
          .flatMap((metric): DataPoint<unknown>[] => metric.dataPoints)
          .filter(
            (point) => point.attributes['error.type'] === undefined && point.attributes['otel.component.name'] === component,
          )
          .map((point) => point.value as number),
      );
    const delivered = (exported: ResourceMetrics[]): number[] => values(exported, 'otel.sdk.processor.log.processed', 'memory');
    const queueSizes = (exported: ResourceMetrics[]): number[] =>
      values(exported, 'otel.sdk.processor.log.queue.size', 'q/stalled');
    const exporters = [AggregationTemporality.CUMULATIVE, AggregationTemporality.DELTA].map(
      (temporality) => new InMemoryMetricExporter(temporality),
    );
    // Two readers: the one observation after stop() reaches both.
    const meterProvider = new MeterProvider({
      readers: exporters.map((exporter) => new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 })),
    });
    // Its first write settles when the test says: the events after it wait in the queue.
    let release = (): void => undefined;
    let writes = 0;
    const stalled = {
      emit: (): Promise<void> | void => (writes++ === 0 ? new Promise<void>((resolve) => (release = resolve)) : undefined),
    };
    const log = new LoggerConfiguration().writeTo.sink(new MemorySink(), { name: 'memory' }).createLogger();
    const queued = new LoggerConfiguration().writeTo.sink(stalled, { name: 'stalled' }).createLogger();
    const handle = metricsToOpenTelemetry(log, meterProvider.getMeter('rxlog'));
    const queuedHandle = metricsToOpenTelemetry(queued, meterProvider.getMeter('rxlog'), { name: 'q' });
    for (let n = 0; n < 3; n++) log.information('Event {N}', n);
    // One event in flight, two queued behind it: a queue size of 2 at the first export.
    for (let n = 0; n < 3; n++) queued.information('Event {N}', n);
    await meterProvider.forceFlush();
    expect(exporters.map((exporter) => delivered(exporter.getMetrics()))).toEqual([[3], [3]]);
    expect(exporters.map((exporter) => queueSizes(exporter.getMetrics()))).toEqual([[2], [2]]);
    for (let n = 0; n < 2; n++) log.information('Late {N}', n);
    await log.close();
    handle.stop();
    const closing = queued.close();
    release();
    await closing;
    queuedHandle.stop();
    await meterProvider.shutdown();

    // Cumulative: 3, then 5; delta: 3, then the 2 more.
    expect(exporters.map((exporter) => delivered(exporter.getMetrics()))).toEqual([
      [3, 5],
      [3, 2],
    ]);
    // The queue emptied by the close, not the 2 last seen.
    expect(queueSizes(exporters[0].getMetrics())).toEqual([2, 0]);
  });
});
