import { PollingWaits } from '../../../lib/node/file/polling-waits';

describe('PollingWaits', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  const closed = (): Error => new Error('closed');

  it('retries with growing pauses until the attempt succeeds', async () => {
    const waits = new PollingWaits();
    const attempts: number[] = [];
    const done = waits.wait(() => {
      attempts.push(Date.now());
      return attempts.length === 5;
    }, closed);
    await jest.advanceTimersByTimeAsync(100);
    await expect(done).resolves.toBeUndefined();
    const start = attempts[0] - 1;
    expect(attempts.map((t) => t - start)).toEqual([1, 3, 7, 15, 31]);
    expect(waits.size).toBe(0);
  });

  it('caps the pause at 50 ms', async () => {
    const waits = new PollingWaits();
    const attempts: number[] = [];
    const done = waits.wait(() => {
      attempts.push(Date.now());
      return attempts.length === 9;
    }, closed);
    await jest.advanceTimersByTimeAsync(1000);
    await done;
    expect(attempts[8] - attempts[7]).toBe(50);
    expect(attempts[7] - attempts[6]).toBe(50);
  });

  it('rejects with what the attempt throws', async () => {
    const waits = new PollingWaits();
    const done = waits.wait(() => {
      throw new Error('EPIPE');
    }, closed);
    jest.advanceTimersByTime(1);
    await expect(done).rejects.toThrow('EPIPE');
  });

  it('gives each wait one last attempt on settleAll', async () => {
    const waits = new PollingWaits();
    let ready = false;
    const succeeds = waits.wait(() => ready, closed);
    const fails = waits.wait(() => false, closed);
    ready = true;
    waits.settleAll();
    await expect(succeeds).resolves.toBeUndefined();
    await expect(fails).rejects.toThrow('closed');
    expect(waits.size).toBe(0);
  });
});
