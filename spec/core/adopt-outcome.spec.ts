import { adoptOutcome, MAX_NESTED_THENABLES } from '../../lib/core/adopt-outcome';

/** The outcome adoptOutcome reports for what `call` returns, once the microtasks have run. */
async function outcomeOf(call: () => unknown): Promise<{ done: unknown[]; failed: unknown[] }> {
  const outcome = { done: [] as unknown[], failed: [] as unknown[] };
  adoptOutcome(
    call,
    (result) => outcome.done.push(result),
    (error) => outcome.failed.push(error),
  );
  for (let i = 0; i < 4 * MAX_NESTED_THENABLES + 10; i++) await Promise.resolve();
  return outcome;
}

describe('adoptOutcome', () => {
  it('reports a plain result at once, and a Promise’s value once it fulfils', async () => {
    const done: unknown[] = [];
    adoptOutcome(
      () => 7,
      (result) => done.push(result),
      () => undefined,
    );
    expect(done).toEqual([7]);
    expect(await outcomeOf(() => Promise.resolve({ rejected: 1 }))).toEqual({ done: [{ rejected: 1 }], failed: [] });
  });

  it('adopts a thenable that fulfils with a Promise, as a Promise would, and fails with its rejection', async () => {
    const error = new Error('down');
    const passing = (value: unknown) => ({ then: (resolve: (v: unknown) => void) => resolve(value) });
    expect(await outcomeOf(() => passing(Promise.resolve('ok')))).toEqual({ done: ['ok'], failed: [] });
    expect(await outcomeOf(() => passing(Promise.reject(error)))).toEqual({ done: [], failed: [error] });
  });

  // Found by the review of round 33 (pipe): a native Promise adopts such a thenable for ever, on
  // microtasks alone, so no timer (not even a close timeout) fires again.
  it('fails a thenable that fulfils with itself, or two that fulfil with each other, after MAX_NESTED_THENABLES', async () => {
    let thens = 0;
    const selfish = {
      then(resolve: (value: unknown) => void): void {
        // Bounded here only so that a regression fails instead of starving the event loop for ever.
        if (++thens > 1_000) throw new Error('adopted without end');
        resolve(selfish);
      },
    };
    const selfOutcome = await outcomeOf(() => selfish);
    expect(selfOutcome.done).toEqual([]);
    expect(String(selfOutcome.failed[0])).toMatch(/thenable .* more than 32 deep/);
    expect(thens).toBe(MAX_NESTED_THENABLES);
    const a: { then?: (resolve: (value: unknown) => void) => void } = {};
    const b = { then: (resolve: (value: unknown) => void) => resolve(a) };
    a.then = (resolve) => resolve(b);
    expect((await outcomeOf(() => a)).failed).toHaveLength(1);
  });

  it('fails when the call throws, or when reading a nested thenable’s then throws', async () => {
    const error = new Error('no then');
    const hostile = new Proxy(
      {},
      {
        get: () => {
          throw error;
        },
      },
    );
    expect(
      await outcomeOf(() => {
        throw error;
      }),
    ).toEqual({ done: [], failed: [error] });
    expect(await outcomeOf(() => ({ then: (resolve: (v: unknown) => void) => resolve(hostile) }))).toEqual({
      done: [],
      failed: [error],
    });
  });

  it('hears a thenable that calls back twice, or fulfils and then rejects, once', async () => {
    const twice = {
      then(resolve: (value: unknown) => void, reject: (error: unknown) => void): void {
        resolve('first');
        resolve('second');
        reject(new Error('late'));
      },
    };
    expect(await outcomeOf(() => twice)).toEqual({ done: ['first'], failed: [] });
  });
});
