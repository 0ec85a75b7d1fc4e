import { defer, filter, type MonoTypeOperatorFunction } from 'rxjs';
import { BatchLogRecordProcessor, InMemoryLogRecordExporter, LoggerProvider } from '@opentelemetry/sdk-logs';
import { type DataPoint, DataPointType, MeterProvider, MetricReader, type MetricData } from '@opentelemetry/sdk-metrics';
import { ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import type { Logger } from '../../lib/pipeline/logger';
import { ConfigurationError } from '../../lib/core/errors/configuration-error';
import type { LogEvent } from '../../lib/core/log-event';
import { injectEventAccounting } from '../../lib/operators/event-accounting';
import { filterEvents } from '../../lib/operators/filter-events';
import { metricsToOpenTelemetry } from '../../lib/otel/metrics-to-open-telemetry';
import { MemorySink } from '../../lib/sinks/memory-sink';
import { OtlpSink } from '../../lib/sinks/http/otlp-sink';
import { startTestServer } from '../helpers/http-test-server';

/** A reader the test collects from on demand. */
class TestReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

async function collect(reader: TestReader): Promise<MetricData[]> {
  const { resourceMetrics } = await reader.collect();
  return resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics);
}

function points(data: MetricData[], name: string): [Record<string, unknown>, number][] {
  const metric = data.find((m) => m.descriptor.name === name);
  return (metric?.dataPoints ?? []).map((p: DataPoint<unknown>) => [p.attributes, p.value as number]);
}

