import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { MemorySink } from '../../lib/sinks/memory-sink';
import type { ContextProperties, ContextStore } from '../../lib/context/context-store';
import { LogContext } from '../../lib/context/log-context';
import { ConfigurationError } from '../../lib/core/errors/configuration-error';
import { SelfLog } from '../../lib/core/self-log';
import { StackContextStore } from '../../lib/context/stack-context-store';
import { withLogContext } from '../../lib/operators/with-log-context';
import { collectSelfLog } from '../helpers/self-log';
import { syncContextStore } from '../helpers/app-context-store';
import { runInNewContext } from 'node:vm';
import { defer, of } from 'rxjs';

describe('LogContext', () => {
  it('adds properties inside run and removes them after', () => {
    expect(LogContext.current()).toBeUndefined();
    const inside = LogContext.run({ RequestId: 'r-7' }, () => LogContext.current());
    expect(inside).toEqual({ RequestId: 'r-7' });
    expect(LogContext.current()).toBeUndefined();
  });

  it('layers nested runs, inner values winning', () => {
    LogContext.run({ RequestId: 'r-1', User: 'ada' }, () => {
      LogContext.run({ RequestId: 'r-2' }, () => {
        expect(LogContext.current()).toEqual({ RequestId: 'r-2', User: 'ada' });
      });
      expect(LogContext.current()).toEqual({ RequestId: 'r-1', User: 'ada' });
    });
  });

  it('removes the properties when the callback throws', () => {
    expect(() =>
      LogContext.run({ RequestId: 'r-9' }, () => {
        throw new Error('handler failed');
      }),
    ).toThrow('handler failed');
    expect(LogContext.current()).toBeUndefined();
  });

  it('refuses run and suspend without a callback with a TypeError naming the value, leaving the context as it was', () => {
    const diagnostics: string[] = [];
    const subscription = SelfLog.events$.subscribe((event) => diagnostics.push(event.message));
    try {
      // From JavaScript, or a Serilog user's LogContext.PushProperty habit: there is no push.
      const run = LogContext.run as (properties: unknown, fn?: unknown) => unknown;
      const suspend = LogContext.suspend as (fn?: unknown) => unknown;
      expect(() => run({ RequestId: 'r-7' })).toThrow(new TypeError('LogContext.run: expected a function to run, got undefined'));
      expect(() => run({ RequestId: 'r-7' }, 'handle')).toThrow(
        new TypeError('LogContext.run: expected a function to run, got "handle"'),
      );
      expect(() => run(() => 'handled')).toThrow(TypeError);
      expect(() => suspend(null)).toThrow(new TypeError('LogContext.suspend: expected a function to run, got null'));
      LogContext.run({ Outer: 1 }, () => {
        expect(() => run({ Inner: 2 })).toThrow(TypeError);
        expect(LogContext.current()).toEqual({ Outer: 1 });
      });
      expect(LogContext.current()).toBeUndefined();
      // Refused before the properties are read: no SelfLog line about them.
      expect(() => run(null)).toThrow(TypeError);
      expect(diagnostics).toEqual([]);
    } finally {
      subscription.unsubscribe();
    }
  });

  it('returns the callback result', () => {
    expect(LogContext.run({ A: 1 }, () => 42)).toBe(42);
  });

  it('suspends the properties inside suspend, nested runs included, and puts them back after, even when it throws', () => {
    LogContext.run({ RequestId: 'r-1' }, () => {
      expect(LogContext.suspend(() => LogContext.current())).toBeUndefined();
      expect(LogContext.suspend(() => LogContext.run({ Job: 'refresh' }, () => LogContext.current()))).toEqual({
        Job: 'refresh',
      });
      expect(() =>
        LogContext.suspend(() => {
          throw new Error('job failed');
        }),
      ).toThrow('job failed');
      expect(LogContext.current()).toEqual({ RequestId: 'r-1' });
    });
    expect(LogContext.suspend(() => 42)).toBe(42);
  });

  it('runs suspend in the context of a store that has no suspend(), and tells SelfLog', () => {
    const store: ContextStore = { current: () => ({ From: 'custom' }), run: (_, fn) => fn() };
    const diagnostics: string[] = [];
    const subscription = SelfLog.events$.subscribe((event) => diagnostics.push(event.message));
    const previous = LogContext.useStore(store);
    try {
      expect(LogContext.suspend(() => LogContext.current())).toEqual({ From: 'custom' });
    } finally {
      LogContext.useStore(previous);
      subscription.unsubscribe();
    }
    expect(diagnostics).toEqual([expect.stringContaining('LogContext.suspend: no suspend() in the store')]);
  });

  // Before, every call wrote its line: an app suspending per request (or withLogContext
  // subscribing again on each retry, which suspends) flooded SelfLog with the same one.
  it('tells SelfLog of a store without suspend() once for many calls in a row, again after another diagnostic', () => {
    const store: ContextStore = { current: () => ({ From: 'custom' }), run: (_, fn) => fn() };
    const { diagnostics, stop } = collectSelfLog();
    const previous = LogContext.useStore(store);
    try {
      for (let i = 0; i < 100; i++) expect(LogContext.suspend(() => i)).toBe(i);
      SelfLog.write('Something else');
      for (let i = 0; i < 100; i++) LogContext.suspend(() => i);
    } finally {
      LogContext.useStore(previous);
      stop();
    }
    expect(diagnostics.map((d) => d.template)).toEqual([
      'LogContext.suspend: no suspend() in the store',
      'Something else',
      'LogContext.suspend: no suspend() in the store',
    ]);
  });

  // Before, every event logged while an app's own store could not say its context wrote the
  // enricher's failure again: a request's thousand events, a thousand SelfLog lines.
  it('tells SelfLog once for a run of events whose store current() throws under fromLogContext, again after another diagnostic', () => {
    const store: ContextStore = {
      current: () => {
        throw new Error('no scope here');
      },
      run: (_, fn) => fn(),
    };
    const memory = new MemorySink();
    const log = new LoggerConfiguration().enrich.fromLogContext().writeTo.sink(memory).createLogger();
    const { diagnostics, stop } = collectSelfLog();
    const previous = LogContext.useStore(store);
    try {
      for (let i = 0; i < 100; i++) log.information('Event {N}', i);
      SelfLog.write('Something else');
      for (let i = 0; i < 100; i++) log.information('Event {N}', i);
    } finally {
      LogContext.useStore(previous);
      stop();
    }
    expect(memory.events).toHaveLength(200);
    expect(memory.events[199].properties).toEqual({ N: 99 });
    expect(diagnostics.map((d) => d.template)).toEqual([
      expect.stringContaining('store'),
      'Something else',
      expect.stringContaining('store'),
    ]);
  });

  it('uses a pluggable store and gives back the previous one', () => {
    const calls: string[] = [];
    const store: ContextStore = {
      current: () => ({ From: 'custom' }),
      run: (properties, fn) => {
        calls.push(JSON.stringify(properties));
        return fn();
      },
    };
    const previous = LogContext.useStore(store);
    try {
      LogContext.run({ X: 1 }, () => undefined);
      expect(LogContext.current()).toEqual({ From: 'custom' });
      expect(calls).toEqual(['{"X":1}']);
    } finally {
      LogContext.useStore(previous);
    }
    expect(LogContext.current()).toBeUndefined();
  });
  it('refuses a store without current() and run(), naming it, and keeps the store it has', () => {
    expect(() => LogContext.useStore({ current: () => undefined } as unknown as ContextStore)).toThrow(
      new ConfigurationError('LogContext.useStore: expected a ContextStore with current() and run(), got Object'),
    );
    expect(() => LogContext.useStore(undefined as unknown as ContextStore)).toThrow(ConfigurationError);
    expect(LogContext.run({ A: 1 }, () => LogContext.current())).toEqual({ A: 1 });
  });

  it('captures context values at the log call, so mutating them later cannot change logged events', () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().enrich.fromLogContext().writeTo.sink(memory).createLogger();
    const cart = { items: ['book'] };
    LogContext.run({ Cart: cart }, () => {
      log.information('first');
      cart.items.push('lamp');
      log.information('second');
    });
    cart.items.push('chair');
    expect(memory.events.map((e) => e.properties.Cart)).toEqual([{ items: ['book'] }, { items: ['book', 'lamp'] }]);
  });

  it('reads the names of the object given to run when the run starts: one added or reassigned later is not seen', () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().enrich.fromLogContext().writeTo.sink(memory).createLogger();
    const properties: Record<string, unknown> = { Step: 'start' };
    LogContext.run(properties, () => {
      properties.Step = 'changed';
      properties.Added = true;
      log.information('inside');
    });
    expect(memory.events.map((e) => e.properties)).toEqual([{ Step: 'start' }]);
  });
});

