import fc from 'fast-check';
import { defer, map, of, repeat, retry, Subject, switchMap, take, tap, timer } from 'rxjs';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { LogContext } from '../../lib/context/log-context';
import type { ContextProperties, ContextStore } from '../../lib/context/context-store';
import { ConfigurationError } from '../../lib/core/errors/configuration-error';
import { SelfLog, type SelfLogEvent } from '../../lib/core/self-log';
import type { Logger } from '../../lib/pipeline/logger';
import { withLogContext } from '../../lib/operators/with-log-context';
import { MemorySink } from '../../lib/sinks/memory-sink';
import { createTestScheduler } from '../helpers/test-scheduler';
import { syncContextStore } from '../helpers/app-context-store';
import { countingSource } from '../helpers/events';
import { collectSelfLog } from '../helpers/self-log';
import { nextMacrotask, selfResolvingThenable } from '../helpers/self-resolving-thenable';
import { defineGetter, getterEntries } from '../helpers/throwing-getters';

function contextLogger(): { log: Logger; memory: MemorySink; seen: () => Record<string, unknown>[] } {
  const memory = new MemorySink();
  const log = new LoggerConfiguration().enrich.fromLogContext().writeTo.sink(memory).createLogger();
  const seen = (): Record<string, unknown>[] => memory.events.map((e) => ({ text: e.messageTemplate.text, ...e.properties }));
  return { log, memory, seen };
}

