import {
  BehaviorSubject,
  delay,
  map,
  type Observable,
  type MonoTypeOperatorFunction,
  type OperatorFunction,
  range,
  type SchedulerAction,
  type SchedulerLike,
  share,
  Subject,
  type Subscription,
  switchMap,
  take,
  tap,
} from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import type { LogEvent } from '../../lib/core/log-event';
import { batchEvents } from '../../lib/operators/batch-events';
import { boundedQueue } from '../../lib/operators/bounded-queue';
import { circuitBreaker } from '../../lib/operators/circuit-breaker';
import { enrich } from '../../lib/operators/enrich';
import { filterEvents } from '../../lib/operators/filter-events';
import { fingersCrossed } from '../../lib/operators/fingers-crossed';
import { redact } from '../../lib/operators/redact';
import { retryWithBackoff } from '../../lib/operators/retry-with-backoff';
import { sampleEvents } from '../../lib/operators/sample-events';
import { tapLog } from '../../lib/operators/tap-log';
import { tapMetrics } from '../../lib/operators/tap-metrics';
import { SinkMetricsRecorder } from '../../lib/metrics/sink-metrics-recorder';
import { throttleEvents } from '../../lib/operators/throttle-events';
import { makeEvent } from '../helpers/events';
import { LEVELS, mulberry32 } from '../helpers/model-run';
import { RecordingAccounting, subscribedWith } from '../helpers/recording-accounting';
import { createTestScheduler } from '../helpers/test-scheduler';

// The RxJS operator contract, checked in virtual time for every rxlog operator that holds state or
// runs timers: an unsubscribe ends the source's subscription at once and leaves no timer behind to
// fire later, and each subscription starts from fresh state (a cold operator: nothing one
// subscription holds, throttles or buffers is seen by the next).

const events = {
  d: makeEvent({ level: 'debug', text: 'd' }),
  i: makeEvent({ level: 'information', text: 'i' }),
  e: makeEvent({ level: 'error', text: 'e' }),
};

/** `inner`, recording the virtual time at which each piece of scheduled work runs. */
function recordingScheduler(inner: TestScheduler): { scheduler: SchedulerLike; ranAt: number[] } {
  const ranAt: number[] = [];
  const scheduler: SchedulerLike = {
    now: () => inner.now(),
    schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay?: number, state?: T) {
      return inner.schedule(
        function (this: SchedulerAction<T>, value?: T) {
          ranAt.push(inner.now());
          work.call(this, value);
        },
        delay,
        state,
      );
    },
  };
  return { scheduler, ranAt };
}

/** What a value says, without its time (a summary made one frame later is stamped one frame later). */
function described(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(described);
  const event = value as LogEvent;
  return `${event.level} ${event.messageTemplate.text} ${JSON.stringify(event.properties)}`;
}

type Build = (scheduler: SchedulerLike) => OperatorFunction<LogEvent, unknown>;

const operators: [name: string, build: Build][] = [
  ['batchEvents', (s) => batchEvents({ size: 10, maxDelayMs: 5 }, s)],
  ['throttleEvents', (s) => throttleEvents({ windowMs: 5 }, s)],
  ['fingersCrossed', (s) => fingersCrossed({ ttlMs: 5, afterTrigger: { passthroughMs: 3 } }, s)],
  ['fingersCrossed ({ passthroughLevel })', (s) => fingersCrossed({ ttlMs: 5, passthroughLevel: 'information' }, s)],
  ['boundedQueue', (s) => boundedQueue({ limit: 10 }, new BehaviorSubject(1), s)],
  ['retryWithBackoff', (s) => retryWithBackoff<LogEvent>({ attempts: 3, initialDelayMs: 2, jitter: 0 }, s)],
  ['tapLog', (s) => tapLog<LogEvent>({ write: () => undefined }, 'stream', s)],
];