describe('LogContext values captured for an event', () => {
  /** Items kept in a captured tree: array elements and object members, at every depth. */
  const items = (value: unknown): number =>
    typeof value !== 'object' || value === null
      ? 0
      : Object.values(value).reduce((sum: number, each) => sum + 1 + items(each), 0);
  /** A value of 11 000 items: 1000 rows of 10 fields. */
  const table = (): Record<string, number>[] =>
    Array.from({ length: 1000 }, (_, row) => Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`f${i}`, row])));

  it('share one capture budget, as a call’s arguments do: a context of many large values keeps what arguments would', () => {
    const log = new LoggerConfiguration().enrich.fromLogContext().createLogger();
    const captured: Record<string, unknown>[] = [];
    const subscription = log.events$.subscribe((event) => captured.push({ ...event.properties }));
    const context = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`Table${i}`, table()]));
    const names = Object.keys(context);
    try {
      LogContext.run({ One: table() }, () => log.information('one'));
      LogContext.run(context, () => log.information('twenty'));
      log.information(names.map((name) => `{${name}}`).join(' '), ...Object.values(context));
    } finally {
      subscription.unsubscribe();
    }
    expect(items(captured[0])).toBe(1 + 11_000);
    // Every name is there; past the budget, collections end early with their '…N more' marker,
    // and objects met after it is spent are { '…': '…more' }, exactly as for the arguments.
    expect(Object.keys(captured[1])).toEqual(names);
    expect(captured[1]).toEqual(captured[2]);
    expect(items(captured[1])).toBeLessThan(20 * 11_000 * 0.5);
    expect(captured[1].Table0).toEqual(context.Table0);
  });
});

