import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { LogContext } from '../../lib/context/log-context';
import type { LogEvent } from '../../lib/core/log-event';
import { useAsyncLocalStorage } from '../../lib/node/use-async-local-storage';
import type { Logger } from '../../lib/pipeline/logger';
import { MemorySink } from '../../lib/sinks/memory-sink';

/** A logger enriched from LogContext, and the last event it wrote (Serilog's `lastEvent`). */
function contextLogger(): { log: Logger; last: () => LogEvent | undefined } {
  const memory = new MemorySink();
  const log = new LoggerConfiguration().enrich.fromLogContext().writeTo.sink(memory).createLogger();
  return { log, last: () => memory.events.at(-1) };
}

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

// The reference tests, case by case (serilog/serilog at 60935b4). Serilog's LogContext.Push(…)
// returns a disposable used in a `using` block; rxlog's LogContext.run(properties, fn) scopes the
// properties to the callback, so a push and its dispose are one call and cannot be misordered.
describe('Serilog test/Serilog.Tests/Context/LogContextTests.cs', () => {
  // Serilog pushes several enrichers at once as a span, an array or an enumerable; rxlog takes
  // one object of properties for all three.
  it.each([
    'PushedSpanPropertiesAreAvailableToLoggers',
    'PushedArrayPropertiesAreAvailableToLoggers',
    'PushedEnumerablePropertiesAreAvailableToLoggers',
  ])('%s', () => {
    const { log, last } = contextLogger();
    LogContext.run({ A: 1, B: 2 }, () => {
      log.information('x');
      expect(last()?.properties).toEqual({ A: 1, B: 2 });
    });
  });

  it('PushedPropertiesAreAvailableToLoggers', () => {
    const { log, last } = contextLogger();
    LogContext.run({ A: 1 }, () =>
      LogContext.run({ B: 2 }, () =>
        LogContext.run({ C: 3, D: 4 }, () => {
          log.information('x');
          expect(last()?.properties).toEqual({ A: 1, B: 2, C: 3, D: 4 });
        }),
      ),
    );
  });

  // LogContext.Clone() is LogContext.current(): the properties in force, to run with later.
  it('LogContextCanBeCloned', () => {
    const { log, last } = contextLogger();
    const cloned = LogContext.run({ A: 1 }, () => LogContext.current());
    expect(LogContext.current()).toBeUndefined();
    LogContext.run(cloned ?? {}, () => log.information('x'));
    expect(last()?.properties).toEqual({ A: 1 });
  });

  // Another thread is another turn of the event loop here.
  it('ClonedLogContextCanSharedAcrossThreads', async () => {
    const { log, last } = contextLogger();
    const cloned = LogContext.run({ A: 1 }, () => LogContext.current());
    await new Promise<void>((resolve) =>
      setTimeout(() => {
        LogContext.run(cloned ?? {}, () => log.information('x'));
        resolve();
      }, 0),
    );
    expect(last()?.properties).toEqual({ A: 1 });
  });

  it('MoreNestedPropertiesOverrideLessNestedOnes', () => {
    const { log, last } = contextLogger();
    LogContext.run({ A: 1 }, () => {
      log.information('x');
      expect(last()?.properties.A).toBe(1);
      LogContext.run({ A: 2 }, () => {
        log.information('x');
        expect(last()?.properties.A).toBe(2);
      });
      log.information('x');
      expect(last()?.properties.A).toBe(1);
    });
    log.information('x');
    expect(last()?.properties).not.toHaveProperty('A');
  });

  it('MultipleNestedPropertiesOverrideLessNestedOnes', () => {
    const { log, last } = contextLogger();
    LogContext.run({ A1: 1, A2: 2 }, () => {
      log.information('x');
      expect(last()?.properties).toEqual({ A1: 1, A2: 2 });
      LogContext.run({ A1: 10, A2: 20 }, () => {
        log.information('x');
        expect(last()?.properties).toEqual({ A1: 10, A2: 20 });
      });
      log.information('x');
      expect(last()?.properties).toEqual({ A1: 1, A2: 2 });
    });
    log.information('x');
    expect(last()?.properties).toEqual({});
  });

  // Serilog's LogContext flows with the ExecutionContext, across await. rxlog's does with
  // useAsyncLocalStorage() from rxlog/node; the default store is a synchronous stack (browsers
  // have no AsyncLocalStorage), which does not: documented in docs/configuration.md.
  it('ContextPropertiesCrossAsyncCalls, with useAsyncLocalStorage()', async () => {
    const restore = useAsyncLocalStorage();
    try {
      const { log, last } = contextLogger();
      await LogContext.run({ A: 1 }, async () => {
        await tick();
        log.information('x');
      });
      expect(last()?.properties).toEqual({ A: 1 });
    } finally {
      restore();
    }
  });

  it('ContextPropertiesCrossAsyncCalls: not with the default synchronous store, as documented', async () => {
    const { log, last } = contextLogger();
    await LogContext.run({ A: 1 }, async () => {
      log.information('before');
      expect(last()?.properties).toEqual({ A: 1 });
      await tick();
      log.information('after');
    });
    expect(last()?.properties).toEqual({});
  });

  // Serilog's `using (LogContext.Suspend())` is LogContext.suspend(fn).
  it('ContextEnrichersCanBeTemporarilyCleared', () => {
    const { log, last } = contextLogger();
    LogContext.run({ A: 1 }, () => {
      LogContext.suspend(() => {
        log.information('x');
        expect(last()?.properties).toEqual({});
      });
      log.information('x');
      expect(last()?.properties).toEqual({ A: 1 });
    });
  });

  // Serilog's LogContext.Reset() inside Task.Run clears the context for that async flow only;
  // rxlog has no Reset() (it would be AsyncLocalStorage's enterWith, which leaks into whatever
  // the caller does next): the flow runs inside LogContext.suspend instead.
  it('ContextEnrichersInAsyncScopeCanBeCleared, with useAsyncLocalStorage() and suspend', async () => {
    const restore = useAsyncLocalStorage();
    try {
      const { log, last } = contextLogger();
      await LogContext.run({ A: 1 }, async () => {
        await LogContext.suspend(async () => {
          await tick();
          log.information('x');
        });
        expect(last()?.properties).toEqual({});
        log.information('x');
        expect(last()?.properties).toEqual({ A: 1 });
      });
    } finally {
      restore();
    }
  });

  // Not ported: DoesNotPreventCrossDomainCalls (no AppDomains).
});

