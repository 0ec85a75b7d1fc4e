import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import type { LogEvent } from '../../lib/core/log-event';
import { isInSinkCode, ReentrancyGuard } from '../../lib/pipeline/reentrancy-guard';

describe('ReentrancyGuard', () => {
  it('marks the run of sink code, and passes a throw through', () => {
    const guard = new ReentrancyGuard();
    expect(guard.active).toBe(false);
    expect(guard.run(() => [guard.active, isInSinkCode()])).toEqual([true, true]);
    expect(() =>
      guard.run(() => {
        throw new Error('sink failed');
      }),
    ).toThrow('sink failed');
    expect([guard.active, isInSinkCode()]).toEqual([false, false]);
  });
});

describe('isInSinkCode', () => {
  it('is true during the synchronous part of every sink call a logger makes, and only then', async () => {
    const seen: string[] = [];
    const sink = {
      emit(_events: readonly LogEvent[]): Promise<void> {
        seen.push(`emit ${isInSinkCode()}`);
        return Promise.resolve().then(() => void seen.push(`after emit ${isInSinkCode()}`));
      },
      flush(): void {
        seen.push(`flush ${isInSinkCode()}`);
        throw new Error('flush failed');
      },
      close(): void {
        seen.push(`close ${isInSinkCode()}`);
      },
    };
    const log = new LoggerConfiguration().writeTo.sink(sink, { name: 'posting' }).createLogger();
    expect(isInSinkCode()).toBe(false);
    log.information('Hello');
    await log.flush();
    await log.close();
    expect(seen).toEqual(['emit true', 'after emit false', 'flush true', 'close true']);
    expect(isInSinkCode()).toBe(false);
  });
});