describe('withLogContext', () => {
  it('carries the properties onto events logged in map and tap placed downstream, not upstream', () => {
    const testScheduler = createTestScheduler();
    const { log, seen } = contextLogger();
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('-a-b-|', { a: 1, b: 2 }).pipe(
        tap((n) => log.information('upstream {N}', n)),
        withLogContext({ CorrelationId: 'c-1' }),
        map((n) => {
          log.information('in map {N}', n);
          return n * 10;
        }),
        tap((n) => log.information('in tap {N}', n)),
      );
      expectObservable(source).toBe('-x-y-|', { x: 10, y: 20 });
    });
    expect(seen()).toEqual([
      { text: 'upstream {N}', N: 1 },
      { text: 'in map {N}', N: 1, CorrelationId: 'c-1' },
      { text: 'in tap {N}', N: 10, CorrelationId: 'c-1' },
      { text: 'upstream {N}', N: 2 },
      { text: 'in map {N}', N: 2, CorrelationId: 'c-1' },
      { text: 'in tap {N}', N: 20, CorrelationId: 'c-1' },
    ]);
  });

  it('keeps the context off upstream work of a synchronous source as of an asynchronous one', () => {
    const { log, seen } = contextLogger();
    of(1, 2)
      .pipe(
        tap((n) => log.information('upstream {N}', n)),
        withLogContext({ CorrelationId: 'c-1' }),
        tap((n) => log.information('downstream {N}', n)),
      )
      .subscribe();
    defer(() => {
      log.information('subscribing upstream');
      return of(3);
    })
      .pipe(withLogContext({ CorrelationId: 'c-2' }))
      .subscribe((n) => log.information('taken {N}', n));
    expect(seen()).toEqual([
      { text: 'upstream {N}', N: 1 },
      { text: 'downstream {N}', N: 1, CorrelationId: 'c-1' },
      { text: 'upstream {N}', N: 2 },
      { text: 'downstream {N}', N: 2, CorrelationId: 'c-1' },
      { text: 'subscribing upstream' },
      { text: 'taken {N}', N: 3, CorrelationId: 'c-2' },
    ]);
  });

  it('carries the properties into a switchMap projection placed downstream, and not outside the stream', () => {
    const testScheduler = createTestScheduler();
    const { log, seen } = contextLogger();
    testScheduler.run(({ hot, expectObservable }) => {
      const clicks = hot('-a---b-|', { a: 'shoes', b: 'hats' });
      const results = clicks.pipe(
        withLogContext({ CorrelationId: 'c-2' }),
        switchMap((term) => {
          log.information('Searching {Term}', term);
          return timer(2, testScheduler).pipe(map(() => `${term}!`));
        }),
      );
      expectObservable(results).toBe('---x---(y|)', { x: 'shoes!', y: 'hats!' });
      testScheduler.schedule(() => log.information('elsewhere'), 3);
    });
    expect(seen()).toEqual([
      { text: 'Searching {Term}', Term: 'shoes', CorrelationId: 'c-2' },
      { text: 'elsewhere' },
      { text: 'Searching {Term}', Term: 'hats', CorrelationId: 'c-2' },
    ]);
    expect(LogContext.current()).toBeUndefined();
  });

  it('delivers error and complete inside the context', () => {
    const testScheduler = createTestScheduler();
    const { log, seen } = contextLogger();
    testScheduler.run(({ cold, expectObservable }) => {
      const ok = cold('-|').pipe(withLogContext({ Id: 'ok' }));
      const failing = cold('-#', {}, new Error('boom')).pipe(withLogContext({ Id: 'bad' }));
      expectObservable(ok.pipe(tap({ complete: () => log.information('done') }))).toBe('-|');
      expectObservable(failing.pipe(tap({ error: () => log.error('failed') }))).toBe('-#', {}, new Error('boom'));
    });
    expect(seen()).toEqual([
      { text: 'done', Id: 'ok' },
      { text: 'failed', Id: 'bad' },
    ]);
  });

  it('calls a properties function once per subscription', () => {
    const { log, seen } = contextLogger();
    let next = 0;
    const source = of('x').pipe(
      withLogContext(() => ({ Subscription: ++next })),
      tap(() => log.information('value')),
    );
    source.subscribe();
    source.subscribe();
    expect(seen()).toEqual([
      { text: 'value', Subscription: 1 },
      { text: 'value', Subscription: 2 },
    ]);
  });

  // Serilog's LogContext is read where an event is logged; a stream that emits on a later turn
  // (a timer here) can keep the context of where it was subscribed by reading it then.
  it('carries the context in force where the stream is subscribed to its later emissions, with () => LogContext.current() ?? {}', () => {
    const { log, seen } = contextLogger();
    createTestScheduler().run(({ flush }) => {
      const later = timer(5).pipe(tap(() => log.information('without')));
      const kept = timer(5).pipe(
        withLogContext(() => LogContext.current() ?? {}),
        tap(() => log.information('with')),
      );
      LogContext.run({ RequestId: 'r-1' }, () => {
        later.subscribe();
        kept.subscribe();
      });
      flush();
    });
    expect(seen()).toEqual([{ text: 'without' }, { text: 'with', RequestId: 'r-1' }]);
  });

  it('layers over an outer context, the inner value winning', () => {
    const { log, seen } = contextLogger();
    const source = new Subject<number>();
    source.pipe(withLogContext({ Inner: 'i', Shared: 'inner' })).subscribe(() => log.information('value'));
    LogContext.run({ Outer: 'o', Shared: 'outer' }, () => source.next(1));
    expect(seen()).toEqual([{ text: 'value', Inner: 'i', Outer: 'o', Shared: 'inner' }]);
  });

  it('runs without context when the properties function throws, and rejects what is not properties', () => {
    const { log, seen } = contextLogger();
    of(1)
      .pipe(
        withLogContext(() => {
          throw new Error('no id');
        }),
      )
      .subscribe(() => log.information('value'));
    expect(seen()).toEqual([{ text: 'value' }]);
    expect(() => withLogContext(null as unknown as Record<string, unknown>)).toThrow(ConfigurationError);
    expect(() => withLogContext('Id' as unknown as Record<string, unknown>)).toThrow(/withLogContext.*"Id"/);
  });

  it('rejects an array, a number, undefined, a Map, a Set or a Date when built, naming it', () => {
    for (const [value, named] of [
      [['Id'], 'an array'],
      [42, '42'],
      [undefined, 'undefined'],
      // Spread, these give no properties: `{ ...new Map([['Id', 'r-7']]) }` is `{}`.
      [new Map([['Id', 'r-7']]), 'a Map'],
      [new Set(['Id']), 'a Set'],
      [new Date(0), 'a Date'],
    ] as const) {
      expect(() => withLogContext(value as unknown as Record<string, unknown>)).toThrow(ConfigurationError);
      expect(() => withLogContext(value as unknown as Record<string, unknown>)).toThrow(`got ${named}`);
    }
  });

  it('runs a subscription without context when the function returns what is not properties, telling SelfLog once per kind', () => {
    const testScheduler = createTestScheduler();
    const { log, seen } = contextLogger();
    // Names that cannot be listed: no context (a getter that throws is a marker, see below).
    const unlistable = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('keys broke');
        },
      },
    );
    const results: unknown[] = [
      null,
      7,
      'Id',
      ['Id'],
      undefined,
      unlistable,
      new Map([['Id', 'r-7']]),
      new Set(['Id']),
      null,
      8,
      unlistable,
      { Id: 'ok' },
    ];
    const diagnostics: SelfLogEvent[] = [];
    const subscription = SelfLog.events$.subscribe((d) => diagnostics.push(d));
    let call = 0;
    try {
      testScheduler.run(({ cold, expectObservable }) => {
        const source = cold('-a|', { a: 1 }).pipe(
          withLogContext(() => results[call++] as Record<string, unknown>),
          tap(() => log.information('value')),
        );
        // Every subscription gets its values and completes: a bad context never fails the stream.
        for (let i = 0; i < results.length; i++) expectObservable(source).toBe('-a|', { a: 1 });
      });
    } finally {
      subscription.unsubscribe();
    }
    expect(seen()).toEqual([
      ...Array.from({ length: results.length - 1 }, () => ({ text: 'value' })),
      { text: 'value', Id: 'ok' },
    ]);
    const lines = diagnostics.filter((d) => d.template.startsWith('withLogContext:'));
    // null, number, string, array, undefined, the unreadable object, a Map and a Set: one line each, repeats silent.
    expect(lines.map((d) => (d.args[0] instanceof Error ? d.args[0].message : d.args[0]))).toEqual([
      'null',
      'number',
      'string',
      'array',
      'undefined',
      'keys broke',
      'Map',
      'Set',
    ]);
    expect(LogContext.current()).toBeUndefined();
  });

  // `withLogContext(async () => ({ Id: await nextId() }))` ran every subscription without context and
  // said nothing (a Promise spread gives no properties), and a rejected one went unhandled, which
  // ends a Node process. Read as every synchronous callback's Promise is (core/stray-promise).
  it('runs a subscription without context when the function is async, telling SelfLog once, rejection included', async () => {
    const { log, seen } = contextLogger();
    const { diagnostics, stop } = collectSelfLog();
    try {
      // JavaScript: TypeScript refuses an async properties function.
      const failing = withLogContext<number>((async () => {
        throw new Error('no id service');
      }) as unknown as () => Record<string, unknown>);
      of(1)
        .pipe(failing)
        .subscribe(() => log.information('first'));
      of(2)
        .pipe(failing)
        .subscribe(() => log.information('second'));
      of(3)
        .pipe(withLogContext<number>((async () => ({ Id: 'late' })) as unknown as () => Record<string, unknown>))
        .subscribe(() => log.information('third'));
      await Promise.resolve();
      await Promise.resolve();
      await Promise.resolve();
    } finally {
      stop();
    }
    expect(seen()).toEqual([{ text: 'first' }, { text: 'second' }, { text: 'third' }]);
    expect(diagnostics.map((d) => d.message)).toEqual([
      expect.stringMatching(/returned Promise, not properties/),
      expect.stringMatching(/returned Promise, not properties/),
      expect.stringMatching(/Promise rejected.*no id service/),
    ]);
  });

  // A properties function returning a thenable that fulfils with itself was adopted for ever by
  // Promise.resolve, on microtasks alone: no timer of the app fired again.
  it('reports a properties function returning a thenable that fulfils with itself once, and the event loop goes on', async () => {
    const { log, seen } = contextLogger();
    const { diagnostics, stop } = collectSelfLog();
    const { thenable, thens } = selfResolvingThenable();
    try {
      of(1)
        .pipe(withLogContext<number>(() => thenable as unknown as Record<string, unknown>))
        .subscribe(() => log.information('first'));
      await nextMacrotask();
    } finally {
      stop();
    }
    expect(seen()).toEqual([{ text: 'first' }]);
    expect(thens()).toBe(32);
    expect(diagnostics.map((d) => d.message)).toEqual([
      expect.stringMatching(/returned Promise, not properties/),
      expect.stringMatching(/Promise rejected.*more than 32 deep/s),
    ]);
  });

  // A spread of the properties threw on the getter, and every subscription lost all of its names
  // (RequestId with User); LogContext.run, which withLogContext stands for, marks that one value.
  it('reads static properties once per subscription, a throwing getter put in force as its marker and the other names kept', () => {
    const testScheduler = createTestScheduler();
    const { log, seen } = contextLogger();
    let reads = 0;
    const properties = {
      RequestId: 'r-7',
      get User(): string {
        reads++;
        throw new Error('session closed');
      },
      After: 1,
    };
    const { diagnostics, stop } = collectSelfLog();
    try {
      testScheduler.run(({ cold, expectObservable }) => {
        const source = cold('-a-b-c|', { a: 1, b: 2, c: 3 }).pipe(
          withLogContext(properties),
          tap((n) => log.information('value {N}', n)),
        );
        expectObservable(source).toBe('-a-b-c|', { a: 1, b: 2, c: 3 });
        expectObservable(source).toBe('-a-b-c|', { a: 1, b: 2, c: 3 });
      });
    } finally {
      stop();
    }
    const marked = { RequestId: 'r-7', User: '[Throws: session closed]', After: 1 };
    expect(seen()).toEqual([1, 1, 2, 2, 3, 3].map((N) => ({ text: 'value {N}', N, ...marked })));
    // What LogContext.run puts in force for the same object.
    expect(LogContext.run(properties, () => LogContext.current())).toEqual(marked);
    expect(reads).toBe(3);
    // Told once while it throws the same way (the second subscription's read is the same), by its
    // kind: read where no redaction policy is known, its message may quote what one censors.
    expect(diagnostics.map((d) => d.message)).toEqual([
      expect.stringMatching(/Capturing property User threw Error \(its message not told/),
    ]);
  });

  it('puts in force what LogContext.run puts in force for the same properties, getters that throw included', () => {
    const { stop } = collectSelfLog();
    try {
      fc.assert(
        fc.property(getterEntries, fc.boolean(), (entries, asFunction) => {
          const properties = {};
          for (const entry of entries) defineGetter(properties, entry);
          const seen: unknown[] = [];
          of(1)
            .pipe(withLogContext(asFunction ? () => properties : properties))
            .subscribe(() => seen.push(LogContext.current()));
          expect(seen).toEqual([LogContext.run(properties, () => LogContext.current())]);
        }),
      );
    } finally {
      stop();
    }
  });
});

