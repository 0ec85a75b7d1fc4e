import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import type { LogEvent } from '../../lib/core/log-event';
import type { Sink } from '../../lib/core/sink';
import { throttleEvents } from '../../lib/operators/throttle-events';
import { MemorySink } from '../../lib/sinks/memory-sink';
import { createTestScheduler } from '../helpers/test-scheduler';
import { collectSelfLog } from '../helpers/self-log';
import { asyncScheduler, type SchedulerLike } from 'rxjs';

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
  it('leaves a sink pipe’s operator on the scheduler it was made with, as docs/configuration.md says: given this one, it runs in virtual time', () => {
    const scheduler = createTestScheduler();
    scheduler.run(({ flush }) => {
      const given = new MemorySink();
      const notGiven = new MemorySink();
      const log = new LoggerConfiguration()
        .useScheduler(scheduler)
        .writeTo.sink(given, { pipe: [throttleEvents({ windowMs: 100 }, scheduler)] })
        .writeTo.sink(notGiven, { pipe: [throttleEvents({ windowMs: 100 })] })
        .createLogger();
      for (let i = 0; i < 3; i++) log.error('Disk full');
      flush();
      expect(scheduler.now()).toBe(100);
      expect(given.events.map((e) => e.renderMessage())).toEqual(['Disk full', 'Suppressed 2 repeats of "Disk full"']);
      // Its window is a real (unref'd) timer, which virtual time does not reach.
      expect(notGiven.events.map((e) => e.renderMessage())).toEqual(['Disk full']);
      void log.close({ strategy: 'immediate' });
    });
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
