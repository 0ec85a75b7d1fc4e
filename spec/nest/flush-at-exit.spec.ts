import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { flushAtExit } from '../../lib/nest/flush-at-exit';
import type * as FlushAtExitModule from '../../lib/nest/flush-at-exit';
import type { LogEvent } from '../../lib/core/log-event';

/** A sink that batches like FileSink (nothing written until the batch fills or ages) and can write synchronously. */
function batchingLogger(): { log: ReturnType<LoggerConfiguration['createLogger']>; written: LogEvent[] } {
  const written: LogEvent[] = [];
  const sink = {
    emit: (events: readonly LogEvent[]) => void written.push(...events),
    emitSync: (events: readonly LogEvent[]) => written.push(...events) > 0,
  };
  const log = new LoggerConfiguration().writeTo.sink(sink, { batch: { size: 100, maxDelayMs: 60_000 } }).createLogger();
  return { log, written };
}

describe('flushAtExit', () => {
  it('adds one exit listener for every running app, writes each logger out synchronously from it, and removes it when the last app stops', async () => {
    const before = process.listeners('exit');
    const a = batchingLogger();
    const b = batchingLogger();
    const stopA = flushAtExit(a.log);
    const stopB = flushAtExit(b.log);
    const added = process.listeners('exit').filter((listener) => !before.includes(listener));
    a.log.information('Starting');
    b.log.error('Failed');

    expect(added).toHaveLength(1);
    expect([a.written.length, b.written.length]).toEqual([0, 0]);
    (added[0] as () => void)();
    expect([a.written.map((e) => e.renderMessage()), b.written.map((e) => e.renderMessage())]).toEqual([
      ['Starting'],
      ['Failed'],
    ]);

    stopA();
    expect(process.listeners('exit')).toHaveLength(before.length + 1);
    stopB();
    stopB();
    expect(process.listeners('exit')).toEqual(before);
    await Promise.all([a.log.close(), b.log.close()]);
  });

  it('adds one exit listener in the process whatever the number of copies of the module (a runner that loads modules per spec file)', () => {
    const before = process.listeners('exit');
    const stops: (() => void)[] = [];
    for (let copy = 0; copy < 12; copy++)
      jest.isolateModules(() => {
        const isolated = jest.requireActual<typeof FlushAtExitModule>('../../lib/nest/flush-at-exit');
        stops.push(isolated.flushAtExit(batchingLogger().log));
      });

    expect(process.listeners('exit')).toHaveLength(before.length + 1);
    for (const stop of stops) stop();
    expect(process.listeners('exit')).toEqual(before);
  });
});
