import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { LogContext } from '../../lib/context/log-context';
import { SelfLog, type SelfLogEvent } from '../../lib/core/self-log';
import { useAsyncLocalStorage } from '../../lib/node/use-async-local-storage';
import { MemorySink } from '../../lib/sinks/memory-sink';

/** A context value whose nested getter throws on every read, as a closed session's object does. */
function hostileOrder(): object {
  return {
    Id: 7,
    Customer: {
      get Name(): string {
        throw new Error('session closed');
      },
    },
  };
}

const stores: [string, () => () => void][] = [
  ['the default store', () => () => undefined],
  ['useAsyncLocalStorage()', useAsyncLocalStorage],
];

describe.each(stores)('a LogContext value whose nested getter throws, with %s', (_name, install) => {
  let restore: () => void;
  let lines: SelfLogEvent[];
  let subscription: { unsubscribe(): void };
  beforeEach(() => {
    restore = install();
    lines = [];
    subscription = SelfLog.events$.subscribe((event) => lines.push(event));
  });
  afterEach(() => {
    subscription.unsubscribe();
    restore();
  });

  const capturing = (): SelfLogEvent[] => lines.filter((line) => line.template.startsWith('Capturing'));

  it('marks every event and tells SelfLog once for a run of 100 events, not once per event', () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().enrich.fromLogContext().writeTo.sink(memory).createLogger();
    LogContext.run({ Order: hostileOrder() }, () => {
      for (let i = 0; i < 100; i++) log.information('Order {N}', i);
    });
    expect(memory.events).toHaveLength(100);
    for (const event of memory.events)
      expect(event.properties.Order).toEqual({ Id: 7, Customer: { Name: '[Throws: session closed]' } });
    expect(capturing().map((line) => line.args)).toEqual([['property Name', 'session closed']]);
  });

  it('tells SelfLog once of each of several values that throw, not once per event as they take turns', () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().enrich.fromLogContext().writeTo.sink(memory).createLogger();
    const closed = (what: string): object => ({
      get State(): string {
        throw new Error(`${what} closed`);
      },
    });
    LogContext.run({ Session: closed('session'), Socket: closed('socket'), Cursor: closed('cursor') }, () => {
      for (let i = 0; i < 100; i++) log.information('Order {N}', i);
    });
    expect(memory.events).toHaveLength(100);
    expect(memory.events.every((event) => event.properties.Socket !== undefined)).toBe(true);
    expect(capturing().map((line) => line.args[1])).toEqual(['session closed', 'socket closed', 'cursor closed']);
  });

  it('tells it again once another diagnostic came between, or the read threw another way', () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().enrich.fromLogContext().writeTo.sink(memory).createLogger();
    let reason = 'session closed';
    const order = {
      get Customer(): string {
        throw new Error(reason);
      },
    };
    LogContext.run({ Order: { Inner: order } }, () => {
      log.information('a');
      log.information('b');
      SelfLog.write('Something else happened');
      log.information('c');
      reason = 'connection reset';
      log.information('d');
      log.information('e');
    });
    expect(capturing().map((line) => line.args[1])).toEqual(['session closed', 'session closed', 'connection reset']);
    expect(memory.events.map((event) => event.properties.Order)).toEqual([
      { Inner: { Customer: '[Throws: session closed]' } },
      { Inner: { Customer: '[Throws: session closed]' } },
      { Inner: { Customer: '[Throws: session closed]' } },
      { Inner: { Customer: '[Throws: connection reset]' } },
      { Inner: { Customer: '[Throws: connection reset]' } },
    ]);
  });

  it('tells a new SelfLog subscriber the repeated read once more', () => {
    const log = new LoggerConfiguration().enrich.fromLogContext().writeTo.sink(new MemorySink()).createLogger();
    LogContext.run({ Order: hostileOrder() }, () => {
      log.information('a');
      const later: SelfLogEvent[] = [];
      const second = SelfLog.events$.subscribe((event) => later.push(event));
      log.information('b');
      second.unsubscribe();
      expect(later.map((line) => line.args)).toEqual([['property Name', 'session closed']]);
    });
  });
});
