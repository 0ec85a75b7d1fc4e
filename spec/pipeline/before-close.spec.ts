import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import type { Logger } from '../../lib/pipeline/logger';
import { LOGGER_PARTS } from '../../lib/pipeline/logger-parts';
import { MemorySink } from '../../lib/sinks/memory-sink';

/** Adds a listener to the logger's pipeline's beforeClose, as request logging does. */
function beforeClose(log: Logger, listener: () => void): void {
  log[LOGGER_PARTS]()[0].beforeClose.push(listener);
}

function memoryLogger() {
  const memory = new MemorySink();
  const log = new LoggerConfiguration().writeTo.sink(memory, { name: 'memory' }).createLogger();
  return { log, events: memory.events };
}

describe('LoggerPipeline.beforeClose', () => {
  it('calls the listeners once, at the first close of any logger sharing the pipeline, while events are still accepted and delivered by that close', async () => {
    const { log, events } = memoryLogger();
    const calls: string[] = [];
    beforeClose(log.child({ Area: 'a' }), () => {
      calls.push('first');
      log.warning('written while closing');
    });
    beforeClose(log, () => calls.push('second'));
    const report = await log.forContext('SourceContext', 'Orders').close();
    await log.close();
    expect(calls).toEqual(['first', 'second']);
    expect(events.map((e) => e.renderMessage())).toEqual(['written while closing']);
    expect(report.sinks.memory.delivered).toBe(1);
    expect(log.metrics().rejectedAfterClose).toBe(0);
  });

  it('keeps a close a listener made itself, with one report for both', async () => {
    const { log } = memoryLogger();
    let inner: Promise<unknown> | undefined;
    beforeClose(log, () => {
      inner = log.close({ strategy: 'immediate' });
    });
    const outer = log.close();
    expect(outer).toBe(inner);
    expect((await outer).strategy).toBe('immediate');
  });
});
