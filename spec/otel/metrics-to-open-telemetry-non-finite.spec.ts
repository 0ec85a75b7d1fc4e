import { MeterProvider, MetricReader, type MetricData } from '@opentelemetry/sdk-metrics';
import { JsonMetricsSerializer } from '@opentelemetry/otlp-transformer';
import type { LoggerMetrics, SinkMetrics } from '../../lib/metrics/metrics-types';
import { SinkMetricsRecorder } from '../../lib/metrics/sink-metrics-recorder';
import { loggerMetrics } from '../helpers/logger-metrics';
import { metricsToOpenTelemetry } from '../../lib/otel/metrics-to-open-telemetry';

// metricsToOpenTelemetry with a source whose metrics were built by hand or read back from elsewhere:
// what the real SDK collects and its OTLP/JSON serializer writes.

/** A reader the test collects from on demand. */
class TestReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** A logger's metrics with one sink, `edge`, holding `values`. */
function metricsWith(
  values: Partial<Record<keyof SinkMetrics, unknown>>,
  loggerValues: Partial<LoggerMetrics> = {},
): LoggerMetrics {
  const sink = new SinkMetricsRecorder('edge').snapshot();
  return loggerMetrics({ edge: { ...sink, ...values } as SinkMetrics }, loggerValues);
}

/** Each point as `name error.type` → value, and the OTLP/JSON request the SDK's serializer writes. */
async function collect(reader: TestReader): Promise<{ points: Record<string, unknown>; json: string }> {
  const { resourceMetrics } = await reader.collect();
  const data: MetricData[] = resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics);
  const points: Record<string, unknown> = {};
  for (const metric of data)
    for (const point of metric.dataPoints) {
      const errorType = point.attributes['error.type'];
      points[`${metric.descriptor.name}${errorType === undefined ? '' : ` ${String(errorType)}`}`] = point.value;
    }
  return { points, json: new TextDecoder().decode(JsonMetricsSerializer.serializeRequest(resourceMetrics)) };
}

describe('metricsToOpenTelemetry with values that are not finite numbers', () => {
  // Found by a review: an Infinity was added to a counter's total, which then stayed Infinity for
  // good, and a NaN or Infinity queue size was observed as it was; the SDK's OTLP/JSON serializer
  // writes either as "asDouble":null, which a collector refuses, with the whole request, so every
  // metric of the app was lost from then on.
  it('reports no growth for a count that is not finite and no queue size, then counts on from the finite ones', async () => {
    const reader = new TestReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    const recorder = new SinkMetricsRecorder('edge');
    recorder.latency.record(2_000);
    const latencyMs = recorder.snapshot().latencyMs;
    let metrics = metricsWith(
      {
        delivered: Number.POSITIVE_INFINITY,
        failed: 1,
        queueDepth: Number.NaN,
        latencyMs: { ...latencyMs, sum: Number.POSITIVE_INFINITY, count: Number.POSITIVE_INFINITY },
      },
      { rejectedAfterClose: Number.POSITIVE_INFINITY },
    );
    metricsToOpenTelemetry({ metrics: () => metrics }, meterProvider.getMeter('rxlog'));

    const first = await collect(reader);
    expect(first.json).not.toContain('"asDouble":null');
    expect(first.points).toMatchObject({
      'otel.sdk.exporter.log.exported': 0,
      'otel.sdk.exporter.log.exported _OTHER': 1,
      'otel.sdk.processor.log.processed already_shutdown': 0,
      'rxlog.delivery.duration.sum': 0,
      'rxlog.delivery.duration.count': 0,
    });
    expect(first.points).not.toHaveProperty(['otel.sdk.processor.log.queue.size']);

    // The source reads finite values again: the counters count from them.
    metrics = metricsWith({ delivered: 5, failed: 1, queueDepth: 2, latencyMs }, { rejectedAfterClose: 3 });
    const second = await collect(reader);
    expect(second.json).not.toContain('"asDouble":null');
    expect(second.points).toMatchObject({
      'otel.sdk.exporter.log.exported': 5,
      'otel.sdk.processor.log.processed': 6,
      'otel.sdk.processor.log.processed already_shutdown': 3,
      'otel.sdk.processor.log.queue.size': 2,
      'rxlog.delivery.duration.sum': 2,
      'rxlog.delivery.duration.count': 1,
    });
    await meterProvider.shutdown();
  });
});
