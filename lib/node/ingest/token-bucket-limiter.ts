import { MAX_TIMER_MS } from '../../core/max-timer-ms';

/** Options of {@link TokenBucketLimiter}. */
export interface TokenBucketLimiterOptions {
  /** Tokens added per second to every key's bucket. Required, > 0. */
  perSecond: number;
  /** The most tokens a bucket holds (the largest burst). Required, >= 1. */
  burst: number;
  /**
   * How many keys have a bucket of their own. Past it, the least recently used key's bucket is
   * forgotten only once it has refilled to full (so the key loses nothing: it would start again
   * with a full one); while it is still partly spent, a new key shares one overflow bucket (same
   * rate and burst) with every other key that found no room. Default `10_000`.
   */
  maxKeys?: number | undefined;
  /**
   * The clock, in milliseconds. Default `performance.now`, the monotonic clock: on the wall clock,
   * one stepped back an hour (NTP, a VM resumed) refilled no bucket for that hour, so every new
   * client past `maxKeys` shared the overflow bucket until it caught up.
   */
  now?: (() => number) | undefined;
}

/** The answer of {@link TokenBucketLimiter.take}. */
export interface RateDecision {
  /** Whether a token was taken. */
  readonly allowed: boolean;
  /** When not allowed: whole seconds until a token is available (at least 1, at most 2 147 483: the longest timer delay). */
  readonly retryAfterSeconds: number;
  /** Whether the key found no room among `maxKeys` partly spent buckets and was served by the shared overflow bucket. */
  readonly shared: boolean;
}

/** The longest timer delay (2^31 - 1 ms) in whole seconds. */
const MAX_RETRY_AFTER_SECONDS = Math.floor(MAX_TIMER_MS / 1000);

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * One token bucket per key, in bounded memory: at most `maxKeys` buckets and one shared overflow
 * bucket. A bucket is forgotten only when it is full again, which loses nothing, so rotating
 * through more keys than `maxKeys` (spoofed clients, the addresses of an IPv6 /64) never resets a
 * key's limit: keys that find every bucket partly spent share the overflow bucket, as one client.
 */
export class TokenBucketLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly overflow: Bucket;
  private readonly perMs: number;
  private readonly burst: number;
  private readonly maxKeys: number;
  private readonly now: () => number;

  constructor(options: TokenBucketLimiterOptions) {
    this.perMs = options.perSecond / 1000;
    this.burst = options.burst;
    this.maxKeys = options.maxKeys ?? 10_000;
    this.now = options.now ?? (() => performance.now());
    this.overflow = { tokens: this.burst, at: this.now() };
  }

  /** How many keys have a bucket of their own now (at most `maxKeys`). */
  get size(): number {
    return this.buckets.size;
  }

  /** Takes one token from `key`'s bucket (or, when it has none and there is no room for one, from the shared overflow bucket). */
  take(key: string): RateDecision {
    const now = this.now();
    let bucket = this.buckets.get(key);
    let shared = false;
    if (bucket !== undefined) {
      // Re-inserted, so the Map's order is least recently used first.
      this.buckets.delete(key);
      this.buckets.set(key, this.refill(bucket, now));
    } else if (this.buckets.size < this.maxKeys || this.forgetOldestIfFull(now)) {
      bucket = { tokens: this.burst, at: now };
      this.buckets.set(key, bucket);
    } else {
      bucket = this.refill(this.overflow, now);
      shared = true;
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true, retryAfterSeconds: 0, shared };
    }
    // Capped: a tiny rate would give Infinity or 1e+21, which is no Retry-After a client can read or wait.
    const seconds = Math.min(MAX_RETRY_AFTER_SECONDS, Math.ceil((1 - bucket.tokens) / this.perMs / 1000));
    return { allowed: false, retryAfterSeconds: Math.max(1, seconds), shared };
  }

  private refill(bucket: Bucket, now: number): Bucket {
    bucket.tokens = Math.min(this.burst, bucket.tokens + Math.max(0, now - bucket.at) * this.perMs);
    bucket.at = now;
    return bucket;
  }

  /**
   * Forgets the least recently used bucket when it has refilled to full. Only that one is looked
   * at (constant time on every request of a flood): it has been idle longest, so once any bucket
   * has been idle for `burst / perSecond` seconds, it is full.
   */
  private forgetOldestIfFull(now: number): boolean {
    const oldest = this.buckets.entries().next().value;
    if (oldest === undefined) return false;
    const [key, bucket] = oldest;
    if (bucket.tokens + Math.max(0, now - bucket.at) * this.perMs < this.burst) return false;
    this.buckets.delete(key);
    return true;
  }
}
