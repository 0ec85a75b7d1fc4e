import {
  asyncScheduler,
  BehaviorSubject,
  defer,
  from,
  type Observable,
  type SchedulerLike,
  Subject,
  take,
  throwError,
} from 'rxjs';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { MemorySink } from '../../lib/sinks/memory-sink';
import type { LogEvent } from '../../lib/core/log-event';
import { ConfigurationError } from '../../lib/core/errors/configuration-error';
import { BOUNDED_QUEUE_REASONS, boundedQueue, type BoundedQueueOptions } from '../../lib/operators/bounded-queue';
import { RecordingAccounting, subscribedWith } from '../helpers/recording-accounting';
import { countingSource, makeEvents } from '../helpers/events';
import { createTestScheduler } from '../helpers/test-scheduler';
import { heapGrowthMiB } from '../helpers/operator-memory';
import { collectSelfLog } from '../helpers/self-log';
import { nextMacrotask, selfResolvingThenable } from '../helpers/self-resolving-thenable';

const [a, b, c, d, e] = makeEvents(5);
const events = { a, b, c, d, e };

describe('boundedQueue', () => {
  it('holds events until demand$ asks for them, releasing up to N per request', () => {
    const testScheduler = createTestScheduler();
    testScheduler.run(({ hot, expectObservable }) => {
      const source = hot('-a-b-c-d----|', events);
      const demand = hot('----2----1-2-', { 1: 1, 2: 2 });
      expectObservable(source.pipe(boundedQueue({}, demand, testScheduler))).toBe('----(ab)-c-d|', events);
    });
  });

  it('passes an event straight through while there is credit and nothing queued', () => {
    const testScheduler = createTestScheduler();
    testScheduler.run(({ hot, expectObservable }) => {
      const source = hot('---a-b-c-|', events);
      const demand = hot('-3-------', { 3: 3 });
      expectObservable(source.pipe(boundedQueue({}, demand, testScheduler))).toBe('---a-b-c-|', events);
    });
  });

  it('completes only once the source has completed and the queue is empty', () => {
    const testScheduler = createTestScheduler();
    testScheduler.run(({ hot, expectObservable }) => {
      const source = hot('-abc|', events);
      const demand = hot('------1--2', { 1: 1, 2: 2 });
      expectObservable(source.pipe(boundedQueue({}, demand, testScheduler))).toBe('------a--(bc|)', events);
    });
  });

  it('drops the oldest when full and reports each drop, never blocking the producer', () => {
    const testScheduler = createTestScheduler();
    const drops: number[] = [];
    testScheduler.run(({ hot, expectObservable }) => {
      const source = hot('-abcde-|', events);
      const demand = hot('-------9', { 9: 9 });
      expectObservable(source.pipe(boundedQueue({ limit: 2, onDrop: (count) => drops.push(count) }, demand, testScheduler))).toBe(
        '-------(de|)',
        events,
      );
    });
    expect(drops).toEqual([1, 1, 1]);
  });

  it('keeps the first events with drop-newest', () => {
    const testScheduler = createTestScheduler();
    testScheduler.run(({ hot, expectObservable }) => {
      const source = hot('-abcde-|', events);
      const demand = hot('-------9', { 9: 9 });
      expectObservable(source.pipe(boundedQueue({ limit: 2, overflow: 'drop-newest' }, demand, testScheduler))).toBe(
        '-------(ab|)',
        events,
      );
    });
  });

  it('passes errors from the source and from demand$ through at once', () => {
    const testScheduler = createTestScheduler();
    testScheduler.run(({ hot, expectObservable }) => {
      expectObservable(hot('-a-#', events).pipe(boundedQueue({}, hot('-----1'), testScheduler))).toBe('---#');
      expectObservable(hot('-a---', events).pipe(boundedQueue({}, hot('--#'), testScheduler))).toBe('--#');
    });
  });

  it('never subscribes to the source when demand$ errors at subscription', () => {
    let subscriptions = 0;
    const source = defer(() => {
      subscriptions++;
      return from(makeEvents(2));
    });
    let failure: unknown;
    source
      .pipe(
        boundedQueue(
          {},
          throwError(() => new Error('no demand')),
        ),
      )
      .subscribe({ error: (error: unknown) => (failure = error) });
    expect(failure).toEqual(new Error('no demand'));
    expect(subscriptions).toBe(0);
  });

  it('takes credit granted at subscription, and demand granted from inside the subscriber', () => {
    const source = new Subject<LogEvent>();
    const demand$ = new BehaviorSubject(1);
    const seen: unknown[] = [];
    source.pipe(boundedQueue({}, demand$, createTestScheduler())).subscribe((event) => {
      seen.push(event.properties.N);
      if (seen.length < 3) demand$.next(1);
    });
    makeEvents(5).forEach((event) => source.next(event));
    expect(seen).toEqual([0, 1, 2]);
    demand$.next(5);
    expect(seen).toEqual([0, 1, 2, 3, 4]);
  });

  it('releases 100 000 queued events one by one to a subscriber that asks for each next one from inside next, without recursing', () => {
    const demand$ = new BehaviorSubject(0);
    let seen = 0;
    let failure: unknown;
    from(makeEvents(100_000))
      .pipe(boundedQueue({ limit: 100_000 }, demand$, createTestScheduler()))
      .subscribe({
        next: () => {
          seen++;
          demand$.next(1);
        },
        error: (error: unknown) => (failure = error),
      });
    demand$.next(1);
    expect(failure).toBeUndefined();
    expect(seen).toBe(100_000);
  });

  it('releases whole events only: fractional demand accumulates, and NaN, negative or non-number demand grants nothing', () => {
    const demand$ = new Subject<number>();
    const seen: unknown[] = [];
    from(makeEvents(5))
      .pipe(boundedQueue({}, demand$, createTestScheduler()))
      .subscribe((event) => seen.push(event.properties.N));
    demand$.next(1.5);
    expect(seen).toEqual([0]);
    demand$.next(0.5);
    expect(seen).toEqual([0, 1]);
    demand$.next(Number.NaN);
    demand$.next(-3);
    demand$.next('2' as unknown as number); // a JavaScript caller's string
    expect(seen).toEqual([0, 1]);
    demand$.next(1);
    expect(seen).toEqual([0, 1, 2]);
  });

  it('gives every subscription each grant of a shared demand$, as documented: one demand$ per consumer', () => {
    const demand$ = new Subject<number>();
    const queue = boundedQueue({}, demand$, createTestScheduler());
    const first: unknown[] = [];
    const second: unknown[] = [];
    from(makeEvents(3))
      .pipe(queue)
      .subscribe((event) => first.push(event.properties.N));
    from(makeEvents(3))
      .pipe(queue)
      .subscribe((event) => second.push(event.properties.N));
    demand$.next(2);
    expect(first).toEqual([0, 1]);
    expect(second).toEqual([0, 1]);
  });

  it('counts decimal fractions of demand as they add up: ten grants of 0.1 release one event', () => {
    const demand$ = new Subject<number>();
    const seen: unknown[] = [];
    from(makeEvents(3))
      .pipe(boundedQueue({}, demand$, createTestScheduler()))
      .subscribe((event) => seen.push(event.properties.N));
    // 0.1 added ten times is 0.9999999999999999 in binary floating point.
    for (let grant = 0; grant < 10; grant++) demand$.next(0.1);
    expect(seen).toEqual([0]);
    for (let grant = 0; grant < 3; grant++) demand$.next(0.3);
    demand$.next(0.1);
    expect(seen).toEqual([0, 1]);
  });

  it('reports overflow drops, and what an error or an unsubscribe discards, through EventAccounting', () => {
    const accounting = new RecordingAccounting();
    const source = new Subject<LogEvent>();
    const demand$ = new Subject<number>();
    const hook: number[] = [];
    const seen: LogEvent[] = [];
    subscribedWith(accounting, source.pipe(boundedQueue({ limit: 2, onDrop: (n) => hook.push(n) }, demand$))).subscribe({
      next: (event) => seen.push(event),
      error: () => undefined,
    });
    makeEvents(5).forEach((event) => source.next(event));
    demand$.next(1);
    // in = out + reported drops + held
    expect(accounting.droppedBy).toEqual({ [BOUNDED_QUEUE_REASONS.overflow]: 3 });
    expect(hook).toEqual([1, 1, 1]);
    expect(seen).toHaveLength(1);
    source.error(new Error('upstream broke'));
    expect(accounting.droppedBy).toEqual({ [BOUNDED_QUEUE_REASONS.overflow]: 3, [BOUNDED_QUEUE_REASONS.discarded]: 1 });

    const other = new RecordingAccounting();
    const subscription = subscribedWith(other, from(makeEvents(3)).pipe(boundedQueue({}, new Subject<number>()))).subscribe();
    subscription.unsubscribe();
    expect(other.droppedBy).toEqual({ [BOUNDED_QUEUE_REASONS.discarded]: 3 });
  });

  // `onDrop: async (count) => metrics.post(count)` is typed as the hook is (a Promise-returning
  // function satisfies a void one), and its rejection went unhandled, which ends a Node process.
  it('reports an async onDrop’s rejection to SelfLog, as a throwing hook is, and still counts the drop', async () => {
    const { diagnostics, stop } = collectSelfLog();
    const accounting = new RecordingAccounting();
    const source = new Subject<LogEvent>();
    try {
      subscribedWith(
        accounting,
        source.pipe(
          boundedQueue(
            {
              limit: 1,
              // eslint-disable-next-line @typescript-eslint/no-misused-promises -- TypeScript accepts it: what an app without this rule writes
              onDrop: async () => {
                await Promise.resolve();
                throw new Error('metrics down');
              },
            },
            new Subject<number>(),
          ),
        ),
      ).subscribe();
      makeEvents(2).forEach((event) => source.next(event));
      for (let turn = 0; turn < 5; turn++) await Promise.resolve();
    } finally {
      stop();
    }
    expect(accounting.droppedBy).toEqual({ [BOUNDED_QUEUE_REASONS.overflow]: 1 });
    expect(diagnostics.map((d) => d.message)).toContainEqual(expect.stringMatching(/onDrop.*failed.*metrics down/s));
  });

  // An onDrop returning a thenable that fulfils with itself was adopted for ever by
  // Promise.resolve, on microtasks alone: no timer of the app (nor demand$'s) fired again.
  it('reports an onDrop returning a thenable that fulfils with itself to SelfLog once, and the event loop goes on', async () => {
    const { diagnostics, stop } = collectSelfLog();
    const accounting = new RecordingAccounting();
    const source = new Subject<LogEvent>();
    const { thenable, thens } = selfResolvingThenable();
    try {
      subscribedWith(
        accounting,
        source.pipe(boundedQueue({ limit: 1, onDrop: () => thenable as unknown as void }, new Subject<number>())),
      ).subscribe();
      makeEvents(2).forEach((event) => source.next(event));
      await nextMacrotask();
    } finally {
      stop();
    }
    expect(accounting.droppedBy).toEqual({ [BOUNDED_QUEUE_REASONS.overflow]: 1 });
    expect(thens()).toBe(32);
    const hookFailures = diagnostics.map((d) => d.message).filter((m) => m.includes('onDrop'));
    expect(hookFailures).toEqual([expect.stringMatching(/onDrop hook failed.*more than 32 deep/s)]);
  });

  // Failing on an event (here its clock) was counted twice in a sink's lane: as 'operator-failed'
  // when the error reached the lane, then again as 'boundedQueue.discarded' by the teardown after it.
  it('counts what it queued once when it fails in a sink pipe: received stays what was logged', async () => {
    let broken = false;
    // asyncScheduler's timers, with a clock that fails while `broken`.
    const clock = Object.assign(Object.create(asyncScheduler) as SchedulerLike, {
      now: () => {
        if (broken) throw new Error('clock broke');
        return 0;
      },
    });
    const log = new LoggerConfiguration().writeTo
      .sink(new MemorySink(), { name: 'memory', pipe: [boundedQueue({}, new Subject<number>(), clock)] })
      .createLogger();
    for (let n = 0; n < 3; n++) log.information('queued {N}', n);
    broken = true;
    log.information('queued {N}', 3);
    broken = false;
    const m = log.metrics().sinks.memory;
    expect(m).toMatchObject({ received: 4, delivered: 0, dropped: 4, pending: 0 });
    expect(m.droppedBy).toEqual({ [BOUNDED_QUEUE_REASONS.discarded]: 3, 'operator-failed': 1 });
    await log.close({ strategy: 'immediate' });
  });

  it('rejects bad queue options when built', () => {
    expect(() => boundedQueue({ limit: -1 }, new Subject<number>())).toThrow(ConfigurationError);
  });

  it('rejects options that are not an object, and a demand$ that is not an Observable, when built, naming them', () => {
    expect(() => boundedQueue(null as unknown as BoundedQueueOptions, new Subject<number>())).toThrow(ConfigurationError);
    expect(() => boundedQueue(null as unknown as BoundedQueueOptions, new Subject<number>())).toThrow(/boundedQueue: .*null/);
    expect(() => boundedQueue({}, undefined as unknown as Observable<number>)).toThrow(ConfigurationError);
    expect(() => boundedQueue({}, 5 as unknown as Observable<number>)).toThrow(/boundedQueue: demand\$: .*5/);
  });

  it('rejects an onDrop that is not a function when built, naming it, instead of failing on each overflow', () => {
    const notAHook = 42 as unknown as (count: number) => void;
    expect(() => boundedQueue({ onDrop: notAHook }, new Subject<number>())).toThrow(ConfigurationError);
    expect(() => boundedQueue({ onDrop: notAHook }, new Subject<number>())).toThrow(
      /boundedQueue: onDrop: expected a function, got 42/,
    );
    expect(() => boundedQueue({ onDrop: undefined }, new Subject<number>())).not.toThrow();
  });
});

describe('boundedQueue under a downstream that unsubscribes', () => {
  it('stops a synchronous source at once (take(1)): nothing more is queued or reported discarded', () => {
    const accounting = new RecordingAccounting();
    const { source, emitted } = countingSource(makeEvents(1_000));
    const out: unknown[] = [];
    subscribedWith(accounting, source.pipe(boundedQueue({}, new BehaviorSubject(1))))
      .pipe(take(1))
      .subscribe((event) => out.push(event));
    expect(out).toHaveLength(1);
    expect(emitted()).toBe(1);
    expect(accounting.droppedBy).toEqual({});
  });
});

describe('boundedQueue over a long-running stream', () => {
  it('stays bounded: 300 000 events with no demand keep 1 000 queued, the oldest dropped (heap flat within 1 MiB)', () => {
    expect(heapGrowthMiB('boundedQueue')).toBeLessThan(1);
  }, 120_000);
});
