import { map } from 'rxjs';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { LevelSwitch } from '../../lib/core/level-switch';
import type { LogEvent } from '../../lib/core/log-event';
import { MemorySink } from '../../lib/sinks/memory-sink';
import { ObservableSink } from '../../lib/sinks/observable-sink';
import { HttpSink } from '../../lib/sinks/http/http-sink';
import { SeqSink } from '../../lib/sinks/http/seq-sink';
import { OtlpSink } from '../../lib/sinks/http/otlp-sink';
import { LokiSink } from '../../lib/sinks/http/loki-sink';

const ok = (text = '{}') => (async () => new Response(text, { status: 200 })) as typeof fetch;
const failing = (async () => new Response('no', { status: 503 })) as typeof fetch;
const never = (() => new Promise<Response>(() => undefined)) as typeof fetch;

/** Runs fake time until `promise` settles (at most `limitMs` of virtual time), returning its value. */
async function settle<T>(promise: Promise<T>, limitMs = 120_000): Promise<T> {
  let done = false;
  let value!: T;
  void promise.then((v) => {
    done = true;
    value = v;
  });
  for (let t = 0; t < limitMs && !done; t += 500) await jest.advanceTimersByTimeAsync(500);
  if (!done) throw new Error('did not settle');
  return value;
}

describe('Logger.close() leaves no timer behind (fake timers)', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  const cases: [string, (sw: LevelSwitch) => LoggerConfiguration][] = [
    [
      'memory and observable, batched, with operators and metrics',
      (sw) =>
        new LoggerConfiguration().minimumLevel
          .controlledBy(sw)
          .pipe(map((e: LogEvent) => e))
          .writeTo.sink(new MemorySink(), { batch: { size: 10, maxDelayMs: 1_000 }, pipe: [map((e: LogEvent) => e)] })
          .writeTo.sink(new ObservableSink(), { minimumLevel: sw }),
    ],
    [
      'HttpSink answering 200, batched',
      () =>
        new LoggerConfiguration().writeTo.sink(new HttpSink({ url: 'http://h/x', fetch: ok() }), {
          batch: { size: 5, maxDelayMs: 500 },
        }),
    ],
    [
      'HttpSink failing (retries and breaker)',
      () =>
        new LoggerConfiguration().writeTo.sink(new HttpSink({ url: 'http://h/x', fetch: failing }), {
          retry: { attempts: 5, initialDelayMs: 1_000, maxDelayMs: 10_000 },
          circuitBreaker: { failureThreshold: 1, resetTimeoutMs: 30_000 },
        }),
    ],
    [
      'HttpSink that never answers',
      () => new LoggerConfiguration().writeTo.sink(new HttpSink({ url: 'http://h/x', fetch: never, timeoutMs: 5_000 })),
    ],
    [
      'SeqSink told a minimum level (level probe armed)',
      () =>
        new LoggerConfiguration().writeTo.sink(
          new SeqSink({ serverUrl: 'http://h', fetch: ok('{"MinimumLevelAccepted":"Warning"}') }),
        ),
    ],
    [
      'OtlpSink and LokiSink',
      () =>
        new LoggerConfiguration().writeTo
          .sink(new OtlpSink({ endpoint: 'http://h/v1/logs', fetch: ok() }))
          .writeTo.sink(new LokiSink({ url: 'http://h', fetch: ok() })),
    ],
  ];

  for (const [name, configure] of cases) {
    for (const strategy of ['graceful', 'immediate', 'flush'] as const) {
      it(`${name}: ${strategy}`, async () => {
        const sw = new LevelSwitch('verbose');
        const log = configure(sw).createLogger();
        const metrics = log.metrics$.subscribe(() => undefined);
        for (let i = 0; i < 20; i++) log.forContext('SourceContext', `S${i}`).information('event {N}', i);
        await jest.advanceTimersByTimeAsync(10);
        const report =
          strategy === 'flush' ? log.close({ strategy, timeoutMs: 1_000 }) : log.close({ strategy, timeoutMs: 1_000 });
        await settle(report);
        expect(metrics.closed).toBe(true);
        expect(jest.getTimerCount()).toBe(0);
      });
    }
  }
});

describe('an open logger leaves no timer behind (fake timers)', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('once every metrics$ subscriber has unsubscribed, however many came and went', () => {
    const log = new LoggerConfiguration().writeTo.sink(new MemorySink()).createLogger();
    for (let i = 0; i < 1_000; i++) {
      const subscription = (i % 2 === 0 ? log.metrics$ : log.metricsEvery(10)).subscribe(() => undefined);
      jest.advanceTimersByTime(i % 3);
      subscription.unsubscribe();
    }
    expect(jest.getTimerCount()).toBe(0);
  });

  it('after flushes that completed, and flushes that timed out on a sink that never settles', async () => {
    const memory = new LoggerConfiguration().writeTo
      .sink(new MemorySink(), { batch: { size: 100, maxDelayMs: 1_000 } })
      .createLogger();
    for (let i = 0; i < 200; i++) {
      memory.information('Event {N}', i);
      await settle(memory.flush());
    }
    const stuck = new LoggerConfiguration().writeTo.sink({ emit: () => new Promise<void>(() => undefined) }).createLogger();
    for (let i = 0; i < 50; i++) {
      stuck.information('Event {N}', i);
      expect(await settle(stuck.flush({ timeoutMs: 100 }))).toEqual({ timedOut: true });
    }
    expect(jest.getTimerCount()).toBe(0);
  });
});