describe('withLogContext under retry and repeat (the same stream subscribed again on its own error or completion)', () => {
  it('subscribes the source again outside the failed subscription’s context: retry’s defer factory logs without its Attempt', () => {
    const testScheduler = createTestScheduler();
    const { log, seen } = contextLogger();
    testScheduler.run(({ cold, expectObservable }) => {
      let attempt = 0;
      const call = defer(() => {
        log.information('Calling');
        // A call that fails later, on another turn, as an HTTP call does.
        return attempt < 3 ? cold('-#', {}, new Error('busy')) : cold('-(r|)', { r: 'ok' });
      }).pipe(
        withLogContext(() => ({ Attempt: ++attempt })),
        retry(2),
      );
      expectObservable(call.pipe(tap((result) => log.information('Got {Result}', result)))).toBe('---(r|)', { r: 'ok' });
    });
    expect(seen()).toEqual([
      { text: 'Calling' },
      { text: 'Calling' },
      { text: 'Calling' },
      { text: 'Got {Result}', Result: 'ok', Attempt: 3 },
    ]);
  });

  it('gives each repeat its own context: none upstream, and no name of the previous round downstream', () => {
    const testScheduler = createTestScheduler();
    const { log, seen } = contextLogger();
    testScheduler.run(({ cold, expectObservable }) => {
      let round = 0;
      const poll = defer(() => {
        log.information('Polling');
        return cold('-(p|)', { p: round });
      }).pipe(
        withLogContext(() => (++round === 1 ? { Round: round, First: true } : { Round: round })),
        repeat(2),
      );
      expectObservable(poll.pipe(tap((n) => log.information('Polled {N}', n)))).toBe('-a(b|)', { a: 1, b: 2 });
    });
    expect(seen()).toEqual([
      { text: 'Polling' },
      { text: 'Polled {N}', N: 1, Round: 1, First: true },
      { text: 'Polling' },
      { text: 'Polled {N}', N: 2, Round: 2 },
    ]);
    expect(LogContext.current()).toBeUndefined();
  });
});

