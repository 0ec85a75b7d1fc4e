import { BehaviorSubject, type OperatorFunction, type SchedulerAction, type SchedulerLike } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import type { LogEvent } from '../../lib/core/log-event';
import { batchEvents } from '../../lib/operators/batch-events';
import { boundedQueue } from '../../lib/operators/bounded-queue';
import { fingersCrossed } from '../../lib/operators/fingers-crossed';
import { retryWithBackoff } from '../../lib/operators/retry-with-backoff';
import { tapLog } from '../../lib/operators/tap-log';
import { throttleEvents } from '../../lib/operators/throttle-events';
import { makeEvent } from '../helpers/events';
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
