import { MAX_TIMER_MS } from '../../../lib/core/max-timer-ms';
import { parseRetryAfter } from '../../../lib/sinks/http/http-retry-after';

describe('parseRetryAfter', () => {
  const now = Date.UTC(2026, 10, 22, 12, 0, 0);

  it('reads delay-seconds as milliseconds', () => {
    expect(parseRetryAfter('5', now)).toBe(5_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
  });

  it('reads an HTTP date as the time left until it, never negative', () => {
    expect(parseRetryAfter('Sun, 22 Nov 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Sun, 22 Nov 2026 11:00:00 GMT', now)).toBe(0);
  });

  it('gives undefined for a missing or unreadable header', () => {
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
  });

  it('caps an absurd delay at the longest timer delay instead of giving Infinity, which retry would ignore', () => {
    expect(parseRetryAfter('9'.repeat(400), now)).toBe(MAX_TIMER_MS);
    expect(parseRetryAfter('99999999999', now)).toBe(MAX_TIMER_MS);
    expect(parseRetryAfter('Fri, 31 Dec 9999 23:59:59 GMT', now)).toBe(MAX_TIMER_MS);
    expect(parseRetryAfter('2147483', now)).toBe(2_147_483_000);
  });
});
