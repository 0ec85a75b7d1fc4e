import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { LogContext } from '../../lib/context/log-context';
import type { ContextProperties, ContextStore } from '../../lib/context/context-store';
import { SelfLog } from '../../lib/core/self-log';
import type { Sink } from '../../lib/core/sink';
import { syncContextStore } from '../helpers/app-context-store';

// With the default synchronous store (browsers), a batch a log call fills is written on that
// call's turn: the sink sees no LogContext properties of it, as with the AsyncLocalStorage store
// (spec/node/detached-delivery.spec.ts), though each event keeps its own.
describe('sink delivery with the synchronous store', () => {
  it('writes a batch a log call filled with no properties of that call in force, through emit and emitSync', async () => {
    const seen: (ContextProperties | undefined)[] = [];
    const syncSeen: (ContextProperties | undefined)[] = [];
    const properties: unknown[] = [];
    const sink: Sink = {
      emit: (events) => {
        seen.push(LogContext.current());
        properties.push(...events.map((e) => e.properties.RequestId));
      },
    };
    const syncSink: Sink = {
      emit: () => undefined,
      emitSync: () => {
        syncSeen.push(LogContext.current());
        return true;
      },
    };
    const log = new LoggerConfiguration().enrich
      .fromLogContext()
      .writeTo.sink(sink, { batch: { size: 2, maxDelayMs: 60_000 } })
      .writeTo.sink(syncSink, { batch: { size: 2, maxDelayMs: 60_000 } })
      .createLogger();
    LogContext.run({ RequestId: 'r-1' }, () => log.information('first'));
    LogContext.run({ RequestId: 'r-2' }, () => log.information('second'));
    await log.close();
    expect(seen).toEqual([undefined]);
    expect(syncSeen).toEqual([undefined]);
    expect(properties).toEqual(['r-1', 'r-2']);
  });
});

// A store of the app's own is asked to run sink delivery inside its suspend() (see
// spec/node/detached-delivery.spec.ts); one whose suspend fails at that costs no batch.
describe.each<[string, ContextStore['suspend']]>([
  [
    'throws',
    () => {
      throw new Error('no scope here');
    },
  ],
  ['never calls back', <T>() => undefined as T],
  [
    'calls back only later',
    <T>(fn: () => T) => {
      queueMicrotask(() => void fn());
      return undefined as T;
    },
  ],
])('sink delivery with a store of the app’s own whose suspend() %s', (_how, suspend) => {
  it('writes every batch all the same, and tells SelfLog once for the calls in a row', async () => {
    const store = syncContextStore({ suspend });
    const previous = LogContext.useStore(store);
    const told: string[] = [];
    SelfLog.enable((message) => told.push(message));
    try {
      const written: unknown[] = [];
      const log = new LoggerConfiguration().writeTo
        .sink(
          { emit: (events) => void written.push(...events.map((e) => e.messageTemplate.text)) },
          { batch: { size: 2, maxDelayMs: 60_000 } },
        )
        .createLogger();
      for (const text of ['a', 'b', 'c', 'd']) LogContext.run({ RequestId: text }, () => log.information(text));
      const report = await log.close();
      expect(written).toEqual(['a', 'b', 'c', 'd']);
      expect(Object.values(report.sinks)).toMatchObject([{ delivered: 4, failed: 0, dropped: 0, undelivered: 0 }]);
      expect(told.filter((m) => m.includes('suspend()'))).toHaveLength(1);
    } finally {
      SelfLog.disable();
      LogContext.useStore(previous);
    }
  });
});
