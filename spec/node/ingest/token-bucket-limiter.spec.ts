import { TokenBucketLimiter } from '../../../lib/node/ingest/token-bucket-limiter';

describe('TokenBucketLimiter', () => {
  it('allows a burst, then refills at the rate and says when to retry', () => {
    let now = 0;
    const limiter = new TokenBucketLimiter({ perSecond: 2, burst: 3, now: () => now });
    expect([1, 2, 3].map(() => limiter.take('a').allowed)).toEqual([true, true, true]);
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 1, shared: false });
    now = 499;
    expect(limiter.take('a').allowed).toBe(false);
    now = 500;
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('b').allowed).toBe(true);
  });

  it('rounds the retry hint up to whole seconds for slow rates', () => {
    const limiter = new TokenBucketLimiter({ perSecond: 0.1, burst: 1, now: () => 0 });
    limiter.take('a');
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 10, shared: false });
  });

  it('caps the retry hint at 2 147 483 s, so Retry-After stays delay-seconds a client can wait (not Infinity or 1e+21)', () => {
    for (const perSecond of [Number.MIN_VALUE, 1e-20]) {
      const limiter = new TokenBucketLimiter({ perSecond, burst: 1, now: () => 0 });
      limiter.take('a');
      expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 2_147_483, shared: false });
    }
  });

  it('holds at most maxKeys buckets under a flood of distinct keys', () => {
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

  it('keeps limiting a client that rotates through more than maxKeys keys: a new key past maxKeys shares one bucket', () => {
    const limiter = new TokenBucketLimiter({ perSecond: 1, burst: 2, maxKeys: 3, now: () => 0 });
    const round = (): boolean[] => ['k0', 'k1', 'k2', 'k3', 'k4'].map((key) => limiter.take(key).allowed);
    // k0..k2 get their own buckets; k3 and k4 share the overflow bucket (2 tokens).
    expect(round()).toEqual([true, true, true, true, true]);
    expect(round()).toEqual([true, true, true, false, false]);
    // Every bucket is empty now: rotating forgets none of them, so nothing more gets through.
    expect(round()).toEqual([false, false, false, false, false]);
    expect(limiter.take('k9')).toEqual({ allowed: false, retryAfterSeconds: 1, shared: true });
    expect(limiter.size).toBe(3);
  });

  it('forgets a bucket only once it has refilled to full, so a forgotten key loses nothing', () => {
    let now = 0;
    const limiter = new TokenBucketLimiter({ perSecond: 1, burst: 2, maxKeys: 2, now: () => now });
    expect([limiter.take('a').allowed, limiter.take('a').allowed, limiter.take('a').allowed]).toEqual([true, true, false]);
    expect(limiter.take('b').allowed).toBe(true);
    // a is the least recently seen, but empty: c shares the overflow bucket instead of taking a's place.
    expect(limiter.take('c')).toEqual({ allowed: true, retryAfterSeconds: 0, shared: true });
    expect(limiter.take('a').allowed).toBe(false);
    now = 999;
    expect(limiter.take('c').shared).toBe(true);
    // b is now the least recently seen, and has refilled (1 token + 1 s): it is forgotten, and c gets its own bucket.
    now = 1_000;
    expect(limiter.take('c')).toEqual({ allowed: true, retryAfterSeconds: 0, shared: false });
    expect(limiter.size).toBe(2);
    // b comes back once a, refilled too, makes room: with a full bucket, which is what it had.
    now = 2_000;
    expect([limiter.take('b').allowed, limiter.take('b').allowed]).toEqual([true, true]);
  });
});

// A wall clock passed as `now` (NTP, a VM resumed, an operator's fix) steps back: time goes on from
// where it was set, and buckets keep what they hold.
describe('TokenBucketLimiter on a clock set back an hour', () => {
  it('keeps the tokens a bucket holds, and refills it as time passes from there', () => {
    let now = 3_600_000;
    const limiter = new TokenBucketLimiter({ perSecond: 1, burst: 3, now: () => now });
    expect(limiter.take('a').allowed).toBe(true);
    now = 0;
    expect([limiter.take('a').allowed, limiter.take('a').allowed, limiter.take('a').allowed]).toEqual([true, true, false]);
    expect(limiter.take('b').allowed).toBe(true);
    now = 999;
    expect(limiter.take('a').allowed).toBe(false);
    now = 1_000;
    expect(limiter.take('a')).toEqual({ allowed: true, retryAfterSeconds: 0, shared: false });
  });
});
