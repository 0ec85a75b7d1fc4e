import { mergeContext } from '../../lib/context/merge-context';
import { LogContext } from '../../lib/context/log-context';
import { SelfLog, type SelfLogEvent } from '../../lib/core/self-log';
import { AsyncLocalStorageContextStore } from '../../lib/node/async-local-storage-store';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { MemorySink } from '../../lib/sinks/memory-sink';
import { DEFAULT_CAPTURE_LIMITS } from '../../lib/templates/capture';

const unreadable = new Proxy(
  {},
  {
    ownKeys() {
      throw new Error('keys');
    },
  },
);

describe('mergeContext', () => {
  it('puts the inner properties over the outer ones', () => {
    expect(mergeContext({ A: 1, B: 1 }, { B: 2 })).toEqual({ A: 1, B: 2 });
    expect(mergeContext(undefined, { B: 2 })).toEqual({ B: 2 });
  });

  // The merge sets names one by one (a spread over the outer copy is slow in V8): what a spread
  // gave must hold, a replaced name keeping its place and a "__proto__" name of either run staying
  // an own property, never the prototype.
  it('keeps the outer names in place, a replaced one included, and a "__proto__" name of the outer run own', () => {
    const outer = mergeContext(undefined, JSON.parse('{"A":1,"__proto__":"outer","B":1}') as Record<string, unknown>);
    const merged = mergeContext(outer, JSON.parse('{"C":3,"A":2,"__proto__":"inner"}') as Record<string, unknown>);
    expect(Object.entries(merged)).toEqual([
      ['A', 2],
      ['__proto__', 'inner'],
      ['B', 1],
      ['C', 3],
    ]);
    expect(Object.entries(mergeContext(outer, { D: 4 }))).toEqual([
      ['A', 1],
      ['__proto__', 'outer'],
      ['B', 1],
      ['D', 4],
    ]);
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
    expect(Object.entries(outer)).toEqual([
      ['A', 1],
      ['__proto__', 'outer'],
      ['B', 1],
    ]);
  });

  it('leaves out properties it cannot read, keeping the outer context, and tells SelfLog', () => {
    const diagnostics: SelfLogEvent[] = [];
    const subscription = SelfLog.events$.subscribe((event) => diagnostics.push(event));
    try {
      expect(mergeContext({ A: 1 }, unreadable)).toEqual({ A: 1 });
      expect(mergeContext(undefined, unreadable)).toEqual({});
    } finally {
      subscription.unsubscribe();
    }
    expect(diagnostics.map((event) => event.message)).toContainEqual(
      expect.stringContaining('LogContext.run: unreadable properties ignored'),
    );
  });
});

describe('mergeContext with a getter that throws', () => {
  it('puts its marker in force, as a call argument gets, and keeps the names after it and a "__proto__" name', () => {
    const properties = JSON.parse('{"RequestId":"r-1","__proto__":"data"}') as Record<string, unknown>;
    Object.defineProperty(properties, 'User', {
      enumerable: true,
      get(): string {
        throw new Error('session expired');
      },
    });
    properties.Route = '/cart';
    const merged = mergeContext({ Tenant: 't' }, properties);
    expect(Object.entries(merged)).toEqual([
      ['Tenant', 't'],
      ['RequestId', 'r-1'],
      ['__proto__', 'data'],
      ['User', '[Throws: session expired]'],
      ['Route', '/cart'],
    ]);
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
  });
});

describe('mergeContext with what is not an object of properties', () => {
  it('keeps the outer context for a string, an array, a number or null, and tells SelfLog', () => {
    const diagnostics: SelfLogEvent[] = [];
    const subscription = SelfLog.events$.subscribe((event) => diagnostics.push(event));
    try {
      for (const value of ['abc', ['x'], 42, null]) {
        expect(mergeContext({ A: 1 }, value as unknown as Record<string, unknown>)).toEqual({ A: 1 });
        expect(mergeContext(undefined, value as unknown as Record<string, unknown>)).toEqual({});
      }
    } finally {
      subscription.unsubscribe();
    }
    expect(diagnostics.map((event) => event.args[0])).toEqual([
      '"abc"',
      '"abc"',
      'Array',
      'Array',
      'number 42',
      'number 42',
      'null',
      'null',
    ]);
  });
});

