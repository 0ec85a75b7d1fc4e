import type { LoggerService } from '@nestjs/common';
import { merge, NEVER } from 'rxjs';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { closedFallback, fallBackWhenClosed, isClosedLogger } from '../../lib/nest/closed-loggers';
import { MemorySink } from '../../lib/sinks/memory-sink';

describe('isClosedLogger', () => {
  it('knows a logger is closed from the moment close() is called, also behind a .pipe() operator that never completes', async () => {
    // merge(source, NEVER) hides the completion of events$, which was the only sign of a close the
    // app made itself: RxlogLoggerService then took a closed logger that refuses everything.
    const log = new LoggerConfiguration()
      .pipe((events) => merge(events, NEVER))
      .writeTo.sink(new MemorySink())
      .createLogger();
    expect(isClosedLogger(log)).toBe(false);
    const closing = log.close({ timeoutMs: 0 });
    expect(isClosedLogger(log)).toBe(true);
    await closing;
    expect(isClosedLogger(log)).toBe(true);
  });

  it("hands Nest's calls to the fallback once the app closed the logger itself, also behind a .pipe() operator that never completes", async () => {
    const log = new LoggerConfiguration()
      .pipe((events) => merge(events, NEVER))
      .writeTo.sink(new MemorySink())
      .createLogger();
    const fallback = (): LoggerService => ({ log: () => undefined, error: () => undefined, warn: () => undefined });
    fallBackWhenClosed(log, fallback);
    expect(closedFallback(log)).toBeUndefined();
    await log.close({ timeoutMs: 0 });
    expect(closedFallback(log)).toBe(fallback);
  });
});
