import { MAX_TIMER_MS } from '../../lib/core/max-timer-ms';
import { retryHint } from '../../lib/core/retry-hint';

describe('retryHint', () => {
  it('reads permanent and retryAfterMs from any error', () => {
    expect(retryHint(Object.assign(new Error('x'), { permanent: true }))).toEqual({ permanent: true, retryAfterMs: undefined });
    expect(retryHint(Object.assign(new Error('x'), { retryAfterMs: 5_000 }))).toEqual({ permanent: false, retryAfterMs: 5_000 });
  });

  it("reads permanent: 'sink', a failure of the sink as a whole, as it is", () => {
    expect(retryHint(Object.assign(new Error('x'), { permanent: 'sink' }))).toEqual({
      permanent: 'sink',
      retryAfterMs: undefined,
    });
  });

  it('reads a wait past the longest timer delay, Infinity included, as the longest, which maxDelayMs then caps', () => {
    // Infinity used to count as no hint at all, so "wait as long as you may" got the shortest backoff.
    expect(retryHint({ retryAfterMs: Infinity }).retryAfterMs).toBe(MAX_TIMER_MS);
    expect(retryHint({ retryAfterMs: 1e15 }).retryAfterMs).toBe(MAX_TIMER_MS);
    expect(retryHint({ retryAfterMs: 0 }).retryAfterMs).toBe(0);
    expect(retryHint({ retryAfterMs: Number.NaN }).retryAfterMs).toBeUndefined();
    expect(retryHint({ retryAfterMs: -Infinity }).retryAfterMs).toBeUndefined();
  });

  it('ignores values of the wrong type and never throws', () => {
    expect(retryHint({ permanent: 'yes', retryAfterMs: -1 })).toEqual({ permanent: false, retryAfterMs: undefined });
    expect(retryHint('boom')).toEqual({ permanent: false, retryAfterMs: undefined });
    const hostile = new Proxy(
      {},
      {
        get: () => {
          throw new Error('trap');
        },
      },
    );
    expect(retryHint(hostile)).toEqual({ permanent: false, retryAfterMs: undefined });
  });
});
