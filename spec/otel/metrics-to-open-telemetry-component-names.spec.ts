import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { ConfigurationError } from '../../lib/core/errors/configuration-error';
import { metricsToOpenTelemetry } from '../../lib/otel/metrics-to-open-telemetry';
import { MemorySink } from '../../lib/sinks/memory-sink';

class TestReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

// The logger's refused calls and a sink's close drops are both `otel.sdk.processor.log.processed`
// with `error.type` `already_shutdown` and `otel.component.type` `rxlog_sink`; with one
// `otel.component.name` they are one series (OpenTelemetry metrics data model, "Timeseries":
// a stream is identified by its name and attributes), so the SDK keeps whichever value the callback
// observed last and the other count is lost.
describe('metricsToOpenTelemetry component names', () => {
  it('refuses a sink named like the logger component, which would merge their already_shutdown series', async () => {
    const reader = new TestReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    const meter = meterProvider.getMeter('rxlog');
    let open = (): void => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const log = new LoggerConfiguration().writeTo
      .sink({ emit: () => gate }, { name: 'rxlog', queue: { limit: 3 } })
      .createLogger();
    expect(() => metricsToOpenTelemetry(log, meter)).toThrow(ConfigurationError);
    expect(() => metricsToOpenTelemetry(log, meter)).toThrow(/"rxlog".*options\.name/);
    // With a name the two stay apart, and the sink's three close drops are reported.
    metricsToOpenTelemetry(log, meter, { name: 'app' });
    for (let i = 0; i < 4; i++) log.information('Event {N}', i);
    const closing = log.close({ strategy: 'immediate' });
    open();
    await closing;
    log.information('After close');
    const { resourceMetrics } = await reader.collect();
    const processed = resourceMetrics.scopeMetrics
      .flatMap((scope) => scope.metrics)
      .find((m) => m.descriptor.name === 'otel.sdk.processor.log.processed');
    const shutdown = (processed?.dataPoints ?? [])
      .filter((p) => p.attributes['error.type'] === 'already_shutdown')
      .map((p) => [p.attributes['otel.component.name'], p.value]);
    expect(shutdown).toEqual(
      expect.arrayContaining([
        ['app', 1],
        ['app/rxlog', 3],
      ]),
    );
    await meterProvider.shutdown();
  });

  it("refuses a logger whose name is another logger's sink component on the same meter", async () => {
    const meter = new MeterProvider().getMeter('rxlog');
    const app = new LoggerConfiguration().writeTo.sink(new MemorySink(), { name: 'audit' }).createLogger();
    const audit = new LoggerConfiguration().writeTo.sink(new MemorySink(), { name: 'memory' }).createLogger();
    metricsToOpenTelemetry(app, meter);
    expect(() => metricsToOpenTelemetry(audit, meter, { name: 'audit' })).toThrow(/"audit".*another logger/);
    expect(() => metricsToOpenTelemetry(audit, meter, { name: 'audit2' })).not.toThrow();
    await Promise.all([app.close(), audit.close()]);
  });
});

describe('metricsToOpenTelemetry component names from metrics built by hand', () => {
  // Found by a review: a logger's configuration refuses a sink name with a lone UTF-16 surrogate,
  // but a source's metrics built by hand were reported as they were: 'a\uD800' and 'a\uDC00' were
  // two components that an exporter writes as one, U+FFFD in place of each half (the series twice
  // in one request).
  it('refuses a sink name with a lone UTF-16 surrogate, naming it', () => {
    const meter = new MeterProvider().getMeter('rxlog');
    const log = new LoggerConfiguration().writeTo.sink(new MemorySink(), { name: 'memory' }).createLogger();
    const real = log.metrics();
    const sinks = Object.fromEntries(['a\uD800', 'a\uDC00'].map((name) => [name, { ...real.sinks['memory'], name }]));
    const source = { metrics: () => ({ ...real, sinks }) };
    expect(() => metricsToOpenTelemetry(source, meter)).toThrow(ConfigurationError);
    expect(() => metricsToOpenTelemetry(source, meter)).toThrow(/"a\\ud800".*lone UTF-16 surrogate/);
    // Well-formed names are reported.
    expect(() =>
      metricsToOpenTelemetry({ metrics: () => ({ ...real, sinks: { 'a\uFFFD': real.sinks['memory'] } }) }, meter).stop(),
    ).not.toThrow();
    return log.close();
  });
});
