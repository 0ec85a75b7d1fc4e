import { TokenBucketLimiter } from '../../../lib/node/ingest/token-bucket-limiter';

describe('TokenBucketLimiter', () => {
  it('allows a burst, then refills at the rate and says when to retry', () => {
    let now = 0;
    const limiter = new TokenBucketLimiter({ perSecond: 2, burst: 3, now: () => now });
    expect([1, 2, 3].map(() => limiter.take('a').allowed)).toEqual([true, true, true]);
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    now = 499;
    expect(limiter.take('a').allowed).toBe(false);
    now = 500;
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('b').allowed).toBe(true);
  });

  it('rounds the retry hint up to whole seconds for slow rates', () => {
    const limiter = new TokenBucketLimiter({ perSecond: 0.1, burst: 1, now: () => 0 });
    limiter.take('a');
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 10 });
  });

  it('caps the retry hint at 2 147 483 s, so Retry-After stays delay-seconds a client can wait (not Infinity or 1e+21)', () => {
    for (const perSecond of [Number.MIN_VALUE, 1e-20]) {
      const limiter = new TokenBucketLimiter({ perSecond, burst: 1, now: () => 0 });
      limiter.take('a');
      expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 2_147_483 });
    }
  });

  it('remembers at most maxKeys clients, forgetting the least recently seen', () => {
    const limiter = new TokenBucketLimiter({ perSecond: 1, burst: 1, maxKeys: 100, now: () => 0 });
    limiter.take('kept');
    for (let n = 0; n < 10_000; n++) {
      limiter.take(`spoofed-${n}`);
      if (n % 50 === 0) limiter.take('kept');
    }
    expect(limiter.size).toBe(100);
    // 'kept' stayed recent, so its empty bucket was not forgotten.
    expect(limiter.take('kept').allowed).toBe(false);
  });
});
