import { asapScheduler, asyncScheduler, firstValueFrom, map, observeOn, of, type OperatorFunction } from 'rxjs';
import { LogContext } from '../../lib/context/log-context';
import { useAsyncLocalStorage } from '../../lib/node/use-async-local-storage';
import { withLogContext } from '../../lib/operators/with-log-context';

describe('useAsyncLocalStorage', () => {
  it('makes LogContext follow awaits until the returned function restores the previous store', async () => {
    const seenBefore = await LogContext.run({ RequestId: 'r-1' }, async () => {
      await Promise.resolve();
      return LogContext.current();
    });
    expect(seenBefore).toBeUndefined();

    const restore = useAsyncLocalStorage();
    try {
      const seen = await LogContext.run({ RequestId: 'r-2' }, async () => {
        await new Promise((resolve) => setTimeout(resolve, 0));
        return LogContext.current();
      });
      expect(seen).toEqual({ RequestId: 'r-2' });
    } finally {
      restore();
    }

    const seenAfter = await LogContext.run({ RequestId: 'r-3' }, async () => {
      await Promise.resolve();
      return LogContext.current();
    });
    expect(seenAfter).toBeUndefined();
  });
});

describe('useAsyncLocalStorage called again', () => {
  it('keeps the properties of runs in flight: a second call, and its restore, change nothing they see', async () => {
    const restoreFirst = useAsyncLocalStorage();
    try {
      const seen = await LogContext.run({ RequestId: 'r-1' }, async () => {
        await Promise.resolve();
        // Another part of the app (a library, a lazily loaded module) switches on AsyncLocalStorage too.
        const restoreSecond = useAsyncLocalStorage();
        const afterSecond = LogContext.current();
        await new Promise((resolve) => setImmediate(resolve));
        const afterAwait = LogContext.current();
        restoreSecond();
        await Promise.resolve();
        return [afterSecond, afterAwait, LogContext.current()];
      });
      expect(seen).toEqual([{ RequestId: 'r-1' }, { RequestId: 'r-1' }, { RequestId: 'r-1' }]);
    } finally {
      restoreFirst();
    }
  });
});

describe('useAsyncLocalStorage with RxJS schedulers', () => {
  const ids = ['r-1', 'r-2'];
  // Each id's value is delivered through withLogContext, then moved to a later turn by observeOn.
  async function contextsAfter(pipeOf: (id: string) => OperatorFunction<string, string>): Promise<unknown[]> {
    const restore = useAsyncLocalStorage();
    try {
      const seen = ids.map((id) =>
        firstValueFrom(
          of(id).pipe(
            pipeOf(id),
            map(() => LogContext.current()?.RequestId),
          ),
        ),
      );
      return await Promise.all(seen);
    } finally {
      restore();
    }
  }

  it('keeps each stream’s context across observeOn(asyncScheduler)', async () => {
    const seen = await contextsAfter(
      (id) => (source) => source.pipe(withLogContext({ RequestId: id }), observeOn(asyncScheduler)),
    );
    expect(seen).toEqual(ids);
  });

  it('runs what asapScheduler batched in one turn in the first stream’s context, as documented; withLogContext after observeOn keeps each its own', async () => {
    const batched = await contextsAfter(
      (id) => (source) => source.pipe(withLogContext({ RequestId: id }), observeOn(asapScheduler)),
    );
    expect(batched).toEqual(['r-1', 'r-1']);
    const after = await contextsAfter(
      (id) => (source) => source.pipe(observeOn(asapScheduler), withLogContext({ RequestId: id })),
    );
    expect(after).toEqual(ids);
  });
});
