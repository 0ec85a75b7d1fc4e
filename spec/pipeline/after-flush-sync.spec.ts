import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { AFTER_FLUSH_SYNC } from '../../lib/pipeline/after-flush-sync';
import { MemorySink } from '../../lib/sinks/memory-sink';

describe('AFTER_FLUSH_SYNC', () => {
  it('calls the listener after every flushSync of any logger sharing the pipeline, once what was pending is written', () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().writeTo
      .sink(memory, { name: 'memory', batch: { size: 10, maxDelayMs: 60_000 } })
      .createLogger();
    const seen: number[] = [];
    log[AFTER_FLUSH_SYNC](() => seen.push(memory.events.length));
    log.information('one');
    log.flushSync();
    log.forContext('SourceContext', 'Orders').information('two');
    log.child({ RequestId: 'r-1' }).flushSync();
    expect(seen).toEqual([1, 2]);
  });

  it('is the same global symbol in every copy of rxlog', () => {
    expect(AFTER_FLUSH_SYNC).toBe(Symbol.for('rxlog.afterFlushSync'));
  });
});
