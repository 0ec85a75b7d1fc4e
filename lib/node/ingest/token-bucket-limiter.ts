import { MAX_TIMER_MS } from '../../core/max-timer-ms';

/** Options of {@link TokenBucketLimiter}. */
export interface TokenBucketLimiterOptions {
  /** Tokens added per second to every key's bucket. Required, > 0. */
  perSecond: number;
  /** The most tokens a bucket holds (the largest burst). Required, >= 1. */
  burst: number;
  /** How many keys are remembered; past it, the least recently used key is forgotten (and starts with a full bucket). Default `10_000`. */
  maxKeys?: number;
  /** The clock, in milliseconds. Default `Date.now`. */
  now?: () => number;
}

/** The answer of {@link TokenBucketLimiter.take}. */
export interface RateDecision {
  /** Whether a token was taken. */
  readonly allowed: boolean;
  /** When not allowed: whole seconds until a token is available (at least 1, at most 2 147 483: the longest timer delay). */
  readonly retryAfterSeconds: number;
}

/** The longest timer delay (2^31 - 1 ms) in whole seconds. */
const MAX_RETRY_AFTER_SECONDS = Math.floor(MAX_TIMER_MS / 1000);

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * One token bucket per key, in bounded memory: a key is remembered until `maxKeys` other keys
 * were used more recently, so a flood of distinct keys (spoofed or rotating clients) costs at most
 * `maxKeys` small entries.
 */
export class TokenBucketLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;
  private readonly burst: number;
  private readonly maxKeys: number;
  private readonly now: () => number;

  constructor(options: TokenBucketLimiterOptions) {
    this.perMs = options.perSecond / 1000;
    this.burst = options.burst;
    this.maxKeys = options.maxKeys ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** How many keys are remembered now (at most `maxKeys`). */
  get size(): number {
    return this.buckets.size;
  }

  /** Takes one token from `key`'s bucket when there is one. */
  take(key: string): RateDecision {
    const now = this.now();
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      bucket = { tokens: this.burst, at: now };
    } else {
      // Re-inserted below, so the Map's order is least recently used first.
      this.buckets.delete(key);
      bucket.tokens = Math.min(this.burst, bucket.tokens + Math.max(0, now - bucket.at) * this.perMs);
      bucket.at = now;
    }
    this.buckets.set(key, bucket);
    while (this.buckets.size > this.maxKeys) {
      const oldest = this.buckets.keys().next().value as string;
      this.buckets.delete(oldest);
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true, retryAfterSeconds: 0 };
    }
    // Capped: a tiny rate would give Infinity or 1e+21, which is no Retry-After a client can read or wait.
    const seconds = Math.min(MAX_RETRY_AFTER_SECONDS, Math.ceil((1 - bucket.tokens) / this.perMs / 1000));
    return { allowed: false, retryAfterSeconds: Math.max(1, seconds) };
  }
}
