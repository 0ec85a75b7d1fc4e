import { checkTimerMs, isTimerMs, MAX_TIMER_MS } from '../../lib/core/max-timer-ms';
import { ConfigurationError } from '../../lib/core/errors/configuration-error';

describe('isTimerMs', () => {
  it('accepts delays from 0 to 2^31 - 1 ms', () => {
    for (const value of [0, 1.5, 100, MAX_TIMER_MS]) expect(isTimerMs(value)).toBe(true);
    expect(MAX_TIMER_MS).toBe(2 ** 31 - 1);
  });

  it('rejects what a timer would fire at once for, and what is not a number', () => {
    for (const value of [-1, MAX_TIMER_MS + 1, 3e9, Infinity, Number.NaN, '100', null, undefined])
      expect(isTimerMs(value)).toBe(false);
  });

  it('checkTimerMs names the option and the value of a delay out of range', () => {
    expect(() => checkTimerMs('retry.maxDelayMs', 5_000)).not.toThrow();
    expect(() => checkTimerMs('metricsEvery', 0, 1)).toThrow(ConfigurationError);
    expect(() => checkTimerMs('metricsEvery', 0, 1)).toThrow(
      'metricsEvery: expected milliseconds from 1 to 2147483647, got number 0',
    );
    expect(() => checkTimerMs('retry.maxDelayMs', '3')).toThrow(
      'retry.maxDelayMs: expected milliseconds from 0 to 2147483647, got "3"',
    );
  });
});
