import { isTimerMs, MAX_TIMER_MS } from '../../lib/core/max-timer-ms';

describe('isTimerMs', () => {
  it('accepts delays from 0 to 2^31 - 1 ms', () => {
    for (const value of [0, 1.5, 100, MAX_TIMER_MS]) expect(isTimerMs(value)).toBe(true);
    expect(MAX_TIMER_MS).toBe(2 ** 31 - 1);
  });

  it('rejects what a timer would fire at once for, and what is not a number', () => {
    for (const value of [-1, MAX_TIMER_MS + 1, 3e9, Infinity, Number.NaN, '100', null, undefined])
      expect(isTimerMs(value)).toBe(false);
  });
});
