import { take, timer, toArray, firstValueFrom } from 'rxjs';
import { unrefScheduler } from '../../lib/core/unref-scheduler';

describe('unrefScheduler', () => {
  it('unrefs the timers it creates', () => {
    const unref = jest.fn();
    const realSetTimeout = global.setTimeout;
    const spy = jest.spyOn(global, 'setTimeout').mockImplementation((fn: () => void, ms?: number) => {
      const handle = realSetTimeout(fn, ms);
      const original = handle.unref.bind(handle);
      handle.unref = () => {
        unref();
        return original();
      };
      return handle;
    });
    const subscription = unrefScheduler.schedule(() => undefined, 10_000);
    expect(unref).toHaveBeenCalledTimes(1);
    subscription.unsubscribe();
    spy.mockRestore();
  });

  it('runs RxJS timers with rescheduling (periodic work) in order', async () => {
    jest.useFakeTimers();
    const values = firstValueFrom(timer(0, 10, unrefScheduler).pipe(take(3), toArray()));
    await jest.advanceTimersByTimeAsync(30);
    await expect(values).resolves.toEqual([0, 1, 2]);
    jest.useRealTimers();
  });

  it('does not run work that was unsubscribed before its time', () => {
    jest.useFakeTimers();
    const work = jest.fn();
    unrefScheduler.schedule(work, 5).unsubscribe();
    jest.advanceTimersByTime(10);
    expect(work).not.toHaveBeenCalled();
    jest.useRealTimers();
  });
});
