import { ConfigurationError } from '../../../lib/core/errors/configuration-error';
import { parseRollingInterval, periodDigits, rollingPeriod } from '../../../lib/node/file/rolling-interval';

describe('rollingPeriod', () => {
  const at = Date.UTC(2026, 10, 22, 15, 42, 17, 123);

  it.each([
    ['year', '2026', Date.UTC(2026, 0, 1), Date.UTC(2027, 0, 1)],
    ['month', '202611', Date.UTC(2026, 10, 1), Date.UTC(2026, 11, 1)],
    ['day', '20261122', Date.UTC(2026, 10, 22), Date.UTC(2026, 10, 23)],
    ['hour', '2026112215', Date.UTC(2026, 10, 22, 15), Date.UTC(2026, 10, 22, 16)],
    ['minute', '202611221542', Date.UTC(2026, 10, 22, 15, 42), Date.UTC(2026, 10, 22, 15, 43)],
  ] as const)('names the %s period in UTC and bounds it', (interval, text, startMs, endMs) => {
    expect(rollingPeriod(interval, at)).toEqual({ text, startMs, endMs });
  });

  it('has one endless period for infinite', () => {
    expect(rollingPeriod('infinite', at)).toEqual({ text: '', startMs: -Infinity, endMs: Infinity });
  });

  it('crosses month and year ends', () => {
    const newYearsEve = Date.UTC(2026, 11, 31, 23, 59, 30);
    expect(rollingPeriod('day', newYearsEve).endMs).toBe(Date.UTC(2027, 0, 1));
    expect(rollingPeriod('minute', newYearsEve).endMs).toBe(Date.UTC(2027, 0, 1));
    expect(rollingPeriod('month', Date.UTC(2026, 1, 28)).endMs).toBe(Date.UTC(2026, 2, 1));
  });

  it('puts the last millisecond of a period in it and the next one in the next', () => {
    const end = rollingPeriod('hour', at).endMs;
    expect(rollingPeriod('hour', end - 1).text).toBe('2026112215');
    expect(rollingPeriod('hour', end).text).toBe('2026112216');
  });
});

describe('periodDigits', () => {
  it('gives the width of the period text', () => {
    expect([periodDigits('infinite'), periodDigits('year'), periodDigits('minute')]).toEqual([0, 4, 12]);
  });
});

describe('parseRollingInterval', () => {
  it('accepts the six intervals', () => {
    expect(parseRollingInterval('hour')).toBe('hour');
  });

  it('throws a ConfigurationError naming an unknown interval', () => {
    expect(() => parseRollingInterval('weekly')).toThrow(ConfigurationError);
    expect(() => parseRollingInterval('weekly')).toThrow(/"weekly"/);
  });
});