// What the brief asked to check beyond the reference file: nesting and the order properties
// leave in, in each store, and when the context is read.
describe('LogContext nesting and scope, checked against Serilog’s LogContext', () => {
  it.each<[string, () => () => void]>([
    ['the default store', () => () => undefined],
    ['the AsyncLocalStorage store', useAsyncLocalStorage],
  ])('puts the outer properties back when an inner run throws, in %s', (_, install) => {
    const restore = install();
    try {
      const { log, last } = contextLogger();
      LogContext.run({ A: 1 }, () => {
        expect(() =>
          LogContext.run({ A: 2, B: 2 }, () => {
            throw new Error('inner failed');
          }),
        ).toThrow('inner failed');
        log.information('x');
      });
      expect(last()?.properties).toEqual({ A: 1 });
      expect(LogContext.current()).toBeUndefined();
    } finally {
      restore();
    }
  });

  // Serilog's Clone() hands back an enricher over its immutable stack: nothing done to it changes
  // the context it came from. current() is the object every event of the run reads, so it is frozen.
  it.each<[string, () => () => void]>([
    ['the default store', () => () => undefined],
    ['the AsyncLocalStorage store', useAsyncLocalStorage],
  ])('returns a snapshot a caller cannot change the running context through, in %s', async (_, install) => {
    const restore = install();
    try {
      const { log, last } = contextLogger();
      const saved = await LogContext.run({ RequestId: 'r-7', User: 'ada' }, async () => {
        const got = LogContext.current() as Record<string, unknown>;
        // Strict-mode code (every ES module) is told at once; nothing of the run changes.
        expect(() => (got.RequestId = 'forged')).toThrow(TypeError);
        expect(() => delete got.User).toThrow(TypeError);
        expect(() => (got.Extra = 1)).toThrow(TypeError);
        expect(() => Object.setPrototypeOf(got, { Inherited: 1 })).toThrow(TypeError);
        log.information('x');
        expect(last()?.properties).toEqual({ RequestId: 'r-7', User: 'ada' });
        await tick();
        return got;
      });
      expect(LogContext.current()).toBeUndefined();
      LogContext.run(saved, () => {
        expect(LogContext.current()).toEqual({ RequestId: 'r-7', User: 'ada' });
        log.information('x');
      });
      expect(last()?.properties).toEqual({ RequestId: 'r-7', User: 'ada' });
    } finally {
      restore();
    }
  });

  it('keeps interleaved async runs apart with useAsyncLocalStorage(), each ending with its own scope', async () => {
    const restore = useAsyncLocalStorage();
    try {
      const { log } = contextLogger();
      const seen: unknown[] = [];
      const request = (id: string, waits: number): Promise<void> =>
        LogContext.run({ RequestId: id }, async () => {
          for (let i = 0; i < waits; i++) await tick();
          seen.push(LogContext.current()?.RequestId);
          log.information('done');
        });
      await Promise.all([request('r-1', 3), request('r-2', 1)]);
      expect(seen).toEqual(['r-2', 'r-1']);
      expect(LogContext.current()).toBeUndefined();
    } finally {
      restore();
    }
  });

  it('reads the context where the event is logged, not where a batching sink receives it later', async () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().enrich
      .fromLogContext()
      .writeTo.sink(memory, { batch: { size: 10, maxDelayMs: 5 } })
      .createLogger();
    LogContext.run({ RequestId: 'r-7' }, () => log.information('queued'));
    expect(memory.events).toHaveLength(0);
    await log.flush();
    expect(memory.events.map((e) => e.properties)).toEqual([{ RequestId: 'r-7' }]);
    await log.close();
  });
});

