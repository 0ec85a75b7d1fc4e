import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import type { LogEvent } from '../../lib/core/log-event';
import type { Sink } from '../../lib/core/sink';
import { FINGERS_CROSSED_REASONS, fingersCrossed } from '../../lib/operators/fingers-crossed';
import { throttleEvents } from '../../lib/operators/throttle-events';
import { MemorySink } from '../../lib/sinks/memory-sink';
import { createTestScheduler } from '../helpers/test-scheduler';
import { collectSelfLog } from '../helpers/self-log';
import {
  asyncScheduler,
  defer,
  groupBy,
  mergeMap,
  of,
  type OperatorFunction,
  type SchedulerLike,
  Subject,
  throwError,
} from 'rxjs';
import { retryWithBackoff } from '../../lib/operators/retry-with-backoff';
import { LogEventRecord } from '../../lib/templates/log-event-record';
import { parseTemplateCached } from '../../lib/templates/template-cache';

/** Records the virtual time of every batch a sink receives. */
class TimedSink implements Sink {
  readonly kind = 'timed';
  readonly batches: { at: number; size: number }[] = [];
  constructor(
    private readonly now: () => number,
    private readonly failUntil = -1,
  ) {}
  emit(events: readonly LogEvent[]): void {
    if (this.now() < this.failUntil) throw new Error(`down until ${this.failUntil}`);
    this.batches.push({ at: this.now(), size: events.length });
  }
}

