import type { SchedulerAction, SchedulerLike, Subscription } from 'rxjs';
import { SelfLog } from './self-log';
import { unrefScheduler } from './unref-scheduler';

/**
 * The scheduler `useScheduler` gives the pipeline, made safe: logging never throws or loses an
 * event and `close()` never rejects because the app's scheduler failed. A `now()` that throws or
 * gives no finite number is answered by `Date.now()`; a `schedule()` that throws has its work
 * scheduled on the default scheduler instead. The first failure goes to SelfLog.
 *
 * @example
 * const scheduler = guardScheduler(testScheduler);
 * scheduler.now(); // testScheduler.now(), or Date.now() if that throws
 */
export function guardScheduler(scheduler: SchedulerLike): SchedulerLike {
  let reported = false;
  const fail = (what: string, error: unknown): void => {
    if (!reported)
      SelfLog.write(`useScheduler: the scheduler's ${what} failed; rxlog's default clock and timers stand in`, error);
    reported = true;
  };
  return {
    now(): number {
      let now: unknown;
      try {
        now = scheduler.now();
      } catch (error) {
        now = error;
      }
      if (typeof now === 'number' && Number.isFinite(now)) return now;
      fail('now()', now);
      return Date.now();
    },
    schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay?: number, state?: T): Subscription {
      try {
        return scheduler.schedule(work, delay, state);
      } catch (error) {
        fail('schedule()', error);
        return unrefScheduler.schedule(work, delay, state);
      }
    },
  };
}
