import { MAX_TIMER_MS } from '../../core/max-timer-ms';

/** Options of {@link TokenBucketLimiter}. */
export interface TokenBucketLimiterOptions {
  /**
   * Tokens added per second to every key's bucket. Required, > 0. A rate slower than one token per
   * 2 147 483 s (the longest `retryAfterSeconds`) refills at that pace, so a client waiting as long
   * as it was told is let in.
   */
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
   * The clock, in milliseconds. Default `performance.now`, the monotonic clock. A wall clock set back
   * (NTP, a VM resumed) is read as going on from where it was set, buckets keeping what they hold;
   * one set forward refills every bucket by the step.
   */
  now?: (() => number) | undefined;
}

/** The answer of {@link TokenBucketLimiter.take}. */
export interface RateDecision {
  /** Whether a token was taken. */
  readonly allowed: boolean;
  /**
   * When not allowed: the least whole seconds after which the key's next request is let in (at
   * least 1, at most 2 147 483: the longest timer delay).
   */
  readonly retryAfterSeconds: number;
  /** Whether the key found no room among `maxKeys` partly spent buckets and was served by the shared overflow bucket. */
  readonly shared: boolean;
}

/** The longest timer delay (2^31 - 1 ms) in whole seconds. */
const MAX_RETRY_AFTER_SECONDS = Math.floor(MAX_TIMER_MS / 1000);

/**
 * How early a token may be taken, in milliseconds. The times tokens come back are sums of the
 * rate's interval (20 a minute: 3 000 ms; 7 a minute: 8 571.428… ms), rounded: one due on a whole
 * second could come out a rounding later, so a client coming back when Retry-After said was
 * refused again.
 */
const ROUNDING_MS = 1e-3;

/**
 * A bucket as the time it is full again (GCRA's theoretical arrival time): it holds `burst` tokens
 * at `fullAt` and after, one fewer for every interval before. A token taken moves it one interval
 * on; a request refused changes nothing, so no refill is summed into a count of tokens on every
 * request, where the roundings added up.
 */
interface Bucket {
  fullAt: number;
}

/**
 * One token bucket per key, in bounded memory: at most `maxKeys` buckets and one shared overflow
 * bucket. A bucket is forgotten only when it is full again, which loses nothing, so rotating
 * through more keys than `maxKeys` (spoofed clients, the addresses of an IPv6 /64) never resets a
 * key's limit: keys that find every bucket partly spent share the overflow bucket, as one client.
 * `Retry-After` is the least whole seconds after which the key's next request is let in, to the
 * millisecond of the clock (a token due at 3 s is taken at 3 s, not 4).
 */
export class TokenBucketLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly overflow: Bucket;
  /** Milliseconds per token, at most the longest wait `retryAfterSeconds` can ask for. */
  private readonly intervalMs: number;
  /** How far past now `fullAt` may be for a token to be left: `burst - 1` intervals. */
  private readonly slackMs: number;
  private readonly maxKeys: number;
  private readonly now: () => number;
  /** The clock's last reading, and how far it was set back in all, so time never runs backwards here. */
  private lastReading: number;
  private setBack = 0;

  constructor(options: TokenBucketLimiterOptions) {
    this.intervalMs = Math.min(1000 / options.perSecond, MAX_RETRY_AFTER_SECONDS * 1000);
    this.slackMs = (options.burst - 1) * this.intervalMs;
    this.maxKeys = options.maxKeys ?? 10_000;
    this.now = options.now ?? (() => performance.now());
    this.lastReading = this.now();
    this.overflow = { fullAt: this.lastReading };
  }

  /** How many keys have a bucket of their own now (at most `maxKeys`). */
  get size(): number {
    return this.buckets.size;
  }

  /** Takes one token from `key`'s bucket (or, when it has none and there is no room for one, from the shared overflow bucket). */
  take(key: string): RateDecision {
    const now = this.monotonic();
    let bucket = this.buckets.get(key);
    let shared = false;
    if (bucket !== undefined) {
      // Re-inserted, so the Map's order is least recently used first.
      this.buckets.delete(key);
      this.buckets.set(key, bucket);
    } else if (this.buckets.size < this.maxKeys || this.forgetOldestIfFull(now)) {
      bucket = { fullAt: now };
      this.buckets.set(key, bucket);
    } else {
      bucket = this.overflow;
      shared = true;
    }
    if (this.holdsToken(bucket, now)) {
      bucket.fullAt = Math.max(bucket.fullAt, now) + this.intervalMs;
      return { allowed: true, retryAfterSeconds: 0, shared };
    }
    return { allowed: false, retryAfterSeconds: this.retryAfterSeconds(bucket, now), shared };
  }

  /**
   * The clock's reading, plus every step it was set back by: a wall clock passed as `now` set back
   * an hour would put every bucket an hour further from full (one holding tokens refused them for
   * that hour); time goes on from where it was set instead.
   */
  private monotonic(): number {
    const reading = this.now();
    if (reading < this.lastReading) this.setBack += this.lastReading - reading;
    this.lastReading = reading;
    return reading + this.setBack;
  }

  private holdsToken(bucket: Bucket, now: number): boolean {
    return bucket.fullAt - now <= this.slackMs + ROUNDING_MS;
  }

  /**
   * The least whole seconds (at least 1) after which the bucket holds a token, by the test
   * {@link take} makes then: estimated from the wait, then moved to where that test changes, so a
   * rounding neither refuses a client that waited as told nor tells it a second too many.
   */
  private retryAfterSeconds(bucket: Bucket, now: number): number {
    const waitMs = bucket.fullAt - this.slackMs - ROUNDING_MS - now;
    let seconds = Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(1, Math.ceil(waitMs / 1000)));
    while (seconds < MAX_RETRY_AFTER_SECONDS && !this.holdsToken(bucket, now + seconds * 1000)) seconds++;
    while (seconds > 1 && this.holdsToken(bucket, now + (seconds - 1) * 1000)) seconds--;
    return seconds;
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
    if (bucket.fullAt - now > ROUNDING_MS) return false;
    this.buckets.delete(key);
    return true;
  }
}
