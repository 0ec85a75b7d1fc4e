import { IsoTimestampCache } from '../../lib/formatting/iso-timestamp-cache';
import { makeEvent } from '../helpers/events';

describe('IsoTimestampCache', () => {
  it('writes the event time as ISO 8601 UTC, following each change of millisecond', () => {
    const cache = new IsoTimestampCache();
    expect(cache.iso(makeEvent({ timestamp: new Date(Date.UTC(2026, 10, 22, 9, 5, 7, 123)) }))).toBe('2026-11-22T09:05:07.123Z');
    expect(cache.iso(makeEvent({ timestamp: new Date(Date.UTC(2026, 10, 22, 9, 5, 7, 124)) }))).toBe('2026-11-22T09:05:07.124Z');
  });

  it('writes an invalid time as the current time, a valid instant, instead of throwing', () => {
    const before = Date.now();
    const iso = new IsoTimestampCache().iso(makeEvent({ timestamp: new Date(Number.NaN) }));
    expect(Date.parse(iso)).toBeGreaterThanOrEqual(before);
  });

  it('writes a time outside the years 0001-9999 as the current time: ISO 8601 / RFC 3339 readers want four-digit years', () => {
    const before = Date.now();
    const cache = new IsoTimestampCache();
    for (const time of [Date.UTC(10_000, 0, 1), -1e15]) {
      const iso = cache.iso(makeEvent({ timestamp: new Date(time) }));
      expect(iso).toMatch(/^\d{4}-/);
      expect(Date.parse(iso)).toBeGreaterThanOrEqual(before);
    }
    expect(cache.iso(makeEvent({ timestamp: new Date(Date.UTC(9999, 11, 31, 23, 59, 59, 999)) }))).toBe(
      '9999-12-31T23:59:59.999Z',
    );
  });
});