describe('withLogContext with more properties than an event can carry', () => {
  const names = (count: number, prefix: string): Record<string, number> =>
    Object.fromEntries(Array.from({ length: count }, (_, i) => [`${prefix}${i}`, i]));
  const pastLimit = (diagnostics: SelfLogEvent[]): SelfLogEvent[] =>
    diagnostics.filter((d) => d.template.startsWith('LogContext.run: {Count} properties past'));

  it('puts them in force once per subscription, not once per value: SelfLog hears of the names left out once', () => {
    const { log, memory } = contextLogger();
    const { diagnostics, stop } = collectSelfLog();
    try {
      const values = Array.from({ length: 100 }, (_, i) => i);
      of(...values)
        .pipe(withLogContext(names(5000, 'K')))
        .subscribe((n) => log.information('value {N}', n));
    } finally {
      stop();
    }
    expect(memory.events).toHaveLength(100);
    expect(memory.events.every((e) => Object.keys(e.properties).length === 1001 && e.properties.K999 === 999)).toBe(true);
    expect(memory.events.some((e) => 'K1000' in e.properties)).toBe(false);
    expect(pastLimit(diagnostics)).toHaveLength(1);
  });

  it('tells SelfLog once when the context around the stream is full, and follows a change of that context', () => {
    const { log, memory } = contextLogger();
    const { diagnostics, stop } = collectSelfLog();
    const source = new Subject<number>();
    try {
      source.pipe(withLogContext({ Extra: 'e' })).subscribe((n) => log.information('value {N}', n));
      LogContext.run(names(1000, 'F'), () => {
        for (let i = 0; i < 50; i++) source.next(i);
      });
      LogContext.run({ Outer: 'o' }, () => source.next(50));
      source.next(51);
    } finally {
      stop();
    }
    expect(pastLimit(diagnostics)).toHaveLength(1);
    expect(memory.events.slice(0, 50).every((e) => !('Extra' in e.properties) && e.properties.F999 === 999)).toBe(true);
    expect(memory.events.slice(50).map((e) => e.properties)).toEqual([
      { N: 50, Outer: 'o', Extra: 'e' },
      { N: 51, Extra: 'e' },
    ]);
  });
});

