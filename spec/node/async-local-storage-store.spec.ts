import { AsyncResource } from 'node:async_hooks';
import { EventEmitter } from 'node:events';
import { defer, of } from 'rxjs';
import { AsyncLocalStorageContextStore } from '../../lib/node/async-local-storage-store';

const pause = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('AsyncLocalStorageContextStore', () => {
  const store = new AsyncLocalStorageContextStore();

  it('has no properties outside any run', () => {
    expect(store.current()).toBeUndefined();
  });

  it('keeps properties after an await inside the run', async () => {
    const seen = await store.run({ RequestId: 'r-1' }, async () => {
      await pause();
      await Promise.resolve();
      return store.current();
    });
    expect(seen).toEqual({ RequestId: 'r-1' });
    expect(store.current()).toBeUndefined();
  });

  it('keeps properties in a setTimeout callback scheduled inside the run', async () => {
    const seen = await new Promise((resolve) => {
      store.run({ RequestId: 'r-2' }, () => setTimeout(() => resolve(store.current()), 0));
    });
    expect(seen).toEqual({ RequestId: 'r-2' });
  });

  it('runs an EventEmitter listener in the context of the emit, not of where it was registered', () => {
    const emitter = new EventEmitter();
    const seen: unknown[] = [];
    store.run({ RequestId: 'r-3' }, () => {
      emitter.on('tick', () => seen.push(store.current()));
      emitter.emit('tick');
    });
    emitter.emit('tick');
    store.run({ RequestId: 'other' }, () => emitter.emit('tick'));
    expect(seen).toEqual([{ RequestId: 'r-3' }, undefined, { RequestId: 'other' }]);
  });

  it('keeps properties in a listener bound with AsyncResource.bind inside the run, wherever it is emitted', () => {
    const emitter = new EventEmitter();
    const seen: unknown[] = [];
    store.run({ RequestId: 'r-3' }, () => {
      emitter.on(
        'tick',
        AsyncResource.bind(() => seen.push(store.current())),
      );
    });
    emitter.emit('tick');
    store.run({ RequestId: 'other' }, () => emitter.emit('tick'));
    expect(seen).toEqual([{ RequestId: 'r-3' }, { RequestId: 'r-3' }]);
  });

  it('keeps a run’s properties in a timer created inside it, fired after the run ended, unless it is started through a function bound outside', async () => {
    const outside = AsyncResource.bind((start: () => void) => start());
    const fired = (started: (done: (seen: unknown) => void) => void): Promise<unknown> =>
      new Promise((resolve) => started(resolve));
    let inside: Promise<unknown> = Promise.resolve();
    let escaped: Promise<unknown> = Promise.resolve();
    store.run({ RequestId: 'first-request' }, () => {
      // Started lazily by the first request: a refresher that fires after it ended.
      inside = fired((done) => setTimeout(() => done(store.current()), 1));
      outside(() => {
        escaped = fired((done) => setTimeout(() => done(store.current()), 1));
      });
    });
    expect(await inside).toEqual({ RequestId: 'first-request' });
    expect(await escaped).toBeUndefined();
  });

  it('isolates two concurrent runs with interleaved awaits', async () => {
    const request = (id: string) =>
      store.run({ RequestId: id }, async () => {
        const seen: unknown[] = [];
        for (let i = 0; i < 5; i++) {
          await pause();
          seen.push(store.current()?.RequestId);
        }
        return seen;
      });
    const [a, b] = await Promise.all([request('a'), request('b')]);
    expect(a).toEqual(['a', 'a', 'a', 'a', 'a']);
    expect(b).toEqual(['b', 'b', 'b', 'b', 'b']);
  });

  it('layers nested runs, inner properties winning, and restores the outer ones after', async () => {
    await store.run({ RequestId: 'r-4', User: 'ada' }, async () => {
      await store.run({ User: 'bob', Step: 2 }, async () => {
        await pause();
        expect(store.current()).toEqual({ RequestId: 'r-4', User: 'bob', Step: 2 });
      });
      expect(store.current()).toEqual({ RequestId: 'r-4', User: 'ada' });
    });
  });

  it('removes the properties when the callback throws', () => {
    expect(() =>
      store.run({ RequestId: 'r-5' }, () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(store.current()).toBeUndefined();
  });

  it('is not changed by later mutation of the object passed to run', () => {
    const properties: Record<string, unknown> = { A: 1 };
    store.run(properties, () => {
      properties.A = 2;
      expect(store.current()).toEqual({ A: 1 });
    });
  });

  it('keeps no properties in work started inside suspend, after the run ends too', async () => {
    const seen: unknown[] = [];
    let fired!: () => void;
    const done = new Promise<void>((resolve) => (fired = resolve));
    await store.run({ RequestId: 'r-1' }, async () => {
      // A cache refresher started lazily by the first request.
      store.suspend(() =>
        setTimeout(() => {
          seen.push(store.current());
          fired();
        }, 0),
      );
      await store.suspend(async () => {
        await Promise.resolve();
        seen.push(store.current());
      });
      seen.push(store.current());
    });
    await done;
    expect(seen).toEqual([undefined, { RequestId: 'r-1' }, undefined]);
  });

  // docs/configuration.md: work a run's callback returns for later runs where it is used, unless
  // bound to the run (as Nest's CallHandler binds next.handle()'s handler with AsyncResource.bind).
  it('runs an Observable or a generator the callback returns where it is subscribed or iterated, unless bound inside the run', async () => {
    const seen: Record<string, unknown> = {};
    const search$ = store.run({ RequestId: 'r-1' }, () => defer(() => of((seen.observable = store.current()))));
    const bound$ = store.run({ RequestId: 'r-2' }, () => defer(AsyncResource.bind(() => of((seen.bound = store.current())))));
    async function* rows(): AsyncGenerator<number> {
      await pause();
      seen.generator = store.current();
      yield 1;
    }
    const iterated = store.run({ RequestId: 'r-3' }, () => rows());
    await store.run({ RequestId: 'r-4' }, async () => {
      search$.subscribe();
      bound$.subscribe();
      for await (const row of iterated) expect(row).toBe(1);
    });
    expect(seen).toEqual({ observable: { RequestId: 'r-4' }, bound: { RequestId: 'r-2' }, generator: { RequestId: 'r-4' } });
  });
});
