import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { LogContext } from '../../lib/context/log-context';
import type { ContextProperties } from '../../lib/context/context-store';
import type { Sink } from '../../lib/core/sink';

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
