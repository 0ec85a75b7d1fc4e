import { TokenBucketLimiter } from '../../../lib/node/ingest/token-bucket-limiter';

// Fake timers move performance.now() and Date.now() with advanceTimersByTime, and only Date.now()
// with setSystemTime: a wall clock stepped back (NTP, a VM resumed, an operator's fix).
describe('TokenBucketLimiter on its default clock, the wall clock stepped back an hour', () => {
  beforeEach(() => jest.useFakeTimers({ now: new Date('2026-03-01T12:00:00Z') }));
  afterEach(() => jest.useRealTimers());

  it('refills a spent bucket by the time that passed, not by the wall clock', () => {
    const limiter = new TokenBucketLimiter({ perSecond: 1, burst: 1 });
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(false);
    jest.advanceTimersByTime(2_000);
    jest.setSystemTime(new Date('2026-03-01T11:00:02Z'));
    expect(limiter.take('a')).toEqual({ allowed: true, retryAfterSeconds: 0, shared: false });
  });

  it('forgets a bucket that refilled, so new clients get buckets of their own instead of sharing one for an hour', () => {
    const limiter = new TokenBucketLimiter({ perSecond: 1, burst: 1, maxKeys: 1 });
    expect(limiter.take('a').allowed).toBe(true);
    jest.advanceTimersByTime(2_000);
    jest.setSystemTime(new Date('2026-03-01T11:00:02Z'));
    expect(limiter.take('b')).toEqual({ allowed: true, retryAfterSeconds: 0, shared: false });
    expect(limiter.take('c')).toMatchObject({ shared: true });
  });
});