describe('mergeContext with a collection or another built-in object', () => {
  it('keeps the outer context for a Map, a Set or a Date, whose entries are no names, and tells SelfLog', () => {
    const diagnostics: SelfLogEvent[] = [];
    const subscription = SelfLog.events$.subscribe((event) => diagnostics.push(event));
    try {
      for (const value of [new Map([['RequestId', 'r-1']]), new Set(['r-1']), new Date(0)]) {
        expect(mergeContext({ A: 1 }, value as unknown as Record<string, unknown>)).toEqual({ A: 1 });
      }
    } finally {
      subscription.unsubscribe();
    }
    expect(diagnostics.map((event) => event.args[0])).toEqual(['Map', 'Set', 'Date']);
  });

  it('takes a class instance’s own fields, an object without a prototype and a Proxy, as enrichers do', () => {
    class Scope {
      [name: string]: unknown;
      RequestId = 'r-1';
    }
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { Tenant: 't' });
    const proxied = new Proxy({ User: 'ada' }, {});
    expect(mergeContext(undefined, new Scope())).toEqual({ RequestId: 'r-1' });
    expect(mergeContext(undefined, bare)).toEqual({ Tenant: 't' });
    expect(mergeContext(undefined, proxied)).toEqual({ User: 'ada' });
    // Its get trap throws even for the tag read: each name is read apart and gets its marker.
    const denying = new Proxy(
      { User: 'ada' },
      {
        get(): never {
          throw new Error('denied');
        },
      },
    );
    expect(mergeContext(undefined, denying)).toEqual({ User: '[Throws: denied]' });
  });
});

describe('LogContext.run with properties it cannot read', () => {
  it.each([
    ['the default stack store', undefined],
    ['the AsyncLocalStorage store', new AsyncLocalStorageContextStore()],
  ])('still runs the callback, in the outer context (%s)', (_, store) => {
    const previous = store === undefined ? undefined : LogContext.useStore(store);
    try {
      const seen = LogContext.run({ RequestId: 'r-7' }, () => LogContext.run(unreadable, () => LogContext.current()));
      expect(seen).toEqual({ RequestId: 'r-7' });
    } finally {
      if (previous !== undefined) LogContext.useStore(previous);
    }
  });
});

describe('LogContext.run with more properties than an event can carry', () => {
  // 20 000 names: listing them on every event made each log call in the run cost milliseconds.
  const many = (prefix: string, count: number): Record<string, number> =>
    Object.fromEntries(Array.from({ length: count }, (_, i) => [`${prefix}${i}`, i]));

  it('keeps the first 1000 (the capture limit), as events would carry, and tells SelfLog once per run, not once per event', () => {
    const diagnostics: string[] = [];
    const subscription = SelfLog.events$.subscribe((event) => diagnostics.push(event.message));
    const memory = new MemorySink();
    const log = new LoggerConfiguration().enrich.fromLogContext().writeTo.sink(memory).createLogger();
    let current: Readonly<Record<string, unknown>> | undefined;
    try {
      LogContext.run({ RequestId: 'r-1' }, () =>
        LogContext.run(many('k', 20_000), () => {
          current = LogContext.current();
          for (let i = 0; i < 3; i++) log.information('Handled');
        }),
      );
    } finally {
      subscription.unsubscribe();
    }
    expect(Object.keys(current ?? {})).toHaveLength(DEFAULT_CAPTURE_LIMITS.maxCollectionLength);
    expect(current).toMatchObject({ RequestId: 'r-1', k0: 0, k998: 998 });
    expect(memory.events.map((event) => Object.keys(event.properties).length)).toEqual([1000, 1000, 1000]);
    expect(memory.events[0].properties).toMatchObject({ RequestId: 'r-1', k998: 998 });
    expect(diagnostics.filter((message) => message.includes('left out'))).toEqual([
      expect.stringContaining('LogContext.run: 19001 properties past 1000 left out'),
    ]);
  });

  it('still lets an inner run replace an outer property when the context is full', () => {
    LogContext.run(many('k', 1000), () =>
      LogContext.run({ k5: 'inner', Extra: 1 }, () => {
        expect(LogContext.current()).toMatchObject({ k5: 'inner' });
        expect(LogContext.current()).not.toHaveProperty('Extra');
      }),
    );
  });
});