describe.each(operators)('%s (RxJS operator contract)', (_name, build) => {
  it('ends the source’s subscription on unsubscribe, emits nothing after it and leaves no timer to fire', () => {
    const testScheduler = createTestScheduler();
    const { scheduler, ranAt } = recordingScheduler(testScheduler);
    const emittedAt: number[] = [];
    testScheduler.run(({ hot, expectSubscriptions }) => {
      // Events that arm every kind of timer (a batch's age, a window, a ttl, a passthrough), then an
      // unsubscribe at frame 4 while they are pending; the source would go on to frame 30.
      const source = hot('-d-i-e-d-i--------------------|', events);
      const subscription = source.pipe(build(scheduler)).subscribe(() => emittedAt.push(testScheduler.now()));
      testScheduler.schedule(() => subscription.unsubscribe(), 4);
      expectSubscriptions(source.subscriptions).toBe('^---!');
    });
    expect(emittedAt.filter((frame) => frame > 4)).toEqual([]);
    expect(ranAt.filter((frame) => frame > 4)).toEqual([]);
  });

  it.each([
    ['completes', '-d-i-e-d-i|'],
    ['fails', '-d-i-e-d-i#'],
  ])('leaves no timer to fire once its source %s mid-window, and ends on that frame', (ending, marbles) => {
    const testScheduler = createTestScheduler();
    const { scheduler, ranAt } = recordingScheduler(testScheduler);
    let endedAt = -1;
    testScheduler.run(({ hot }) => {
      // Every kind of timer (a batch's age, a window, a ttl, a passthrough) is pending at frame 10.
      hot(marbles, events, new Error('source broke'))
        .pipe(build(scheduler))
        .subscribe({ error: () => (endedAt = testScheduler.now()), complete: () => (endedAt = testScheduler.now()) });
    });
    // retryWithBackoff answers an error with a timer by design: its retry is the one thing that may run later.
    if (ending === 'fails' && _name === 'retryWithBackoff') return;
    expect(ranAt.filter((frame) => frame >= 10)).toEqual([]);
    // boundedQueue completes once demand$ has taken what it queued; here demand$ asked for one event.
    expect(endedAt).toBe(ending === 'completes' && _name === 'boundedQueue' ? -1 : 10);
  });

  it('starts each subscription from fresh state: two overlapping subscriptions of one piped Observable see the same', () => {
    const testScheduler = createTestScheduler();
    const { scheduler } = recordingScheduler(testScheduler);
    const first: unknown[] = [];
    const second: unknown[] = [];
    testScheduler.run(({ cold }) => {
      // The same cold events for both, the second subscribed one frame later, while the first
      // holds, throttles or buffers: state shared between them would change what either sees.
      const piped = cold('-d-d-i-e-d-d-|', events).pipe(build(scheduler));
      piped.subscribe((value) => first.push(described(value)));
      testScheduler.schedule(() => piped.subscribe((value) => second.push(described(value))), 1);
    });
    expect(first.length).toBeGreaterThan(0);
    expect(second).toEqual(first);
  });
});

// Nothing an operator takes is lost unseen: once a subscription has ended (the source completed or
// failed, the subscriber unsubscribed, or a take(n) after it completed early), every event that
// entered the operator either left it or was reported dropped, and what it made (a summary) was
// reported created: entered + created = left + dropped. Run over seeded scenarios with a
// subscriber that logs back into the source from inside next (re-entrant emission).
type Holding = (scheduler: SchedulerLike) => MonoTypeOperatorFunction<LogEvent>;

