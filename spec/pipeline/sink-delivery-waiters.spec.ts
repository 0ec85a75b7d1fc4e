import { SinkDeliveryWaiters } from '../../lib/pipeline/sink-delivery-waiters';

async function settledFlags(promises: Promise<unknown>[]): Promise<boolean[]> {
  const flags = promises.map(() => false);
  promises.forEach((promise, index) => void promise.then(() => (flags[index] = true)));
  for (let i = 0; i < 5; i++) await Promise.resolve();
  return flags;
}

describe('SinkDeliveryWaiters', () => {
  it('resolves a waiter once the positions it waits for have settled', async () => {
    const waiters = new SinkDeliveryWaiters();
    const first = waiters.wait(2);
    const second = waiters.wait(3);
    waiters.settle(0, 2);
    expect(await settledFlags([first, second])).toEqual([true, false]);
    expect(waiters.active).toBe(true);
    waiters.settle(0, 1);
    expect(await settledFlags([second])).toEqual([true]);
    expect(waiters.active).toBe(false);
  });

  it('cancel(owner) resolves and forgets only that owner’s waiters', async () => {
    const waiters = new SinkDeliveryWaiters();
    const abandoned = {};
    const kept = waiters.wait(4);
    const given = [waiters.wait(4, abandoned), waiters.wait(1, abandoned)];
    waiters.cancel(abandoned);
    expect(await settledFlags([...given, kept])).toEqual([true, true, false]);
    expect(waiters.active).toBe(true);
    waiters.settle(0, 4);
    expect(await settledFlags([kept])).toEqual([true]);
    expect(waiters.active).toBe(false);
  });

  it('resolves true when the events settled, false when cancelled or released unsettled', async () => {
    const waiters = new SinkDeliveryWaiters();
    const owner = {};
    const settled = waiters.wait(1);
    const cancelled = waiters.wait(2, owner);
    const released = waiters.wait(2);
    waiters.settle(0, 1);
    waiters.cancel(owner);
    waiters.releaseAll();
    await expect(Promise.all([settled, cancelled, released, waiters.wait(0)])).resolves.toEqual([true, false, false, true]);
  });

  it('holds no waiter after many flushes that gave up on a write that never settles', () => {
    const waiters = new SinkDeliveryWaiters();
    for (let i = 0; i < 10_000; i++) {
      const call = {};
      void waiters.wait(1, call);
      waiters.cancel(call);
    }
    expect(waiters.active).toBe(false);
  });
});
