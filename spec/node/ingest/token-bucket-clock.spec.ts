import fc from 'fast-check';
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

// Fake timers count performance.now() in whole milliseconds: a client coming back exactly when
// Retry-After said, as HttpSink does, must be let in, and told no later than its token refills.
describe('TokenBucketLimiter on a virtual clock', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('refills exactly: at 20 a minute, a token spent at 0 s is back at 3 s, and a request at 1 s is told 2 s', () => {
    const limiter = new TokenBucketLimiter({ perSecond: 20 / 60, burst: 1 });
    expect(limiter.take('a').allowed).toBe(true);
    jest.advanceTimersByTime(1_000);
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 2, shared: false });
    jest.advanceTimersByTime(2_000);
    expect(limiter.take('a')).toEqual({ allowed: true, retryAfterSeconds: 0, shared: false });
  });

  it('does not drift: a client sending every 100 ms at 6 a minute, waiting out each 429, is never refused twice in a row', () => {
    const limiter = new TokenBucketLimiter({ perSecond: 0.1, burst: 3 });
    const refusedAgain: number[] = [];
    let waited = false;
    for (let request = 0; request < 200; request++) {
      const decision = limiter.take('a');
      if (decision.allowed) {
        waited = false;
        jest.advanceTimersByTime(100);
      } else {
        if (waited) refusedAgain.push(performance.now());
        waited = true;
        jest.advanceTimersByTime(decision.retryAfterSeconds * 1_000);
      }
    }
    expect(refusedAgain).toEqual([]);
  });

  // Rates of so many a minute, with gaps of whole milliseconds, have an exact answer in integers
  // (sixty-thousandths of a token): the limiter gives it, to a client coming back when Retry-After
  // said (as HttpSink does) too.
  it('answers as exact arithmetic does, at any rate of so many a minute, for any gaps between requests', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 600 }),
        fc.integer({ min: 1, max: 5 }),
        // Half seconds too: the seconds where a token comes back are where rounding shows.
        fc.array(
          fc.oneof(
            fc.constant('retry' as const),
            fc.integer({ min: 0, max: 5_000 }),
            fc.integer({ min: 0, max: 10 }).map((halves) => halves * 500),
          ),
          { minLength: 1, maxLength: 80 },
        ),
        (perMinute, burst, gaps) => {
          const limiter = new TokenBucketLimiter({ perSecond: perMinute / 60, burst });
          const token = 60_000;
          let credit = burst * token;
          let retryAfterSeconds = 0;
          for (const gap of gaps) {
            const ms = gap === 'retry' ? retryAfterSeconds * 1_000 : gap;
            jest.advanceTimersByTime(ms);
            credit = Math.min(burst * token, credit + ms * perMinute);
            const allowed = credit >= token;
            if (allowed) credit -= token;
            retryAfterSeconds = allowed ? 0 : Math.max(1, Math.ceil((token - credit) / (perMinute * 1_000)));
            expect(limiter.take('a')).toEqual({ allowed, retryAfterSeconds, shared: false });
          }
        },
      ),
      // Histories where rounding showed: told a second too many, refused after waiting as told.
      {
        examples: [
          [20, 1, [0, 1_000, 'retry']],
          [1, 2, [0, 1_500, 2_500, 0]],
          [5, 1, ['retry', 4_000, 'retry']],
          [2, 3, [0, 5_000, 'retry', 'retry']],
        ],
      },
    );
  });

  it('lets a client in when it comes back after Retry-After, at any rate', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e-3, max: 50, noNaN: true }),
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.integer({ min: 0, max: 5_000 }), { minLength: 1, maxLength: 60 }),
        (perSecond, burst, gaps) => {
          const limiter = new TokenBucketLimiter({ perSecond, burst });
          for (const gap of gaps) {
            jest.advanceTimersByTime(gap);
            const decision = limiter.take('a');
            if (decision.allowed) continue;
            jest.advanceTimersByTime(decision.retryAfterSeconds * 1_000);
            expect(limiter.take('a').allowed).toBe(true);
          }
        },
      ),
    );
  });
});