const holding: [name: string, build: Holding][] = [
  ['fingersCrossed', (s) => fingersCrossed({ isolateBy: 'K', bufferSize: 3, maxKeys: 2, ttlMs: 4, maxBytes: 200 }, s)],
  ["fingersCrossed ('reset')", (s) => fingersCrossed({ isolateBy: 'K', bufferSize: 3, afterTrigger: 'reset' }, s)],
  ['fingersCrossed ({ passthroughMs })', (s) => fingersCrossed({ bufferSize: 5, afterTrigger: { passthroughMs: 3 } }, s)],
  [
    'fingersCrossed ({ passthroughLevel })',
    (s) => fingersCrossed({ isolateBy: 'K', bufferSize: 2, maxKeys: 2, ttlMs: 4, passthroughLevel: 'information' }, s),
  ],
  ['throttleEvents', (s) => throttleEvents({ windowMs: 3, maxKeys: 2, max: 2 }, s)],
  ['throttleEvents (by key)', (s) => throttleEvents({ key: 'K', windowMs: 5, maxKeys: 3 }, s)],
  ['sampleEvents', () => sampleEvents({ rate: 0.5, key: 'K' })],
  ['boundedQueue', (s) => boundedQueue({ limit: 3 }, new BehaviorSubject(1), s)],
  ['filterEvents', () => filterEvents((event) => event.level !== 'debug')],
];

describe.each(holding)('%s (accounting under any ending)', (_name, build) => {
  it('has every event that entered leave or be reported dropped, over 200 seeded runs with re-entrant subscribers', () => {
    const unbalanced: unknown[] = [];
    for (let seed = 1; seed <= 200; seed++) {
      const random = mulberry32(seed);
      const testScheduler = createTestScheduler();
      const accounting = new RecordingAccounting();
      const source = new Subject<LogEvent>();
      let sequence = 0;
      const next = (): LogEvent =>
        makeEvent({
          level: LEVELS[Math.floor(random() * LEVELS.length)],
          text: `t${Math.floor(random() * 3)}`,
          properties: { K: Math.floor(random() * 4), Seq: sequence++ },
        });
      const logsBackEvery = random() < 0.5 ? Math.floor(random() * 4) + 1 : 0;
      const takes = random() < 0.3 ? Math.floor(random() * 10) + 1 : 0;
      let entered = 0;
      let left = 0;
      let loggedBack = 0;
      let subscription: Subscription | undefined;
      testScheduler.run(() => {
        let piped = source.pipe(
          tap(() => entered++),
          build(testScheduler),
          tap(() => left++),
        );
        if (takes > 0) piped = piped.pipe(take(takes));
        subscription = subscribedWith(accounting, piped).subscribe({
          next: () => {
            // A subscriber that logs: the event goes back into the source on this turn.
            if (logsBackEvery > 0 && left % logsBackEvery === 0 && loggedBack++ < 50) source.next(next());
          },
          error: () => undefined,
        });
        let frame = 0;
        for (let i = Math.floor(random() * 30); i > 0; i--) {
          frame += Math.floor(random() * 3);
          testScheduler.schedule(() => source.next(next()), frame);
        }
        const ending = random();
        testScheduler.schedule(
          () => {
            if (ending < 0.4) source.complete();
            else if (ending < 0.7) source.error(new Error('upstream broke'));
            else subscription?.unsubscribe();
          },
          frame + Math.floor(random() * 4),
        );
      });
      // A boundedQueue still waiting for demand after the source completed holds its events: the
      // unsubscribe lets go of them.
      subscription?.unsubscribe();
      const dropped = Object.values(accounting.droppedBy).reduce((sum, count) => sum + count, 0);
      if (entered + accounting.made !== left + dropped)
        unbalanced.push({ seed, entered, made: accounting.made, left, droppedBy: accounting.droppedBy });
    }
    expect(unbalanced).toEqual([]);
  });
});