describe('LogContext.run with an async callback on the default synchronous store', () => {
  // Before, the properties silently stopped at the callback's first await (in Node without
  // useAsyncLocalStorage(), or in a browser), and nothing said why events lacked them.
  it('tells SelfLog once per store that the properties do not follow the callback’s awaits', async () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().enrich.fromLogContext().writeTo.sink(memory).createLogger();
    const { diagnostics, stop } = collectSelfLog();
    const previous = LogContext.useStore(new StackContextStore());
    try {
      const handle = (id: string): Promise<void> =>
        LogContext.run({ RequestId: id }, async () => {
          log.information('Before');
          await Promise.resolve();
          log.information('After');
        });
      await handle('r-1');
      await handle('r-2');
      // A callback that returns no Promise says nothing.
      LogContext.run({ RequestId: 'r-3' }, () => log.information('Sync'));
    } finally {
      LogContext.useStore(previous);
      stop();
    }
    expect(memory.events.map((e) => `${e.renderMessage()} ${String(e.properties.RequestId)}`)).toEqual([
      'Before r-1',
      'After undefined',
      'Before r-2',
      'After undefined',
      'Sync r-3',
    ]);
    const lines = diagnostics.filter((d) => d.template.includes('Promise'));
    expect(lines).toHaveLength(1);
    expect(lines[0].message).toContain('useAsyncLocalStorage()');
    await log.close();
  });
});

