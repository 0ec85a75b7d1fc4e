import {
  asapScheduler,
  asyncScheduler,
  BehaviorSubject,
  concatMap,
  debounceTime,
  defer,
  firstValueFrom,
  map,
  observeOn,
  of,
  type OperatorFunction,
  retry,
  Subject,
  throwError,
  timer,
} from 'rxjs';
import type { ContextProperties, ContextStore } from '../../lib/context/context-store';
import { LogContext } from '../../lib/context/log-context';
import { StackContextStore } from '../../lib/context/stack-context-store';
import { diagnosticContext } from '../../lib/node/http/diagnostic-context';
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

/** Whether LogContext follows an await now: true with an AsyncLocalStorage store, false with the synchronous default. */
async function followsAwait(): Promise<boolean> {
  const seen = await LogContext.run({ Probe: true }, async () => {
    await Promise.resolve();
    return LogContext.current()?.Probe;
  });
  return seen === true;
}

describe('useAsyncLocalStorage restored out of order or twice', () => {
  it('puts the default store back once every call has been restored, in whatever order', async () => {
    const first = useAsyncLocalStorage();
    const second = useAsyncLocalStorage();
    first();
    // The second call still holds it on.
    expect(await followsAwait()).toBe(true);
    second();
    expect(await followsAwait()).toBe(false);
  });

  it('still restores after the app set its own store and put the AsyncLocalStorage one back', async () => {
    const restore = useAsyncLocalStorage();
    LogContext.useStore(LogContext.useStore(new StackContextStore()));
    restore();
    expect(await followsAwait()).toBe(false);
  });

  it('restores once: calling the function again changes nothing, not even a store the app set since', async () => {
    const restore = useAsyncLocalStorage();
    restore();
    const appStore = new StackContextStore();
    const defaultStore = LogContext.useStore(appStore);
    try {
      restore();
      expect(LogContext.useStore(defaultStore)).toBe(appStore);
    } finally {
      LogContext.useStore(defaultStore);
    }
    expect(await followsAwait()).toBe(false);
  });

  it('leaves a store the app set after the call in place when it restores', () => {
    const appStore: ContextStore = { current: () => ({ From: 'app' }), run: (_, fn) => fn() };
    const defaultStore = LogContext.useStore(appStore);
    LogContext.useStore(defaultStore);
    const restore = useAsyncLocalStorage();
    LogContext.useStore(appStore);
    try {
      restore();
      expect(LogContext.current()).toEqual({ From: 'app' });
    } finally {
      LogContext.useStore(defaultStore);
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

  it('runs what asapScheduler batched in one turn in the first stream’s context, as documented; withLogContext after observeOn puts back each its own RequestId', async () => {
    const batched = await contextsAfter(
      (id) => (source) => source.pipe(withLogContext({ RequestId: id }), observeOn(asapScheduler)),
    );
    expect(batched).toEqual(['r-1', 'r-1']);
    const after = await contextsAfter(
      (id) => (source) => source.pipe(observeOn(asapScheduler), withLogContext({ RequestId: id })),
    );
    expect(after).toEqual(ids);
  });

  it('keeps the first request’s other properties after observeOn(asapScheduler), even with withLogContext after it, as docs/node.md says', async () => {
    const restore = useAsyncLocalStorage();
    try {
      const request = (id: string, properties: object): Promise<unknown> =>
        LogContext.run({ RequestId: id, ...properties }, () =>
          firstValueFrom(
            of(id).pipe(
              observeOn(asapScheduler),
              withLogContext({ RequestId: id }),
              map(() => LogContext.current()),
            ),
          ),
        );
      // r-2 has no UserId of its own: the one it carries is r-1's, which started the batch.
      expect(await Promise.all([request('r-1', { UserId: 'alice' }), request('r-2', {})])).toEqual([
        { RequestId: 'r-1', UserId: 'alice' },
        { RequestId: 'r-2', UserId: 'alice' },
      ]);
      // asyncScheduler keeps each request's own.
      const own = (id: string, properties: object): Promise<unknown> =>
        LogContext.run({ RequestId: id, ...properties }, () =>
          firstValueFrom(
            of(id).pipe(
              observeOn(asyncScheduler),
              map(() => LogContext.current()),
            ),
          ),
        );
      expect(await Promise.all([own('r-1', { UserId: 'alice' }), own('r-2', {})])).toEqual([
        { RequestId: 'r-1', UserId: 'alice' },
        { RequestId: 'r-2' },
      ]);
    } finally {
      restore();
    }
  });
});

describe('useAsyncLocalStorage with withLogContext and a delayed retry', () => {
  it('subscribes the next attempt from the context around the stream, not the failed attempt’s, though its timer was set inside it', async () => {
    const restore = useAsyncLocalStorage();
    try {
      let attempt = 0;
      const seenBySubscribe: unknown[] = [];
      const call = defer(() => {
        seenBySubscribe.push(LogContext.current());
        return attempt < 2 ? throwError(() => new Error('busy')) : of('ok');
      }).pipe(
        withLogContext(() => ({ Attempt: ++attempt })),
        // The retry's timer is set while the error is delivered, inside the failed attempt's context.
        retry({ count: 2, delay: () => timer(1, asyncScheduler) }),
      );
      const result = await LogContext.run({ RequestId: 'r-1' }, () => firstValueFrom(call));
      expect(result).toBe('ok');
      expect(seenBySubscribe).toEqual([{ RequestId: 'r-1' }, { RequestId: 'r-1' }]);
    } finally {
      restore();
    }
  });
});

describe('useAsyncLocalStorage with withLogContext, a retry and a request’s diagnostic collection', () => {
  // LogContext.suspend now leaves the request's collection too: the retry's new subscription, which
  // withLogContext starts from the context around the stream, must still be the request's.
  it('subscribes the next attempt inside the request’s collection, so what it sets reaches the completion event', async () => {
    const restore = useAsyncLocalStorage();
    try {
      let attempt = 0;
      const collected = await diagnosticContext.run(async (collector) => {
        const call = defer(() => {
          diagnosticContext.set(`Attempt${++attempt}`, LogContext.current()?.RequestId);
          return attempt < 2 ? throwError(() => new Error('busy')) : of('ok');
        }).pipe(withLogContext({ Stage: 'call' }), retry({ count: 1, delay: () => timer(1, asyncScheduler) }));
        await LogContext.run({ RequestId: 'r-1' }, () => firstValueFrom(call));
        return collector.complete();
      });
      expect(collected).toEqual({ Attempt1: 'r-1', Attempt2: 'r-1' });
    } finally {
      restore();
    }
  });
});

// What the docs claimed only for EventEmitter listeners and asapScheduler holds for any Subject:
// a subscriber runs where next() is called, not where it subscribed, and a withLogContext after the
// Subject layers its names over the caller's context. Checked so docs/node.md can say it exactly.
describe('useAsyncLocalStorage with a Subject made outside any run', () => {
  it('runs a subscriber in the context of the next() call, not of its subscribe; a BehaviorSubject replays in the subscriber’s', () => {
    const restore = useAsyncLocalStorage();
    try {
      const events = new Subject<string>();
      const seen: unknown[] = [];
      LogContext.run({ RequestId: 'subscriber' }, () => events.subscribe(() => seen.push(LogContext.current()?.RequestId)));
      LogContext.run({ RequestId: 'r-2' }, () => events.next('a'));
      events.next('b');
      expect(seen).toEqual(['r-2', undefined]);
      const latest = new BehaviorSubject('first');
      const replayed: unknown[] = [];
      LogContext.run({ RequestId: 'r-1' }, () => latest.subscribe(() => replayed.push(LogContext.current()?.RequestId)));
      LogContext.run({ RequestId: 'r-2' }, () => latest.next('second'));
      expect(replayed).toEqual(['r-1', 'r-2']);
    } finally {
      restore();
    }
  });

  it('layers a withLogContext after the Subject over the caller’s context: the caller’s other names come through', () => {
    const restore = useAsyncLocalStorage();
    try {
      const events = new Subject<string>();
      const seen: unknown[] = [];
      events.pipe(withLogContext({ Stream: 'orders' })).subscribe(() => seen.push(LogContext.current()));
      LogContext.run({ RequestId: 'r-2', UserId: 'bob' }, () => events.next('a'));
      expect(seen).toEqual([{ RequestId: 'r-2', UserId: 'bob', Stream: 'orders' }]);
    } finally {
      restore();
    }
  });

  it('emits what debounceTime held in the context of the value that armed its timer, another request’s', async () => {
    const restore = useAsyncLocalStorage();
    try {
      const searches = new Subject<string>();
      const seen: unknown[] = [];
      const done = new Promise<void>((resolve) =>
        searches.pipe(debounceTime(5, asyncScheduler)).subscribe((term) => {
          seen.push([term, LogContext.current()?.RequestId]);
          resolve();
        }),
      );
      LogContext.run({ RequestId: 'r-1' }, () => searches.next('sho'));
      LogContext.run({ RequestId: 'r-2' }, () => searches.next('shoes'));
      await done;
      // r-2's value, delivered in r-1's context: r-1's value armed the timer that delivers it.
      expect(seen).toEqual([['shoes', 'r-1']]);
    } finally {
      restore();
    }
  });

  it('runs the work concatMap queued in the context of the value before it; withLogContext of the value’s own context puts its names back', async () => {
    const restore = useAsyncLocalStorage();
    try {
      const orders = new Subject<{ id: string; context: ContextProperties }>();
      const seen: unknown[] = [];
      const save = (id: string): void => orders.next({ id, context: LogContext.current() ?? {} });
      const done = new Promise<void>((resolve) => {
        orders
          .pipe(
            concatMap(({ id, context }) =>
              timer(2).pipe(
                map(() => {
                  seen.push(['queued', id, LogContext.current()?.RequestId]);
                  return id;
                }),
                withLogContext(context),
              ),
            ),
          )
          .subscribe((id) => {
            seen.push(['carried', id, LogContext.current()?.RequestId]);
            if (id === 'o-2') resolve();
          });
      });
      LogContext.run({ RequestId: 'r-1' }, () => save('o-1'));
      LogContext.run({ RequestId: 'r-2' }, () => save('o-2'));
      await done;
      // o-2's work starts when o-1's completes, in r-1's context: that is where its timer is set.
      expect(seen).toEqual([
        ['queued', 'o-1', 'r-1'],
        ['carried', 'o-1', 'r-1'],
        ['queued', 'o-2', 'r-1'],
        ['carried', 'o-2', 'r-2'],
      ]);
    } finally {
      restore();
    }
  });
});
