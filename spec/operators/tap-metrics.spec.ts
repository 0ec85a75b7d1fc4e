import { take } from 'rxjs';
import { SinkMetricsRecorder } from '../../lib/metrics/sink-metrics-recorder';
import { ConfigurationError } from '../../lib/core/errors/configuration-error';
import type { LogEvent } from '../../lib/core/log-event';
import { SelfLog, type SelfLogEvent } from '../../lib/core/self-log';
import { tapMetrics, type TapMetricsOptions, type TappedCounter } from '../../lib/operators/tap-metrics';
import { batchEvents } from '../../lib/operators/batch-events';
import { countingSource, makeEvent, makeEvents } from '../helpers/events';
import { createTestScheduler } from '../helpers/test-scheduler';
import { collectSelfLog } from '../helpers/self-log';
import { createLogEvent } from '../../lib/templates/log-event-record';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { MemorySink } from '../../lib/sinks/memory-sink';

const [a, b, c] = makeEvents(3);

describe('tapMetrics', () => {
  it('counts each event into the chosen counter and passes the stream through unchanged', () => {
    const recorder = new SinkMetricsRecorder('x');
    const testScheduler = createTestScheduler();
    testScheduler.run(({ hot, expectObservable }) => {
      const source = hot('-a-b-c-|', { a, b, c });
      expectObservable(source.pipe(tapMetrics(recorder, 'received', {}, testScheduler))).toBe('-a-b-c-|', { a, b, c });
    });
    expect(recorder.snapshot()).toMatchObject({ received: 3, delivered: 0 });
  });

  it('counts a batch by its length', () => {
    const recorder = new SinkMetricsRecorder('x');
    const testScheduler = createTestScheduler();
    testScheduler.run(({ hot, expectObservable }) => {
      const source = hot('-x-y-|', { x: [a, b], y: [c] });
      expectObservable(source.pipe(tapMetrics(recorder, 'delivered', {}, testScheduler))).toBe('-x-y-|', { x: [a, b], y: [c] });
    });
    expect(recorder.delivered).toBe(3);
  });

  it('keeps pending as what received counted and the other counters have not, so a snapshot balances', () => {
    const recorder = new SinkMetricsRecorder('x');
    const testScheduler = createTestScheduler();
    const seen: { received: number; delivered: number; failed: number; pending: number }[] = [];
    testScheduler.run(({ hot }) => {
      const source = hot('-a-b-c-d-|', { a, b, c, d: makeEvent() });
      source
        .pipe(
          tapMetrics(recorder, 'received', {}, testScheduler),
          batchEvents({ size: 2, maxDelayMs: 100 }, testScheduler),
          tapMetrics(recorder, 'delivered', {}, testScheduler),
        )
        .subscribe(() => undefined);
      source.subscribe(() => {
        const { received, delivered, failed, pending } = recorder.snapshot();
        seen.push({ received, delivered, failed, pending });
      });
    });
    // Was pending 0 throughout: received 3, delivered 2, pending 0 did not add up.
    expect(seen.map(({ pending }) => pending)).toEqual([1, 0, 1, 0]);
    for (const { received, delivered, failed, pending } of seen) expect(received).toBe(delivered + failed + pending);
    // A recorder that only counts settled events keeps pending at 0, never below.
    const settledOnly = new SinkMetricsRecorder('y');
    testScheduler.run(({ hot }) => {
      hot('-a-|', { a })
        .pipe(tapMetrics(settledOnly, 'failed', {}, testScheduler))
        .subscribe(() => undefined);
    });
    expect(settledOnly.snapshot()).toMatchObject({ failed: 1, pending: 0 });
  });

  it('records each event’s age when asked for latency', () => {
    const recorder = new SinkMetricsRecorder('x');
    const testScheduler = createTestScheduler();
    testScheduler.run(({ hot, expectObservable }) => {
      const old = makeEvent({ timestamp: new Date(0) });
      const source = hot('-----o|', { o: old });
      expectObservable(source.pipe(tapMetrics(recorder, 'failed', { latency: true }, testScheduler))).toBe('-----o|', { o: old });
    });
    expect(recorder.failed).toBe(1);
    expect(recorder.snapshot().latencyMs.max).toBe(5);
  });

  it('records the age of an app operator’s spread copy of an event from the time it carries (timeMs), as the pipeline reads it', () => {
    const recorder = new SinkMetricsRecorder('x');
    const { diagnostics, stop } = collectSelfLog();
    const testScheduler = createTestScheduler();
    try {
      testScheduler.run(({ hot, expectObservable }) => {
        const record = createLogEvent('information', 'Order {Id}', [1], { timestamp: new Date(2) });
        const copy = { ...record, properties: { ...record.properties, Region: 'eu' } } as unknown as LogEvent;
        const source = hot('-------c|', { c: copy });
        expectObservable(source.pipe(tapMetrics(recorder, 'delivered', { latency: true }, testScheduler))).toBe('-------c|', {
          c: copy,
        });
      });
    } finally {
      stop();
    }
    expect(recorder.snapshot().latencyMs.max).toBe(5);
    expect(diagnostics).toEqual([]);
  });

  it('records no latency for an event without a usable timestamp, counting and passing it on, and tells SelfLog once; a future one is age 0', () => {
    const recorder = new SinkMetricsRecorder('audit');
    const testScheduler = createTestScheduler();
    const malformed = (timestamp: unknown): LogEvent => ({ ...makeEvent(), timestamp: timestamp as Date });
    const throwing = makeEvent();
    Object.defineProperty(throwing, 'timestamp', {
      get() {
        throw new Error('no clock');
      },
    });
    const events = {
      m: malformed(undefined),
      n: malformed(new Date(Number.NaN)),
      s: malformed('1970-01-01T00:00:00Z'),
      z: malformed(0),
      f: malformed(new Date(10_000)),
      t: throwing,
      o: makeEvent({ timestamp: new Date(0) }),
    };
    const batch = [null as unknown as LogEvent, events.m, events.f, events.o];
    const diagnostics: SelfLogEvent[] = [];
    const subscription = SelfLog.events$.subscribe((d) => diagnostics.push(d));
    try {
      testScheduler.run(({ hot, expectObservable }) => {
        const source = hot('-mnszft---o|', events);
        expectObservable(source.pipe(tapMetrics(recorder, 'received', { latency: true }, testScheduler))).toBe(
          '-mnszft---o|',
          events,
        );
        const batches = hot('--------b|', { b: batch });
        expectObservable(batches.pipe(tapMetrics(recorder, 'delivered', { latency: true }, testScheduler))).toBe('--------b|', {
          b: batch,
        });
      });
    } finally {
      subscription.unsubscribe();
    }
    expect(recorder.received).toBe(7);
    expect(recorder.delivered).toBe(4);
    // The two events stamped at 0 have an age, 10 and 8 ms; the two stamped ahead of the clock count 0,
    // as the histogram counts a latency of a clock that stepped back.
    expect(recorder.latency.count).toBe(4);
    expect(recorder.snapshot().latencyMs.sum).toBe(18);
    const { latencyMs } = recorder.snapshot();
    expect(latencyMs.max).toBe(10);
    expect(Object.values(latencyMs).every((value) => Number.isFinite(value) && value >= 0)).toBe(true);
    // Once per operator: the received tap and the delivered tap each told once.
    expect(diagnostics.filter((d) => d.template.startsWith('tapMetrics:')).map((d) => d.args[0])).toEqual(['audit', 'audit']);
  });

  // A logger on a virtual clock (useScheduler) stamps its events with Date.now(), far ahead of the
  // scheduler's now(): every age was negative, no latency was recorded, and SelfLog called each
  // event's timestamp unusable.
  it('records a latency for every event of a logger on a virtual clock, whose timestamps are ahead of it', () => {
    const recorder = new SinkMetricsRecorder('app');
    const { diagnostics, stop } = collectSelfLog();
    const testScheduler = createTestScheduler();
    try {
      testScheduler.run(({ flush }) => {
        const memory = new MemorySink();
        const log = new LoggerConfiguration()
          .useScheduler(testScheduler)
          .pipe(tapMetrics(recorder, 'received', { latency: true }))
          .writeTo.sink(memory)
          .createLogger();
        log.information('One');
        log.information('Two');
        flush();
        expect(memory.events).toHaveLength(2);
      });
    } finally {
      stop();
    }
    expect(recorder.received).toBe(2);
    expect(recorder.snapshot().latencyMs).toMatchObject({ count: 2, sum: 0, max: 0 });
    expect(diagnostics).toEqual([]);
  });

  it('passes errors through', () => {
    const recorder = new SinkMetricsRecorder('x');
    const testScheduler = createTestScheduler();
    testScheduler.run(({ hot, expectObservable }) => {
      expectObservable(hot('-a-#', { a }).pipe(tapMetrics(recorder, 'dropped'))).toBe('-a-#', { a });
    });
    expect(recorder.dropped).toBe(1);
  });
  it('rejects an unknown counter or a missing recorder when built, naming them', () => {
    const recorder = new SinkMetricsRecorder('audit');
    expect(() => tapMetrics(recorder, 'recieved' as TappedCounter)).toThrow(ConfigurationError);
    expect(() => tapMetrics(recorder, 'recieved' as TappedCounter)).toThrow(/tapMetrics: counter.*"recieved"/);
    expect(() => tapMetrics(undefined as unknown as SinkMetricsRecorder, 'received')).toThrow(
      /tapMetrics: expected a SinkMetricsRecorder/,
    );
  });

  it('rejects options that are not an object, or an option it does not know, with a ConfigurationError naming it', () => {
    const recorder = new SinkMetricsRecorder('audit');
    expect(() => tapMetrics(recorder, 'received', null as unknown as TapMetricsOptions)).toThrow(ConfigurationError);
    expect(() => tapMetrics(recorder, 'received', null as unknown as TapMetricsOptions)).toThrow(/tapMetrics: .*null/);
    expect(() => tapMetrics(recorder, 'received', { latncy: true } as TapMetricsOptions)).toThrow(ConfigurationError);
    expect(() => tapMetrics(recorder, 'received', { latncy: true } as TapMetricsOptions)).toThrow(/latncy/);
  });

  it('rejects a latency option that is not a boolean when built, instead of silently recording no latency', () => {
    const recorder = new SinkMetricsRecorder('audit');
    const latency = (value: unknown): TapMetricsOptions => ({ latency: value as boolean });
    expect(() => tapMetrics(recorder, 'delivered', latency('yes'))).toThrow(ConfigurationError);
    expect(() => tapMetrics(recorder, 'delivered', latency('yes'))).toThrow(
      /tapMetrics: latency: expected true or false, got "yes"/,
    );
    expect(() => tapMetrics(recorder, 'delivered', latency(1))).toThrow(/latency.*1/);
    expect(() => tapMetrics(recorder, 'delivered', latency(false))).not.toThrow();
    expect(() => tapMetrics(recorder, 'delivered', latency(undefined))).not.toThrow();
  });
});

describe('tapMetrics under a downstream that unsubscribes', () => {
  it('stops a synchronous source at once and counts only what went through (take(1))', () => {
    const recorder = new SinkMetricsRecorder('audit');
    const { source, emitted } = countingSource(makeEvents(1_000));
    const out: LogEvent[] = [];
    source.pipe(tapMetrics(recorder, 'received'), take(1)).subscribe((event) => out.push(event));
    expect(out).toHaveLength(1);
    expect(emitted()).toBe(1);
    expect(recorder.received).toBe(1);
  });
});