describe('LogContext.run returning a Promise of another realm, or a thenable, on the default synchronous store', () => {
  // Before, only `instanceof Promise` was told: a Promise made in another realm (an iframe's, a
  // vm context's) or a library's lazy thenable (a query builder run when awaited) said nothing.
  it.each([
    ['a Promise of another realm', (): unknown => runInNewContext('Promise.resolve(1)')],
    ['a thenable', (): unknown => ({ then: (resolve: (value: number) => void) => resolve(1) })],
  ])('tells SelfLog once, for %s', async (_name, make) => {
    const { diagnostics, stop } = collectSelfLog();
    const previous = LogContext.useStore(new StackContextStore());
    try {
      expect(await LogContext.run({ RequestId: 'r-1' }, make)).toBe(1);
      expect(await LogContext.run({ RequestId: 'r-2' }, make)).toBe(1);
    } finally {
      LogContext.useStore(previous);
      stop();
    }
    expect(diagnostics.map((d) => d.template)).toEqual([
      expect.stringContaining('LogContext.run: the callback returned a Promise'),
    ]);
  });
});

describe('LogContext.run with a callback that returns work to run later, on the default synchronous store', () => {
  // Before, `LogContext.run(ctx, () => search$)` (an Angular service call, say) or a generator
  // returned from the callback lost the properties with nothing said: the Observable's work runs
  // when it is subscribed, the generator's body when it is iterated, both after the run ended.
  it('tells SelfLog once per kind, and names withLogContext for an Observable', async () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().enrich.fromLogContext().writeTo.sink(memory).createLogger();
    const { diagnostics, stop } = collectSelfLog();
    const previous = LogContext.useStore(new StackContextStore());
    try {
      for (const id of ['r-1', 'r-2']) {
        const search$ = LogContext.run({ RequestId: id }, () => defer(() => (log.information('Searching'), of(1))));
        search$.subscribe();
        async function* rows(): AsyncGenerator<number> {
          log.information('Reading');
          await Promise.resolve();
          yield 1;
        }
        for await (const row of LogContext.run({ RequestId: id }, () => rows())) expect(row).toBe(1);
        function* lines(): Generator<number> {
          log.information('Splitting');
          yield 1;
        }
        for (const line of LogContext.run({ RequestId: id }, () => lines())) expect(line).toBe(1);
      }
      // Work done inside the callback keeps the properties; a plain result, a Subject-like object
      // without lift and an array say nothing.
      const done$ = LogContext.run({ RequestId: 'r-3' }, () => {
        log.information('Inside');
        return of(1);
      });
      expect(LogContext.run({ RequestId: 'r-3' }, () => ({ next: () => 1, subscribe: () => 2 })).next()).toBe(1);
      expect(LogContext.run({ RequestId: 'r-3' }, () => [1, 2])).toEqual([1, 2]);
      const revoked = Proxy.revocable({}, {});
      revoked.revoke();
      expect(LogContext.run({ RequestId: 'r-3' }, () => revoked.proxy)).toBe(revoked.proxy);
      done$.subscribe();
    } finally {
      LogContext.useStore(previous);
      stop();
    }
    expect(memory.events.map((e) => `${e.renderMessage()} ${String(e.properties.RequestId)}`)).toEqual([
      'Searching undefined',
      'Reading undefined',
      'Splitting undefined',
      'Searching undefined',
      'Reading undefined',
      'Splitting undefined',
      'Inside r-3',
    ]);
    const lines = diagnostics.filter((d) => d.template.startsWith("LogContext.run: the callback's"));
    expect(lines.map((d) => d.message)).toEqual(
      ['Observable', 'AsyncGenerator', 'Generator'].map((kind) =>
        expect.stringContaining(
          `LogContext.run: the callback's ${kind} runs after the run, without its properties (an Observable: use withLogContext)`,
        ),
      ),
    );
    await log.close();
  });
});