// Which value wins when names collide, as Serilog decides it (serilog/serilog#1379 and #1530,
// closed as by design): the event's own, then the contextual logger's, then the enrichers in the
// order configured, LogContext's at the place of fromLogContext().
describe('LogContext properties against the event’s, a child logger’s and other enrichers’', () => {
  it('gives way to a template property of the same name (serilog#1530)', () => {
    const { log, last } = contextLogger();
    LogContext.run({ Prop1: 'context' }, () => log.information('message {Prop1}', 1));
    expect(last()?.properties).toEqual({ Prop1: 1 });
  });

  it('gives way to a child logger’s property, as to ForContext', () => {
    const { log, last } = contextLogger();
    LogContext.run({ SourceContext: 'FromContext', RequestId: 'r-7' }, () =>
      log.forContext('SourceContext', 'Shop.Orders').information('x'),
    );
    expect(last()?.properties).toEqual({ SourceContext: 'Shop.Orders', RequestId: 'r-7' });
  });

  it('follows the configured order of enrichers: one before fromLogContext() wins, one after gives way (serilog#1379)', () => {
    const memory = new MemorySink();
    const serverFirst = new LoggerConfiguration().enrich
      .withProperty('Source', 'Server')
      .enrich.fromLogContext()
      .writeTo.sink(memory)
      .createLogger();
    const contextFirst = new LoggerConfiguration().enrich
      .fromLogContext()
      .enrich.withProperty('Source', 'Server')
      .writeTo.sink(memory)
      .createLogger();
    LogContext.run({ Source: 'Client', ClientLogger: true }, () => {
      serverFirst.information('x');
      contextFirst.information('x');
    });
    expect(memory.events.map((e) => e.properties)).toEqual([
      { Source: 'Server', ClientLogger: true },
      { Source: 'Client', ClientLogger: true },
    ]);
  });
});