describe('LoggerConfiguration.useScheduler', () => {
  it('runs a sink pipe’s throttleEvents given no scheduler on the logger’s: its summary comes at the virtual window end', () => {
    const scheduler = createTestScheduler();
    scheduler.run(({ flush }) => {
      const memory = new MemorySink();
      const log = new LoggerConfiguration()
        .useScheduler(scheduler)
        .writeTo.sink(memory, { pipe: [throttleEvents({ windowMs: 100 })] })
        .createLogger();
      for (let i = 0; i < 3; i++) log.error('Disk full');
      scheduler.schedule(() => {
        // Not yet: the window ends at 100.
        expect(memory.events.map((e) => e.renderMessage())).toEqual(['Disk full']);
      }, 99);
      flush();
      expect(scheduler.now()).toBe(100);
      expect(memory.events.map((e) => e.renderMessage())).toEqual(['Disk full', 'Suppressed 2 repeats of "Disk full"']);
      // Stamped by the logger's clock, and counted: 3 logged + 1 summary received, 2 suppressed.
      expect(memory.events[1].timestamp.getTime()).toBe(100);
      expect(log.metrics().sinks.memory).toMatchObject({ received: 4, delivered: 2, dropped: 2 });
      void log.close({ strategy: 'immediate' });
    });
  });

  it('runs an operator of the shared .pipe(…) given no scheduler on the logger’s', () => {
    const scheduler = createTestScheduler();
    scheduler.run(({ flush }) => {
      const memory = new MemorySink();
      const log = new LoggerConfiguration()
        .useScheduler(scheduler)
        .pipe(throttleEvents({ windowMs: 50 }))
        .writeTo.sink(memory)
        .createLogger();
      for (let i = 0; i < 4; i++) log.warning('Slow query');
      flush();
      expect(scheduler.now()).toBe(50);
      expect(memory.events.map((e) => e.renderMessage())).toEqual(['Slow query', 'Suppressed 3 repeats of "Slow query"']);
      void log.close({ strategy: 'immediate' });
    });
  });

  it('runs an operator subscribed on an event’s turn (a groupBy group’s throttleEvents) on the logger’s scheduler too', () => {
    const scheduler = createTestScheduler();
    scheduler.run(({ flush }) => {
      const memory = new MemorySink();
      const perTenant: OperatorFunction<LogEvent, LogEvent> = (source) =>
        source.pipe(
          groupBy((event) => event.properties.Tenant),
          mergeMap((group) => group.pipe(throttleEvents({ windowMs: 30 }))),
        );
      const log = new LoggerConfiguration()
        .useScheduler(scheduler)
        .writeTo.sink(memory, { pipe: [perTenant] })
        .createLogger();
      for (let i = 0; i < 2; i++) log.error('Quota hit by {Tenant}', 'a');
      flush();
      expect(scheduler.now()).toBe(30);
      expect(memory.events.map((e) => e.renderMessage())).toEqual([
        'Quota hit by a',
        'Suppressed 1 repeats of "Quota hit by {Tenant}"',
      ]);
      void log.close({ strategy: 'immediate' });
    });
  });

  it('expires a sink pipe’s fingersCrossed buffer given no scheduler in virtual time', () => {
    const scheduler = createTestScheduler();
    scheduler.run(({ flush }) => {
      const memory = new MemorySink();
      const log = new LoggerConfiguration().minimumLevel
        .debug()
        .useScheduler(scheduler)
        .writeTo.sink(memory, { pipe: [fingersCrossed({ ttlMs: 200 })] })
        .createLogger();
      log.debug('Held');
      flush();
      expect(scheduler.now()).toBe(200);
      expect(memory.events).toHaveLength(0);
      expect(log.metrics().sinks.memory).toMatchObject({
        received: 1,
        dropped: 1,
        droppedBy: { [FINGERS_CROSSED_REASONS.expired]: 1 },
      });
      void log.close({ strategy: 'immediate' });
    });
  });

  it('keeps an operator on the scheduler passed to it explicitly, not the logger’s', () => {
    const scheduler = createTestScheduler();
    const own = createTestScheduler();
    scheduler.run(({ flush }) => {
      const memory = new MemorySink();
      const log = new LoggerConfiguration()
        .useScheduler(scheduler)
        .writeTo.sink(memory, { pipe: [throttleEvents({ windowMs: 100 }, own)] })
        .createLogger();
      for (let i = 0; i < 3; i++) log.error('Disk full');
      flush();
      // The logger's virtual time does not end the window: its own scheduler runs it.
      expect(memory.events.map((e) => e.renderMessage())).toEqual(['Disk full']);
      own.flush();
      expect(memory.events.map((e) => e.renderMessage())).toEqual(['Disk full', 'Suppressed 2 repeats of "Disk full"']);
      void log.close({ strategy: 'immediate' });
    });
  });

  it('falls back to the default timers outside a logger: the same operator serves a logger’s sink in virtual time and an app stream on real timers', () => {
    const throttle = throttleEvents({ windowMs: 100 });
    const retrying = retryWithBackoff<number>({ attempts: 2, initialDelayMs: 40, jitter: 0 });
    const scheduler = createTestScheduler();
    scheduler.run(({ flush }) => {
      const memory = new MemorySink();
      const log = new LoggerConfiguration()
        .useScheduler(scheduler)
        .writeTo.sink(memory, { pipe: [throttle] })
        .createLogger();
      for (let i = 0; i < 2; i++) log.error('Disk full');
      flush();
      expect(memory.events.map((e) => e.renderMessage())).toEqual(['Disk full', 'Suppressed 1 repeats of "Disk full"']);
      void log.close({ strategy: 'immediate' });
    });
    jest.useFakeTimers();
    try {
      const seen: string[] = [];
      const events = new Subject<LogEvent>();
      const subscription = events.pipe(throttle).subscribe((event) => seen.push(event.renderMessage()));
      const event = new LogEventRecord(0, 'error', parseTemplateCached('Disk full'), {});
      events.next(event);
      events.next(event);
      jest.advanceTimersByTime(99);
      expect(seen).toEqual(['Disk full']);
      jest.advanceTimersByTime(1);
      expect(seen).toEqual(['Disk full', 'Suppressed 1 repeats of "Disk full"']);
      subscription.unsubscribe();

      let attempts = 0;
      const results: number[] = [];
      defer(() => (++attempts === 1 ? throwError(() => new Error('down')) : of(attempts)))
        .pipe(retrying)
        .subscribe((value) => results.push(value));
      jest.advanceTimersByTime(39);
      expect(results).toEqual([]);
      jest.advanceTimersByTime(1);
      expect(results).toEqual([2]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('runs a whole logger’s batch ages in virtual time', () => {
    const scheduler = createTestScheduler();
    scheduler.run(({ flush }) => {
      const sink = new TimedSink(() => scheduler.now());
      const log = new LoggerConfiguration()
        .useScheduler(scheduler)
        .writeTo.sink(sink, { batch: { size: 3, maxDelayMs: 50 } })
        .createLogger();
      scheduler.schedule(() => log.information('a'), 10);
      scheduler.schedule(() => log.information('b'), 20);
      scheduler.schedule(() => {
        log.information('c');
        log.information('d');
      }, 30);
      scheduler.schedule(() => log.information('e'), 100);
      flush();
      // a, b, c fill a batch at 30; d's batch is sent when d is 50 ms old (80); e's at 150.
      expect(sink.batches).toEqual([
        { at: 30, size: 3 },
        { at: 80, size: 1 },
        { at: 150, size: 1 },
      ]);
    });
  });

  it('retries with backoff on the virtual clock and delivers once the sink recovers', () => {
    const scheduler = createTestScheduler();
    scheduler.run(({ flush }) => {
      const sink = new TimedSink(() => scheduler.now(), 250);
      const log = new LoggerConfiguration()
        .useScheduler(scheduler)
        .writeTo.sink(sink, { retry: { attempts: 4, initialDelayMs: 100, maxDelayMs: 1_000, jitter: 0 } })
        .createLogger();
      log.information('x');
      flush();
      // Tries at 0, 100 and 300 (backoff 100, then 200): the third is after recovery at 250.
      expect(sink.batches).toEqual([{ at: 300, size: 1 }]);
      const metrics = log.metrics().sinks.timed;
      expect(metrics).toMatchObject({ received: 1, delivered: 1, failed: 0, retried: 2, pending: 0 });
    });
  });

  it('opens the breaker, sends to the fallback, and closes it on a successful probe after the reset', () => {
    const scheduler = createTestScheduler();
    scheduler.run(({ flush }) => {
      const primary = new TimedSink(() => scheduler.now(), 1_000);
      const fallback = new MemorySink();
      const log = new LoggerConfiguration()
        .useScheduler(scheduler)
        .writeTo.sink(primary, {
          name: 'primary',
          retry: false,
          circuitBreaker: { failureThreshold: 2, resetTimeoutMs: 400 },
          fallback,
        })
        .createLogger();
      for (let t = 0; t < 6; t++) scheduler.schedule(() => log.information('tick {T}', t), t * 100);
      scheduler.schedule(() => log.information('after recovery'), 1_500);
      flush();
      const metrics = log.metrics().sinks.primary;
      expect(fallback.events.map((e) => e.properties.T)).toEqual([0, 1, 2, 3, 4, 5]);
      expect(primary.batches).toEqual([{ at: 1_500, size: 1 }]);
      expect(metrics).toMatchObject({ received: 7, delivered: 7, fallback: 6, failed: 0, breaker: 'closed' });
    });
  });

  describe('a scheduler that fails', () => {
    /** A logger batching 10 / 100 ms into a MemorySink, on a scheduler (real timers) whose now() and schedule() fail when told to; SelfLog collected. */
    function onBreakableScheduler() {
      let now: (() => number) | undefined;
      let schedule = false;
      const scheduler = {
        now: () => (now === undefined ? Date.now() : now()),
        schedule: ((...args: Parameters<SchedulerLike['schedule']>) => {
          if (schedule) throw new Error('schedule is broken');
          return asyncScheduler.schedule(...args);
        }) as SchedulerLike['schedule'],
      };
      const memory = new MemorySink();
      const selfLog = collectSelfLog();
      const log = new LoggerConfiguration()
        .useScheduler(scheduler)
        .writeTo.sink(memory, { batch: { size: 10, maxDelayMs: 100 } })
        .createLogger();
      return {
        log,
        memory,
        selfLog,
        breakNow: (value?: unknown) => {
          now = () => {
            if (value === undefined) throw new Error('now is broken');
            return value as number;
          };
        },
        breakSchedule: () => {
          schedule = true;
        },
      };
    }

    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());

    it.each([
      ['throws', undefined],
      ['gives NaN', NaN],
      ['gives a string', 'soon'],
    ])('loses no event and still closes with a report when now() %s', async (_, value) => {
      const { log, memory, selfLog, breakNow } = onBreakableScheduler();
      log.information('before');
      breakNow(value);
      log.information('after');
      log.information('again');
      const closing = log.close();
      await jest.runAllTimersAsync();
      const report = await closing;
      selfLog.stop();
      expect(memory.events.map((e) => e.messageTemplate.text)).toEqual(['before', 'after', 'again']);
      expect(report.sinks.memory).toEqual({ delivered: 3, dropped: 0, failed: 0, undelivered: 0 });
      expect(report.elapsedMs).toEqual(expect.any(Number));
      expect(Number.isFinite(report.elapsedMs)).toBe(true);
      // Reported once, however often the clock is read.
      expect(selfLog.diagnostics.filter((d) => d.template.includes("scheduler's now()"))).toHaveLength(1);
    });

    it('runs the timers a throwing schedule() refused on the default timers', async () => {
      const { log, memory, selfLog, breakSchedule } = onBreakableScheduler();
      breakSchedule();
      log.information('waits for its batch age');
      expect(memory.events).toHaveLength(0);
      await jest.advanceTimersByTimeAsync(100);
      expect(memory.events).toHaveLength(1);
      const closing = log.close();
      await jest.runAllTimersAsync();
      await expect(closing).resolves.toMatchObject({ sinks: { memory: { delivered: 1, undelivered: 0 } } });
      selfLog.stop();
      expect(selfLog.diagnostics.filter((d) => d.template.includes("scheduler's schedule()"))).toHaveLength(1);
    });
  });
});