// A subclass of the default store is the app's own (request middleware keeps it): rxlog's own work
// goes through the methods it overrides, as through any store of the app's own, not around them.
describe('LogContext with a StackContextStore subclass that overrides run and suspend', () => {
  class TaggingStore extends StackContextStore {
    readonly suspended: string[] = [];
    override run<T>(properties: ContextProperties, fn: () => T): T {
      return super.run({ ...properties, Via: 'TaggingStore' }, fn);
    }
    override suspend<T>(fn: () => T): T {
      this.suspended.push('suspend');
      return super.suspend(fn);
    }
  }

  it('runs withLogContext’s notifications through its run, and sink delivery inside its suspend', async () => {
    const store = new TaggingStore();
    const previous = LogContext.useStore(store);
    const memory = new MemorySink();
    const log = new LoggerConfiguration().enrich
      .fromLogContext()
      .writeTo.sink(memory, { batch: { size: 1, maxDelayMs: 1 } })
      .createLogger();
    try {
      LogContext.run({ A: 1 }, () => log.information('In a run'));
      of(1)
        .pipe(withLogContext({ B: 2 }))
        .subscribe(() => log.information('In a stream'));
      await log.flush();
      expect(memory.events.map((e) => [e.messageTemplate.text, { ...e.properties }])).toEqual([
        ['In a run', { A: 1, Via: 'TaggingStore' }],
        ['In a stream', { B: 2, Via: 'TaggingStore' }],
      ]);
      expect(store.suspended.length).toBeGreaterThan(0);
    } finally {
      await log.close();
      LogContext.useStore(previous);
    }
  });
});

describe('LogContext.run with a store of the app’s own whose run fails', () => {
  // Request middleware (requestLogging, RxlogModule) runs every request in LogContext.run: the
  // store's error reached it, so every request failed, and a run that never called back left the
  // request unhandled, where withLogContext and fromLogContext went on without the context.
  it.each<[string, ContextStore['run']]>([
    [
      'throws',
      (): never => {
        throw new Error('no scope');
      },
    ],
    // A run that returns without calling back.
    ['never calls back', <T>(): T => undefined as T],
  ])(
    'runs the callback once without the properties when the store’s run %s, and tells SelfLog once for the calls in a row',
    (_name, run) => {
      const memory = new MemorySink();
      const log = new LoggerConfiguration().enrich.fromLogContext().writeTo.sink(memory).createLogger();
      const previous = LogContext.useStore(syncContextStore({ run }));
      const { diagnostics, stop } = collectSelfLog();
      const results: number[] = [];
      try {
        for (let i = 0; i < 3; i++)
          results.push(
            LogContext.run({ RequestId: `r-${i}` }, () => {
              log.information('handled');
              return i;
            }),
          );
      } finally {
        stop();
        LogContext.useStore(previous);
      }
      expect(results).toEqual([0, 1, 2]);
      expect(memory.events.map((e) => e.properties)).toEqual([{}, {}, {}]);
      expect(diagnostics.map((d) => d.message)).toEqual([expect.stringContaining("LogContext.run: the store's run() failed")]);
    },
  );

  it('lets what the callback throws reach the caller, once, and keeps the store’s properties where its run works', () => {
    let calls = 0;
    const previous = LogContext.useStore(
      syncContextStore({
        run: (_properties, fn) => {
          fn();
          return fn();
        },
      }),
    );
    try {
      expect(() =>
        LogContext.run({ A: 1 }, () => {
          calls++;
          throw new Error('handler failed');
        }),
      ).toThrow('handler failed');
      expect(calls).toBe(1);
    } finally {
      LogContext.useStore(previous);
    }
    const working = LogContext.useStore(syncContextStore());
    try {
      expect(LogContext.run({ A: 1 }, () => LogContext.current())).toEqual({ A: 1 });
    } finally {
      LogContext.useStore(working);
    }
  });
});
