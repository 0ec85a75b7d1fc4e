/**
 * A thenable whose `then` fulfils with itself, as a fluent builder's may: `await` and
 * `Promise.resolve` adopt it for ever, on microtasks alone, so that no timer fires again.
 * `then` throws past 1 000 calls only so that a regression fails instead of starving the event
 * loop (and jest's own timeout) for ever.
 */
export function selfResolvingThenable(): { thenable: PromiseLike<unknown>; thens: () => number } {
  let thens = 0;
  const thenable = {
    then(resolve: (value: unknown) => void): void {
      if (++thens > 1_000) throw new Error('adopted without end');
      resolve(thenable);
    },
  };
  return { thenable: thenable as PromiseLike<unknown>, thens: () => thens };
}

/** Resolves on the event loop's next check phase: it never does while microtasks run without end. */
export const nextMacrotask = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