// A tight loop of logging calls reaches an operator as one synchronous burst: each operator takes
// 100 000 events from `range` on one stack, without recursing per event, and lets every one out
// or stands for it (fingersCrossed releases its last 1 000 before the error at the end, and drops the
// rest as overflow; throttleEvents sends a summary of the repeats).
describe('every operator under a synchronous source of 100 000 events', () => {
  const recorder = new SinkMetricsRecorder('burst');
  const all: [name: string, build: () => OperatorFunction<LogEvent, unknown>, out: number][] = [
    ['fingersCrossed', () => fingersCrossed(), 1_001],
    // The first debug event, the error and the summary of 99 998 debug repeats.
    ['throttleEvents', () => throttleEvents(), 3],
    ['sampleEvents', () => sampleEvents({ rate: 1 }), 100_000],
    ['filterEvents', () => filterEvents(() => true), 100_000],
    ['enrich', () => enrich(() => ({ Host: 'web-1' })), 100_000],
    ['redact', () => redact({ paths: ['N'] }), 100_000],
    ['batchEvents', () => batchEvents({ size: 512 }), 100_000],
    ['boundedQueue', () => boundedQueue({ limit: 100_000 }, new BehaviorSubject(Infinity)), 100_000],
    ['retryWithBackoff', () => retryWithBackoff<LogEvent>(), 100_000],
    ['circuitBreaker', () => circuitBreaker(), 100_000],
    ['tapLog', () => tapLog<LogEvent>({ write: () => undefined }, 'burst'), 100_000],
    ['tapMetrics', () => tapMetrics<LogEvent>(recorder, 'received'), 100_000],
  ];

  it.each(all)('%s takes them all on one stack', (_name, build, expected) => {
    const burst = range(0, 100_000).pipe(
      map((n) => makeEvent({ level: n === 99_999 ? 'error' : 'debug', properties: { N: n } })),
    );
    let out = 0;
    let failure: unknown;
    let completed = false;
    burst.pipe(build()).subscribe({
      next: (value) => (out += Array.isArray(value) ? value.length : 1),
      error: (error: unknown) => (failure = error),
      complete: () => (completed = true),
    });
    expect(failure).toBeUndefined();
    expect(completed).toBe(true);
    expect(out).toBe(expected);
  });
});

describe.each(operators)('%s (composed with the app’s own RxJS operators)', (_name, build) => {
  /** Each value `make` emits, with its frame, over one virtual-time run. */
  function framesOf(make: (scheduler: SchedulerLike) => Observable<unknown>): [number, unknown][] {
    const testScheduler = createTestScheduler();
    const seen: [number, unknown][] = [];
    testScheduler.run(() => {
      make(testScheduler).subscribe((value) => seen.push([testScheduler.now(), described(value)]));
    });
    return seen;
  }
  const input = '-d-d-i-e-d-i-d-|';

  it('under share(), is subscribed once and gives every subscriber the same', () => {
    const testScheduler = createTestScheduler();
    const first: unknown[] = [];
    const second: unknown[] = [];
    testScheduler.run(({ hot, expectSubscriptions }) => {
      const source = hot(input, events);
      const shared = source.pipe(build(testScheduler), share());
      shared.subscribe((value) => first.push(described(value)));
      shared.subscribe((value) => second.push(described(value)));
      expectSubscriptions(source.subscriptions).toBe('^--------------!');
    });
    expect(first.length).toBeGreaterThan(0);
    expect(second).toEqual(first);
  });

  it('before delay(), emits the same, each value later by the delay', () => {
    const plain = framesOf((s) => cold(s, input).pipe(build(s)));
    const delayed = framesOf((s) => cold(s, input).pipe(build(s), delay(3, s)));
    expect(plain.length).toBeGreaterThan(0);
    expect(delayed).toEqual(plain.map(([frame, value]) => [frame + 3, value]));
  });

  it('inside switchMap, is torn down with the inner it switched away from and starts fresh in the next', () => {
    const alone = framesOf((s) => cold(s, input).pipe(build(s)));
    // The outer's second value at frame 7 ends the first inner (before its frame-7 event) and starts another.
    const switched = framesOf((s) => cold(s, 'x------y|').pipe(switchMap(() => cold(s, input).pipe(build(s)))));
    expect(switched).toEqual([...alone.filter(([frame]) => frame < 7), ...alone.map(([frame, value]) => [frame + 7, value])]);
  });
});

/** `marbles` of `events` as a cold Observable on `scheduler` (a TestScheduler in run mode). */
function cold(scheduler: SchedulerLike, marbles: string): Observable<LogEvent> {
  return (scheduler as TestScheduler).createColdObservable(marbles, events);
}