describe('metricsToOpenTelemetry', () => {
  it('reports delivered, dropped, failed, rejected and queued events under the SDK processor metric names', async () => {
    const reader = new TestReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    const failing = { emit: () => Promise.reject(new Error('down')) };
    const log = new LoggerConfiguration().writeTo
      .sink(new MemorySink(), { name: 'memory' })
      .writeTo.sink(failing, { name: 'http', retry: { attempts: 1 } })
      .createLogger();
    const handle = metricsToOpenTelemetry(log, meterProvider.getMeter('rxlog'), { queueCapacity: { http: 10_000 } });
    for (let i = 0; i < 3; i++) log.information('Event {N}', i);
    await log.flush();

    const data = await collect(reader);
    const component = (name: string): Record<string, unknown> => ({
      'otel.component.name': name,
      'otel.component.type': 'rxlog_sink',
    });
    expect(points(data, 'otel.sdk.processor.log.processed')).toEqual(
      expect.arrayContaining([
        [component('memory'), 3],
        [{ ...component('memory'), 'error.type': 'queue_full' }, 0],
        [component('http'), 3],
        [{ 'otel.component.name': 'rxlog', 'otel.component.type': 'rxlog_sink', 'error.type': 'already_shutdown' }, 0],
      ]),
    );
    expect(points(data, 'otel.sdk.exporter.log.exported')).toEqual(
      expect.arrayContaining([
        [component('memory'), 3],
        [{ ...component('http'), 'error.type': '_OTHER' }, 3],
      ]),
    );
    expect(points(data, 'otel.sdk.processor.log.queue.size')).toEqual(expect.arrayContaining([[component('http'), 0]]));
    expect(points(data, 'otel.sdk.processor.log.queue.capacity')).toEqual([[component('http'), 10_000]]);

    log.write('loud' as never, 'Not a level');
    await log.close();
    log.information('After close');
    const after = await collect(reader);
    expect(points(after, 'otel.sdk.processor.log.processed')).toEqual(
      expect.arrayContaining([
        [expect.objectContaining({ 'error.type': 'already_shutdown' }), 1],
        [expect.objectContaining({ 'error.type': 'invalid_level' }), 1],
        [expect.objectContaining({ 'error.type': 'reentrant_call' }), 0],
      ]),
    );
    handle.stop();
    await meterProvider.shutdown();
  });

  it('uses the names, instrument kinds and units the OpenTelemetry SDK uses for its own log processor', async () => {
    const sdkReader = new TestReader();
    const sdkMeters = new MeterProvider({ readers: [sdkReader] });
    const exporter = new InMemoryLogRecordExporter();
    const provider = new LoggerProvider({
      processors: [new BatchLogRecordProcessor({ exporter, selfObsMeterProvider: sdkMeters })],
    });
    provider.getLogger('spec').emit({ body: 'one' });
    await provider.forceFlush();

    const ourReader = new TestReader();
    const ourMeters = new MeterProvider({ readers: [ourReader] });
    const log = new LoggerConfiguration().writeTo.sink(new MemorySink(), { name: 'memory' }).createLogger();
    metricsToOpenTelemetry(log, ourMeters.getMeter('rxlog'), { queueCapacity: { memory: 1 } });
    log.information('one');

    const describe = (data: MetricData[]): unknown[] =>
      data
        .filter((m) => m.descriptor.name.startsWith('otel.sdk.processor.log.'))
        .map((m) => [m.descriptor.name, m.descriptor.unit, m.dataPointType, 'isMonotonic' in m ? m.isMonotonic : undefined])
        .sort();
    const sdks = describe(await collect(sdkReader));
    expect(sdks.length).toBeGreaterThanOrEqual(3);
    expect(describe(await collect(ourReader))).toEqual(sdks);
    await Promise.all([provider.shutdown(), sdkMeters.shutdown(), ourMeters.shutdown(), log.close()]);
  });

  it('reports each sink’s delivery latency total in seconds and its count as counters that match log.metrics() and never fall', async () => {
    jest.useFakeTimers({ now: 0 });
    try {
      const reader = new TestReader();
      const meterProvider = new MeterProvider({ readers: [reader] });
      // Each write takes 250 ms of fake time: the latencies are known, nothing waits on the real clock.
      const slow = { emit: (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 250)) };
      const log = new LoggerConfiguration().writeTo.sink(slow, { name: 'slow' }).createLogger();
      metricsToOpenTelemetry(log, meterProvider.getMeter('rxlog'));
      const latency = async (): Promise<[unknown[], unknown[]]> => {
        const data = await collect(reader);
        const series = (name: string): unknown[] => {
          const metric = data.find((m) => m.descriptor.name === name);
          const kind = metric && [metric.descriptor.unit, metric.dataPointType, 'isMonotonic' in metric && metric.isMonotonic];
          return [kind, ...points(data, name)];
        };
        return [series('rxlog.delivery.duration.sum'), series('rxlog.delivery.duration.count')];
      };
      const expected = (): [unknown[], unknown[]] => {
        const { sum, count } = log.metrics().sinks['slow'].latencyMs;
        const component = { 'otel.component.name': 'slow', 'otel.component.type': 'rxlog_sink' };
        return [
          [
            ['s', DataPointType.SUM, true],
            [component, sum / 1000],
          ],
          [
            ['{log_record}', DataPointType.SUM, true],
            [component, count],
          ],
        ];
      };
      log.information('one');
      log.information('two');
      const flushed = log.flush();
      await jest.advanceTimersByTimeAsync(1_000);
      await flushed;
      const first = await latency();
      expect(log.metrics().sinks['slow'].latencyMs.count).toBe(2);
      expect(log.metrics().sinks['slow'].latencyMs.sum).toBeGreaterThanOrEqual(250);
      expect(first).toEqual(expected());

      log.information('three');
      const again = log.flush();
      await jest.advanceTimersByTimeAsync(1_000);
      await again;
      const second = await latency();
      expect(second).toEqual(expected());
      expect((second[0][1] as [unknown, number])[1]).toBeGreaterThan((first[0][1] as [unknown, number])[1]);
      expect((second[1][1] as [unknown, number])[1]).toBe(3);
      const closed = log.close();
      await jest.advanceTimersByTimeAsync(1_000);
      await closed;
      await meterProvider.shutdown();
    } finally {
      jest.useRealTimers();
    }
  });

  it('reports no latency growth, and every other series, for metrics built by hand without latencyMs', async () => {
    const reader = new TestReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    const log = new LoggerConfiguration().writeTo.sink(new MemorySink(), { name: 'memory' }).createLogger();
    log.information('one');
    await log.flush();
    const real = log.metrics();
    const handBuilt = { metrics: () => ({ ...real, sinks: { memory: { ...real.sinks['memory'], latencyMs: null } } }) };
    metricsToOpenTelemetry(handBuilt as never, meterProvider.getMeter('rxlog'));
    const { resourceMetrics, errors } = await reader.collect();
    const data = resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics);
    const component = { 'otel.component.name': 'memory', 'otel.component.type': 'rxlog_sink' };
    expect(errors).toEqual([]);
    expect(points(data, 'otel.sdk.exporter.log.exported')).toEqual(expect.arrayContaining([[component, 1]]));
    expect(points(data, 'rxlog.delivery.duration.sum')).toEqual([[component, 0]]);
    expect(points(data, 'rxlog.delivery.duration.count')).toEqual([[component, 0]]);
    await Promise.all([meterProvider.shutdown(), log.close()]);
  });

  it('reports events a sink’s pipe discards by design under their reason, not as queue_full, which stays for a full queue', async () => {
    const reader = new TestReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    let open = (): void => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const blocked = { emit: () => gate };
    const log = new LoggerConfiguration().minimumLevel
      .debug()
      .writeTo.sink(new MemorySink(), { name: 'filtered', pipe: [filterEvents((e) => e.level !== 'debug')] })
      .writeTo.sink(blocked, { name: 'queued', queue: { limit: 2 }, batch: { size: 1, maxDelayMs: 0 } })
      .createLogger();
    metricsToOpenTelemetry(log, meterProvider.getMeter('rxlog'));
    for (let i = 0; i < 10; i++) log.debug('Debug {N}', i);
    log.information('Kept');
    open();
    await log.flush();
    const { sinks } = log.metrics();
    expect([sinks.filtered.dropped, sinks.queued.dropped]).toEqual([10, 8]);

    const component = (name: string): Record<string, unknown> => ({
      'otel.component.name': name,
      'otel.component.type': 'rxlog_sink',
    });
    const processed = points(await collect(reader), 'otel.sdk.processor.log.processed').filter(
      ([attributes]) => attributes['otel.component.name'] !== 'rxlog',
    );
    expect(processed).toEqual(
      expect.arrayContaining([
        [component('filtered'), 1],
        [{ ...component('filtered'), 'error.type': 'filterEvents.excluded' }, 10],
        [{ ...component('filtered'), 'error.type': 'queue_full' }, 0],
        [component('queued'), 3],
        [{ ...component('queued'), 'error.type': 'queue_full' }, 8],
        [{ ...component('queued'), 'error.type': 'already_shutdown' }, 0],
      ]),
    );
    expect(processed).toHaveLength(7);
    await Promise.all([meterProvider.shutdown(), log.close()]);
  });

  // An app operator in a sink's pipe may report its drops under any reason, also one of the
  // error.type values rxlog computes itself (queue_full, already_shutdown). Such a reason was observed
  // as its own series and then observed again with the computed value on the same attributes, which
  // the SDK keeps instead: the operator's count vanished from the export.
  it('exports every drop reason a sink’s pipe reports, adding one named like a computed error.type to that series', async () => {
    const reader = new TestReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    const reasons = ['health-check', 'queue_full', 'already_shutdown', 'queue_full'];
    const dropByReason: MonoTypeOperatorFunction<LogEvent> = (source) =>
      defer(() => {
        const accounting = injectEventAccounting();
        return source.pipe(
          filter((event) => {
            const reason = reasons[event.properties.N as number];
            if (reason !== undefined) accounting.dropped(1, reason);
            return reason === undefined;
          }),
        );
      });
    const log = new LoggerConfiguration().writeTo.sink(new MemorySink(), { name: 'app', pipe: [dropByReason] }).createLogger();
    metricsToOpenTelemetry(log, meterProvider.getMeter('rxlog'));
    for (let n = 0; n < 5; n++) log.information('Event {N}', n);
    await log.flush();
    expect(log.metrics().sinks.app).toMatchObject({ delivered: 1, dropped: 4 });
    const component = { 'otel.component.name': 'app', 'otel.component.type': 'rxlog_sink' };
    const processed = points(await collect(reader), 'otel.sdk.processor.log.processed').filter(
      ([attributes]) => attributes['otel.component.name'] === 'app',
    );
    expect(processed).toEqual(
      expect.arrayContaining([
        [component, 1],
        [{ ...component, 'error.type': 'health-check' }, 1],
        [{ ...component, 'error.type': 'queue_full' }, 2],
        [{ ...component, 'error.type': 'already_shutdown' }, 1],
      ]),
    );
    expect(processed).toHaveLength(4);
    await Promise.all([meterProvider.shutdown(), log.close()]);
  });

  // The operators of `.pipe()` run before the sinks, so what they drop reaches no sink's counters:
  // it was in metrics().pipe only, and left out of the export altogether.
  it('exports what the operators of .pipe() drop under the logger’s component, by their reasons', async () => {
    const reader = new TestReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    const dropOdd: MonoTypeOperatorFunction<LogEvent> = (source) =>
      defer(() => {
        const accounting = injectEventAccounting();
        return source.pipe(
          filter((event) => {
            const odd = (event.properties.N as number) % 2 === 1;
            if (odd) accounting.dropped(1, 'odd');
            return !odd;
          }),
        );
      });
    const log = new LoggerConfiguration().pipe(dropOdd).writeTo.sink(new MemorySink(), { name: 'memory' }).createLogger();
    metricsToOpenTelemetry(log, meterProvider.getMeter('rxlog'));
    for (let n = 0; n < 5; n++) log.information('Event {N}', n);
    await log.flush();
    expect(log.metrics().pipe?.droppedBy).toEqual({ odd: 2 });
    expect(points(await collect(reader), 'otel.sdk.processor.log.processed')).toEqual(
      expect.arrayContaining([
        [{ 'otel.component.name': 'memory', 'otel.component.type': 'rxlog_sink' }, 3],
        [{ 'otel.component.name': 'rxlog', 'otel.component.type': 'rxlog_sink', 'error.type': 'odd' }, 2],
      ]),
    );
    await Promise.all([meterProvider.shutdown(), log.close()]);
  });

  it('reports the events an immediate close dropped as already_shutdown, apart from the queue_full drops of a full queue', async () => {
    const reader = new TestReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    let open = (): void => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const log = new LoggerConfiguration().writeTo
      .sink({ emit: () => gate }, { name: 'queued', queue: { limit: 3 } })
      .createLogger();
    metricsToOpenTelemetry(log, meterProvider.getMeter('rxlog'));
    // One in flight, three queued, two dropped by the full queue.
    for (let i = 0; i < 6; i++) log.information('Event {N}', i);
    const closing = log.close({ strategy: 'immediate' });
    open();
    expect((await closing).sinks.queued).toEqual({ delivered: 1, dropped: 5, failed: 0, undelivered: 0 });
    expect(log.metrics().sinks.queued).toMatchObject({ dropped: 5, droppedAtClose: 3 });
    const component = { 'otel.component.name': 'queued', 'otel.component.type': 'rxlog_sink' };
    expect(
      points(await collect(reader), 'otel.sdk.processor.log.processed').filter(
        ([attributes]) => attributes['otel.component.name'] === 'queued',
      ),
    ).toEqual(
      expect.arrayContaining([
        [component, 1],
        [{ ...component, 'error.type': 'queue_full' }, 2],
        [{ ...component, 'error.type': 'already_shutdown' }, 3],
      ]),
    );
    await meterProvider.shutdown();
  });

  // A reason cut from a longer text can end in half of a surrogate pair ('cut😀'.slice(0, 4)). Such
  // a string has no UTF-8 form: the OTLP serializer writes U+FFFD for the half, so two reasons that
  // differ only there were two points in the SDK and one series twice on the wire.
  it('reports drop reasons with a lone surrogate as one well-formed error.type, so no series is sent twice', async () => {
    const reader = new TestReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    const reasons = ['cut😀'.slice(0, 4), 'cut\uDE00', 'cut\uFFFD'];
    const dropByReason: MonoTypeOperatorFunction<LogEvent> = (source) =>
      defer(() => {
        const accounting = injectEventAccounting();
        return source.pipe(
          filter((event) => {
            accounting.dropped(1, reasons[(event.properties.N as number) % reasons.length]);
            return false;
          }),
        );
      });
    // A sink's pipe, and the operators of .pipe() (the logger's own component, here 'shared').
    const log = new LoggerConfiguration().writeTo.sink(new MemorySink(), { name: 'app', pipe: [dropByReason] }).createLogger();
    metricsToOpenTelemetry(log, meterProvider.getMeter('rxlog'));
    const shared = new LoggerConfiguration().pipe(dropByReason).writeTo.sink(new MemorySink(), { name: 'memory' }).createLogger();
    metricsToOpenTelemetry(shared, meterProvider.getMeter('rxlog'), { name: 'shared' });
    for (let n = 0; n < 3; n++) {
      log.information('Event {N}', n);
      shared.information('Event {N}', n);
    }
    await Promise.all([log.flush(), shared.flush()]);
    const { resourceMetrics } = await reader.collect();
    const data = resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics);
    const cut = points(data, 'otel.sdk.processor.log.processed').filter(([attributes]) =>
      String(attributes['error.type']).startsWith('cut'),
    );
    expect(cut).toEqual([
      [{ 'otel.component.name': 'app', 'otel.component.type': 'rxlog_sink', 'error.type': 'cut\uFFFD' }, 3],
      [{ 'otel.component.name': 'shared', 'otel.component.type': 'rxlog_sink', 'error.type': 'cut\uFFFD' }, 3],
    ]);
    // What the wire carries: the serialized request holds that error.type once per component.
    const wire = Buffer.from(ProtobufMetricsSerializer.serializeRequest(resourceMetrics) ?? new Uint8Array());
    expect(wire.toString('latin1').split(Buffer.from('cut\uFFFD').toString('latin1'))).toHaveLength(3);
    await Promise.all([meterProvider.shutdown(), log.close(), shared.close()]);
  });

  it('never lets the _OTHER count fall when rejectedLogRecords grows by records the logger did not count failed', async () => {
    const reader = new TestReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    const failing = {
      emit(): void {
        throw new Error('down');
      },
    };
    // Stands for an OtlpSink whose offline replay reported rejections the logger counted delivered.
    const rejecting = { rejectedLogRecords: 0 };
    const log = new LoggerConfiguration().writeTo.sink(failing, { name: 'otlp', retry: false }).createLogger();
    metricsToOpenTelemetry(log, meterProvider.getMeter('rxlog'), { sinks: { otlp: rejecting } });
    log.information('One');
    log.information('Two');
    const component = { 'otel.component.name': 'otlp', 'otel.component.type': 'rxlog_sink' };
    const failedPoints = async (): Promise<unknown[]> =>
      points(await collect(reader), 'otel.sdk.exporter.log.exported').filter(([attributes]) => 'error.type' in attributes);
    expect(await failedPoints()).toEqual(
      expect.arrayContaining([
        [{ ...component, 'error.type': 'rejected' }, 0],
        [{ ...component, 'error.type': '_OTHER' }, 2],
      ]),
    );
    rejecting.rejectedLogRecords = 1;
    expect(await failedPoints()).toEqual(
      expect.arrayContaining([
        [{ ...component, 'error.type': 'rejected' }, 1],
        [{ ...component, 'error.type': '_OTHER' }, 2],
      ]),
    );
    await Promise.all([meterProvider.shutdown(), log.close()]);
  });

  it('counts the records an OTLP collector rejected in a partial success as failed exports (error.type rejected), the rest as exported', async () => {
    const server = await startTestServer(() => ({
      status: 200,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ partialSuccess: { rejectedLogRecords: '2', errorMessage: 'attribute value too long' } }),
    }));
    const reader = new TestReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    try {
      const otlp = new OtlpSink({ endpoint: server.url });
      const log = new LoggerConfiguration().writeTo.sink(otlp).createLogger();
      metricsToOpenTelemetry(log, meterProvider.getMeter('rxlog'), { sinks: { otlp } });
      for (let n = 0; n < 5; n++) log.information('Item {N}', n);
      await log.flush();
      expect([log.metrics().sinks.otlp.delivered, log.metrics().sinks.otlp.failed, otlp.rejectedLogRecords]).toEqual([3, 2, 2]);
      const component = { 'otel.component.name': 'otlp', 'otel.component.type': 'rxlog_sink' };
      expect(points(await collect(reader), 'otel.sdk.exporter.log.exported')).toEqual(
        expect.arrayContaining([
          [component, 3],
          [{ ...component, 'error.type': 'rejected' }, 2],
          [{ ...component, 'error.type': '_OTHER' }, 0],
        ]),
      );
      await log.close();
    } finally {
      await Promise.all([meterProvider.shutdown(), server.close()]);
    }
  });

  it('reports each value once when called twice for the same logger and meter, and stops only with the last handle', async () => {
    const reader = new TestReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    const log = new LoggerConfiguration().writeTo.sink(new MemorySink(), { name: 'memory' }).createLogger();
    const first = metricsToOpenTelemetry(log, meterProvider.getMeter('rxlog'));
    const second = metricsToOpenTelemetry(log, meterProvider.getMeter('rxlog'));
    for (let i = 0; i < 3; i++) log.information('Event {N}', i);
    await log.flush();
    const component = { 'otel.component.name': 'memory', 'otel.component.type': 'rxlog_sink' };
    const { resourceMetrics, errors } = await reader.collect();
    const data = resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics);
    expect(errors).toEqual([]);
    expect(data.map((m) => m.descriptor.name).sort()).toEqual([
      'otel.sdk.exporter.log.exported',
      'otel.sdk.processor.log.processed',
      'otel.sdk.processor.log.queue.size',
      'rxlog.delivery.duration.count',
      'rxlog.delivery.duration.sum',
    ]);
    expect(points(data, 'otel.sdk.processor.log.processed')).toEqual(expect.arrayContaining([[component, 3]]));
    expect(points(data, 'rxlog.delivery.duration.count')).toEqual([[component, 3]]);
    expect(points(data, 'otel.sdk.exporter.log.exported')).toEqual(expect.arrayContaining([[component, 3]]));
    first.stop();
    log.information('One more');
    await log.flush();
    expect(points(await collect(reader), 'otel.sdk.exporter.log.exported')).toEqual(expect.arrayContaining([[component, 4]]));
    second.stop();
    log.information('Not reported');
    await log.flush();
    // Cumulative points keep their last value once no callback observes them: 4, not 5.
    expect(points(await collect(reader), 'otel.sdk.exporter.log.exported')).not.toEqual(expect.arrayContaining([[component, 5]]));
    await Promise.all([meterProvider.shutdown(), log.close()]);
  });

  // A child logger (forContext, child) writes to its parent's pipeline: the same counts. Taken for
  // another logger, it was refused while the parent was reported and, once the parent's handle was
  // stopped, its counts were added to the parent's as a new logger's: 3 events reported as 6.
  it('takes a child logger for the logger it comes from: reported beside it, and after its handle stopped, with no count added twice', async () => {
    const reader = new TestReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    const meter = meterProvider.getMeter('rxlog');
    const log = new LoggerConfiguration().writeTo.sink(new MemorySink(), { name: 'memory' }).createLogger();
    const parent = metricsToOpenTelemetry(log, meter);
    for (let i = 0; i < 3; i++) log.information('Event {N}', i);
    const component = { 'otel.component.name': 'memory', 'otel.component.type': 'rxlog_sink' };
    expect(points(await collect(reader), 'otel.sdk.processor.log.processed')).toEqual(expect.arrayContaining([[component, 3]]));
    const child = metricsToOpenTelemetry(log.forContext('Area', 'metrics'), meter);
    parent.stop();
    expect(points(await collect(reader), 'otel.sdk.processor.log.processed')).toEqual(expect.arrayContaining([[component, 3]]));
    log.child({ Area: 'more' }).information('One more');
    expect(points(await collect(reader), 'otel.sdk.processor.log.processed')).toEqual(expect.arrayContaining([[component, 4]]));
    child.stop();
    const again = metricsToOpenTelemetry(log.forContext('Area', 'again'), meter);
    expect(points(await collect(reader), 'otel.sdk.exporter.log.exported')).toEqual(expect.arrayContaining([[component, 4]]));
    again.stop();
    await Promise.all([meterProvider.shutdown(), log.close()]);
  });

  // An app that restarts its logger (stop() the handle, close the logger, make a new one with the
  // same names) went back to 0 on the same series: the SDK read the fall as a reset and gave the series
  // a new start time, and when the new logger had already counted past the old total by the next
  // collection, it saw no fall at all and lost the old logger's counts (3 + 5 reported as 5).
  it('keeps counting from where a stopped logger ended when a new logger reports the same components on the meter', async () => {
    const reader = new TestReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    const meter = meterProvider.getMeter('rxlog');
    const failing = {
      emit: (): never => {
        throw new Error('down');
      },
    };
    const start = (): Logger =>
      new LoggerConfiguration().writeTo
        .sink(new MemorySink(), { name: 'memory' })
        .writeTo.sink(failing, { name: 'down', retry: false })
        .createLogger();
    const series = async (): Promise<unknown[]> => {
      const data = await collect(reader);
      return ['otel.sdk.processor.log.processed', 'otel.sdk.exporter.log.exported'].flatMap((name) =>
        (data.find((m) => m.descriptor.name === name)?.dataPoints ?? [])
          .filter((p) => p.attributes['error.type'] === undefined || p.attributes['error.type'] === '_OTHER')
          .map((p) => [name, p.attributes['otel.component.name'], p.attributes['error.type'], p.value, p.startTime]),
      );
    };
    const first = start();
    const handle = metricsToOpenTelemetry(first, meter, { name: 'app' });
    for (let n = 0; n < 3; n++) first.information('Event {N}', n);
    const before = await series();
    handle.stop();
    await first.close();

    const second = start();
    const secondHandle = metricsToOpenTelemetry(second, meter, { name: 'app' });
    expect(await series()).toEqual(before);
    // The same logger reported again is no new logger: its counts are not added twice.
    secondHandle.stop();
    metricsToOpenTelemetry(second, meter, { name: 'app' });
    expect(await series()).toEqual(before);
    for (let n = 0; n < 5; n++) second.information('Event {N}', n);
    const after = await series();
    // Every point the old logger left at 3 is 3 + 5, from the same start time; the zeros stay 0.
    expect(after).toHaveLength(6);
    expect(after).toEqual(
      before.map((point) => {
        const [name, component, errorType, value, startTime] = point as [string, string, string | undefined, number, unknown];
        return [name, component, errorType, value === 0 ? 0 : value + 5, startTime];
      }),
    );
    expect(after).toEqual(
      expect.arrayContaining([
        ['otel.sdk.processor.log.processed', 'app/memory', undefined, 8, expect.anything()],
        ['otel.sdk.exporter.log.exported', 'app/down', '_OTHER', 8, expect.anything()],
      ]),
    );
    await Promise.all([meterProvider.shutdown(), second.close()]);
  });

  it('reports no capacity and no rejected series for a sink named like an Object.prototype member that the options do not name', async () => {
    const reader = new TestReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    const log = new LoggerConfiguration().writeTo
      .sink(new MemorySink(), { name: 'constructor' })
      .writeTo.sink(new MemorySink(), { name: 'toString' })
      .createLogger();
    metricsToOpenTelemetry(log, meterProvider.getMeter('rxlog'), { queueCapacity: {}, sinks: {} });
    log.information('One');
    const data = await collect(reader);
    expect(points(data, 'otel.sdk.processor.log.queue.capacity')).toEqual([]);
    expect(
      points(data, 'otel.sdk.exporter.log.exported').filter(([attributes]) => attributes['error.type'] === 'rejected'),
    ).toEqual([]);
    expect(points(data, 'otel.sdk.exporter.log.exported')).toEqual(
      expect.arrayContaining([[{ 'otel.component.name': 'constructor', 'otel.component.type': 'rxlog_sink' }, 1]]),
    );
    await Promise.all([meterProvider.shutdown(), log.close()]);
  });

  it('keeps two loggers on one meter apart with options.name, and refuses a second logger whose components would share names', async () => {
    const reader = new TestReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    const meter = meterProvider.getMeter('rxlog');
    const app = new LoggerConfiguration().writeTo.sink(new MemorySink()).createLogger();
    const audit = new LoggerConfiguration().writeTo.sink(new MemorySink()).createLogger();
    metricsToOpenTelemetry(app, meter);
    // Both would be `memory` and `rxlog`: the SDK would take one's values, then the other's, and the counters would climb at every collection.
    expect(() => metricsToOpenTelemetry(audit, meter)).toThrow(/"memory".*another logger.*name/);
    const auditHandle = metricsToOpenTelemetry(audit, meter, { name: 'audit' });
    app.information('One');
    audit.information('Two');
    audit.information('Three');
    await audit.close();
    audit.information('After close');
    const processed = async (): Promise<[Record<string, unknown>, number][]> =>
      points(await collect(reader), 'otel.sdk.processor.log.processed').filter(
        ([attributes]) => attributes['error.type'] === undefined || attributes['error.type'] === 'already_shutdown',
      );
    const expected = [
      [{ 'otel.component.name': 'memory', 'otel.component.type': 'rxlog_sink' }, 1],
      [{ 'otel.component.name': 'audit/memory', 'otel.component.type': 'rxlog_sink' }, 2],
      [{ 'otel.component.name': 'rxlog', 'otel.component.type': 'rxlog_sink', 'error.type': 'already_shutdown' }, 0],
      [{ 'otel.component.name': 'audit', 'otel.component.type': 'rxlog_sink', 'error.type': 'already_shutdown' }, 1],
      [{ 'otel.component.name': 'audit/memory', 'otel.component.type': 'rxlog_sink', 'error.type': 'already_shutdown' }, 0],
    ];
    // The same values at every collection: nothing counted twice.
    for (let collection = 0; collection < 3; collection++) expect(await processed()).toEqual(expect.arrayContaining(expected));
    expect(await processed()).toHaveLength(6);
    // Once the audit logger's handle is stopped, its names are free again.
    auditHandle.stop();
    const next = new LoggerConfiguration().writeTo.sink(new MemorySink()).createLogger();
    expect(() => metricsToOpenTelemetry(next, meter, { name: 'audit' })).not.toThrow();
    expect(() => metricsToOpenTelemetry(next, meter, { name: '' })).toThrow(ConfigurationError);
    expect(() => metricsToOpenTelemetry(next, meter, { name: 'audit\uD800' })).toThrow(
      'metricsToOpenTelemetry name: expected a non-empty string without a lone UTF-16 surrogate, got "audit\\ud800"',
    );
    // With no MeterProvider registered, the API's meter is a no-op one: nothing is reported, so nothing can collide.
    expect(() => [metricsToOpenTelemetry(app), metricsToOpenTelemetry(next)]).not.toThrow();
    await Promise.all([meterProvider.shutdown(), app.close(), next.close()]);
  });

  it('refuses a queueCapacity or sinks entry that names no sink of the logger, or a capacity that is not a whole count', async () => {
    // Before: a misspelt name ("HTTP" for "http") was silently ignored, and no capacity or rejected series appeared.
    const meter = new MeterProvider().getMeter('x');
    const log = new LoggerConfiguration().writeTo.sink(new MemorySink(), { name: 'http' }).createLogger();
    expect(() => metricsToOpenTelemetry(log, meter, { queueCapacity: { HTTP: 10 } })).toThrow(
      new ConfigurationError(
        'metricsToOpenTelemetry queueCapacity["HTTP"]: the logger has no sink of that name (its sinks: "http")',
      ),
    );
    expect(() => metricsToOpenTelemetry(log, meter, { sinks: { otlp: { rejectedLogRecords: 0 } } })).toThrow(
      /^metricsToOpenTelemetry sinks\["otlp"\]: the logger has no sink of that name/,
    );
    expect(() => metricsToOpenTelemetry(log, meter, { queueCapacity: { http: 1.5 } })).toThrow(/queueCapacity\["http"\].*1\.5/);
    const handle = metricsToOpenTelemetry(log, meter, {
      queueCapacity: { http: 10 },
      sinks: { http: { rejectedLogRecords: 0 } },
    });
    handle.stop();
    await log.close();
  });

  it('rejects what is not a logger, a meter or a capacity', () => {
    const meter = new MeterProvider().getMeter('x');
    const log = new LoggerConfiguration().createLogger();
    expect(() => metricsToOpenTelemetry({} as never, meter)).toThrow(ConfigurationError);
    expect(() => metricsToOpenTelemetry(log, {} as never)).toThrow(/Meter/);
    expect(() => metricsToOpenTelemetry(log, meter, { queueCapacity: { memory: -1 } })).toThrow(/queueCapacity\["memory"\]/);
    expect(() => metricsToOpenTelemetry(log, meter, { sinks: { memory: new MemorySink() as never } })).toThrow(
      /sinks\["memory"\]/,
    );
  });

  it('rejects options, a queueCapacity or a sinks that is not an object of entries by name, naming it', async () => {
    // Before: null options threw a TypeError, and a bare number or sink was read as no entries (or its fields), silently.
    const meter = new MeterProvider().getMeter('x');
    const otlp = new OtlpSink({ endpoint: 'http://localhost:4318/v1/logs' });
    const log = new LoggerConfiguration().writeTo.sink(otlp, { name: 'otlp' }).createLogger();
    expect(() => metricsToOpenTelemetry(log, meter, null as never)).toThrow(
      new ConfigurationError('metricsToOpenTelemetry: expected an options object, got null'),
    );
    expect(() => metricsToOpenTelemetry(log, meter, { queueCapacity: 2048 as never })).toThrow(
      new ConfigurationError(
        'metricsToOpenTelemetry queueCapacity: expected an object of queue limits by sink name ({ otlp: 2048 }), got number 2048',
      ),
    );
    expect(() => metricsToOpenTelemetry(log, meter, { queueCapacity: [2048] as never })).toThrow(/queueCapacity: .*got Array/);
    expect(() => metricsToOpenTelemetry(log, meter, { sinks: otlp as never })).toThrow(
      new ConfigurationError(
        'metricsToOpenTelemetry sinks: expected an object of sinks by sink name ({ otlp: sink }), got OtlpSink',
      ),
    );
    expect(() => metricsToOpenTelemetry(log, meter, { sinks: 'otlp' as never })).toThrow(
      /^metricsToOpenTelemetry sinks: .*got "otlp"/,
    );
    await log.close();
  });

  // Found by review: a getter or Proxy trap that throws threw its own error out of the call.
  it('refuses a logger, meter, option or entry it cannot read with a ConfigurationError naming it', async () => {
    const boom = (): never => {
      throw new Error('boom');
    };
    const meter = new MeterProvider().getMeter('x');
    const log = new LoggerConfiguration().writeTo.sink(new MemorySink(), { name: 'memory' }).createLogger();
    const trapping = (): never => new Proxy({}, { get: boom, ownKeys: boom }) as never;
    for (const [call, message] of [
      [() => metricsToOpenTelemetry(trapping(), meter), 'metricsToOpenTelemetry: reading the logger threw Error: boom'],
      [() => metricsToOpenTelemetry(log, trapping()), 'metricsToOpenTelemetry: reading the meter threw Error: boom'],
      [() => metricsToOpenTelemetry(log, meter, trapping()), 'metricsToOpenTelemetry: reading the options threw Error: boom'],
      [
        () =>
          metricsToOpenTelemetry(log, meter, {
            get name(): string {
              return boom();
            },
          }),
        'metricsToOpenTelemetry: reading option "name" threw Error: boom',
      ],
      [
        () =>
          metricsToOpenTelemetry(log, meter, {
            queueCapacity: {
              get memory(): number {
                return boom();
              },
            },
          }),
        'metricsToOpenTelemetry queueCapacity: reading the entries threw Error: boom',
      ],
      [
        () => metricsToOpenTelemetry(log, meter, { sinks: trapping() }),
        'metricsToOpenTelemetry sinks: reading the entries threw Error: boom',
      ],
      [
        () => metricsToOpenTelemetry(log, meter, { sinks: { memory: trapping() } }),
        'metricsToOpenTelemetry sinks["memory"]: reading the sink threw Error: boom',
      ],
    ] as const) {
      let error: unknown;
      try {
        call();
      } catch (thrown) {
        error = thrown;
      }
      expect(error).toEqual(new ConfigurationError(message));
      expect((error as Error).cause).toEqual(new Error('boom'));
    }
    await log.close();
  });
});
