import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import type { LogEvent } from '../../lib/core/log-event';

/** A sink that counts its output, as FileSink and the HTTP sinks do. */
class CountingSink {
  bytesWritten = 0;
  emit(events: readonly LogEvent[]): void {
    for (const event of events) this.bytesWritten += event.renderMessage().length + 1;
  }
}

describe('SinkMetrics.bytesWritten with a fallback', () => {
  it("reports the primary sink's own count only: a fallback's output is read from the fallback itself", async () => {
    const fallback = new CountingSink();
    const primary = {
      bytesWritten: 7,
      emit(): void {
        throw new Error('down');
      },
    };
    const log = new LoggerConfiguration().writeTo.sink(primary, { name: 'seq', retry: { attempts: 1 }, fallback }).createLogger();
    log.information('Hello');
    log.information('World');
    await log.flush();
    const seq = log.metrics().sinks.seq;
    expect(seq).toMatchObject({ delivered: 2, fallback: 2, bytesWritten: 7 });
    expect(fallback.bytesWritten).toBe(12);
    await log.close();
  });
});
