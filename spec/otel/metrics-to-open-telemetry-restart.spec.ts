import { MeterProvider, MetricReader, type MetricData } from '@opentelemetry/sdk-metrics';
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
});
