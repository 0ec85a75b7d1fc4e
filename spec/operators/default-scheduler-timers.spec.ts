import { BehaviorSubject, defer, type OperatorFunction, Subject, throwError } from 'rxjs';
import type { LogEvent } from '../../lib/core/log-event';
import { batchEvents } from '../../lib/operators/batch-events';
import { boundedQueue } from '../../lib/operators/bounded-queue';
import { circuitBreaker } from '../../lib/operators/circuit-breaker';
import { fingersCrossed } from '../../lib/operators/fingers-crossed';
import { retryWithBackoff } from '../../lib/operators/retry-with-backoff';
import { tapLog } from '../../lib/operators/tap-log';
import { throttleEvents } from '../../lib/operators/throttle-events';
import { makeEvent } from '../helpers/events';

// The operator contract with the default scheduler an app gets outside a logger (unrefScheduler,
// real Node timers, here jest's fake ones): once a stream ends, by unsubscribe, completion or
// error, while a batch's age, a throttle window, a ttl sweep and a passthrough are pending, no
// timer is left behind (none counted), and nothing is emitted when time moves on.

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

const timed: [name: string, build: () => OperatorFunction<LogEvent, unknown>][] = [
  ['batchEvents', () => batchEvents({ size: 10, maxDelayMs: 50 })],
  ['throttleEvents', () => throttleEvents({ windowMs: 50 })],
  ['fingersCrossed', () => fingersCrossed({ ttlMs: 50, afterTrigger: { passthroughMs: 10 } })],
  ['boundedQueue', () => boundedQueue({ limit: 10 }, new BehaviorSubject(1))],
  ['tapLog', () => tapLog<LogEvent>({ write: () => undefined }, 'stream')],
];

describe.each(timed)('%s with its default scheduler', (_name, build) => {
  it.each(['unsubscribed', 'completed', 'failed'])('leaves no timer once %s mid-window, and emits nothing later', (ending) => {
    const source = new Subject<LogEvent>();
    const out: unknown[] = [];
    const subscription = source.pipe(build()).subscribe({ next: (value) => out.push(value), error: () => undefined });
    for (const level of ['debug', 'debug', 'error', 'debug'] as const) source.next(makeEvent({ level, text: 'repeated' }));
    jest.advanceTimersByTime(5);
    if (ending === 'unsubscribed') subscription.unsubscribe();
    else if (ending === 'completed') source.complete();
    else source.error(new Error('source broke'));
    expect(jest.getTimerCount()).toBe(0);
    const emitted = out.length;
    jest.advanceTimersByTime(60_000);
    expect(out.length).toBe(emitted);
  });
});

it('retryWithBackoff with its default scheduler clears the pending delay when unsubscribed', () => {
  let tries = 0;
  const subscription = defer(() => {
    tries++;
    return throwError(() => new Error('busy'));
  })
    .pipe(retryWithBackoff({ attempts: 3, initialDelayMs: 100 }))
    .subscribe({ error: () => undefined });
  expect([tries, jest.getTimerCount()]).toEqual([1, 1]);
  subscription.unsubscribe();
  expect(jest.getTimerCount()).toBe(0);
  jest.advanceTimersByTime(60_000);
  expect(tries).toBe(1);
});

it('circuitBreaker schedules nothing while open: its reset time is read when a call asks', () => {
  const guard = circuitBreaker({ failureThreshold: 1, resetTimeoutMs: 100 });
  defer(() => throwError(() => new Error('down')))
    .pipe(guard)
    .subscribe({ error: () => undefined });
  expect([guard.breaker.state, jest.getTimerCount()]).toEqual(['open', 0]);
});