describe('withLogContext under a downstream that unsubscribes', () => {
  it('stops a synchronous source at once (take(1))', () => {
    const { source, emitted } = countingSource([1, 2, 3, 4, 5]);
    const out: number[] = [];
    source.pipe(withLogContext({ Id: 'r-7' }), take(1)).subscribe((value) => out.push(value));
    expect(out).toEqual([1]);
    expect(emitted()).toBe(1);
  });
});

// A store of the app's own (LogContext.useStore) that fails as the stream runs through it: the
// stream's values, error and completion are the app's, not the store's, so they all go on, without
// its context, as sink delivery goes on when the store's suspend() fails (spec/pipeline/detached-delivery.spec.ts).
describe.each<[string, Partial<ContextStore>]>([
  [
    'current() throws',
    {
      current: () => {
        throw new Error('no scope here');
      },
    },
  ],
  [
    'run() throws',
    {
      run: () => {
        throw new Error('no scope here');
      },
    },
  ],
  ['run() never calls back', { run: <T>() => undefined as T }],
  [
    'run() calls back only later',
    {
      run: <T>(_properties: ContextProperties, fn: () => T) => {
        queueMicrotask(() => void fn());
        return undefined as T;
      },
    },
  ],
  [
    'suspend() throws',
    {
      suspend: () => {
        throw new Error('no scope here');
      },
    },
  ],
])('withLogContext with a store of the app’s own whose %s', (_how, fault) => {
  it('delivers every value, the completion and a retry’s error, and tells SelfLog once for the calls in a row', async () => {
    const store = syncContextStore(fault);
    const previous = LogContext.useStore(store);
    const told: string[] = [];
    SelfLog.enable((message) => told.push(message));
    try {
      const seen: unknown[] = [];
      // Failing on a later turn, as an HTTP call does: retry subscribes again inside the context the error came in.
      createTestScheduler().run(({ cold }) => {
        let attempt = 0;
        defer(() => (++attempt < 3 ? cold('-#', {}, new Error('busy')) : cold('-(abc|)', { a: 1, b: 2, c: 3 })))
          .pipe(withLogContext({ Id: 'r-7' }), retry(2))
          .subscribe({
            next: (value) => seen.push(value),
            error: (error: unknown) => seen.push(error),
            complete: () => seen.push('complete'),
          });
      });
      of('a')
        .pipe(
          withLogContext({ Id: 'r-8' }),
          map(() => {
            throw new Error('downstream');
          }),
        )
        .subscribe({
          error: (error: Error) => seen.push(error.message),
        });
      await nextMacrotask();
      expect(seen).toEqual([1, 2, 3, 'complete', 'downstream']);
      expect(told.filter((message) => message.includes('store'))).toHaveLength(1);
    } finally {
      SelfLog.disable();
      LogContext.useStore(previous);
    }
  });
});
