import { expectOption } from '../core/expect-option';
import { checkTimerMs } from '../core/max-timer-ms';
import { ConfigurationError } from '../core/errors/configuration-error';
import { checkCount, describeOption, optionsObject } from './operator-options';

/** How often and how patiently a failed write is tried again. */
export interface RetryOptions {
  /** Tries in total, the first one included (3 = the first try and two retries). Default `3`. */
  attempts?: number | undefined;
  /** Delay before the first retry, in milliseconds; each later retry doubles it. Default `100`; at most 2^31 - 1 (a timer fires at once past it). */
  initialDelayMs?: number | undefined;
  /** Longest delay between tries, in milliseconds, jitter included. Default `5_000`; at most 2^31 - 1; not less than an `initialDelayMs` given with it. */
  maxDelayMs?: number | undefined;
  /** Random spread of each delay, a fraction in [0, 1] (0.2 = ±20 %). Default `0.2`. */
  jitter?: number | undefined;
}

/** RetryOptions with defaults applied and values checked. */
export interface ResolvedRetryOptions {
  readonly attempts: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly jitter: number;
}

/**
 * Applies RetryOptions' defaults and checks them.
 *
 * @param where What the options were given to, naming them in an error: `retry` (the sink option, the default), `retryWithBackoff` or `backoffDelay`.
 * @throws ConfigurationError naming the bad value.
 */
export function resolveRetryOptions(options: RetryOptions = {}, where = 'retry'): ResolvedRetryOptions {
  const given = optionsObject(options, where);
  // Defaults by destructuring, which only a missing option takes: a JavaScript caller's null is refused below.
  const { attempts = 3, initialDelayMs = 100, maxDelayMs = 5_000, jitter = 0.2 } = given;
  checkCount(`${where}.attempts`, attempts, 'tries');
  checkTimerMs(`${where}.initialDelayMs`, initialDelayMs);
  checkTimerMs(`${where}.maxDelayMs`, maxDelayMs);
  // Both given, a first delay past the longest is a mistake; with either one a default, the first delay is cut to maxDelayMs.
  if (given.initialDelayMs !== undefined && given.maxDelayMs !== undefined && initialDelayMs > maxDelayMs)
    throw new ConfigurationError(`${where}.initialDelayMs (${initialDelayMs}) is more than ${where}.maxDelayMs (${maxDelayMs})`);
  expectOption(typeof jitter === 'number' && jitter >= 0 && jitter <= 1, `${where}.jitter`, 'a fraction in [0, 1]', jitter);
  // A first delay past the longest is cut to it (the delays are the same), so resolved options resolve again as they are.
  return { attempts, initialDelayMs: Math.min(initialDelayMs, maxDelayMs), maxDelayMs, jitter };
}

/**
 * The delay before retry number `retryNumber` (1 for the first retry), in whole milliseconds:
 * `initialDelayMs × 2^(retryNumber − 1)`, spread by ± `jitter` of itself, and never more than
 * `maxDelayMs`. Pure: pass `random` to make it deterministic.
 *
 * @param random A uniform number in [0, 1); 0.5 means no jitter (also what NaN counts as; values outside are clamped). Default `Math.random`.
 * @example backoffDelay(3, { initialDelayMs: 100, jitter: 0 }) // 400
 */
export function backoffDelay(retryNumber: number, options: RetryOptions = {}, random: () => number = Math.random): number {
  const { initialDelayMs, maxDelayMs, jitter } = resolveRetryOptions(options);
  checkRandom('backoffDelay', random);
  const exponent = Math.max(0, retryNumber - 1);
  // 0 × 2^1024 would be 0 × Infinity = NaN, and a timer reads NaN as "at once".
  const base = initialDelayMs === 0 ? 0 : Math.min(initialDelayMs * 2 ** exponent, maxDelayMs);
  const spread = jitter === 0 ? 0 : base * jitter * (2 * uniform(random()) - 1);
  return Math.round(Math.min(maxDelayMs, Math.max(0, base + spread)));
}

/**
 * Refuses a random source that is not a function: it would fail only at the first retry, as a
 * TypeError sent to the subscriber in place of the source's error.
 */
export function checkRandom(where: string, random: unknown): void {
  if (typeof random !== 'function')
    throw new ConfigurationError(
      `${where}: random: expected a function returning numbers in [0, 1), got ${describeOption(random)}`,
    );
}

/** A draw of the random source as a number in [0, 1]: NaN or a non-number counts as 0.5 (no jitter), others are clamped. */
function uniform(draw: unknown): number {
  return typeof draw === 'number' && !Number.isNaN(draw) ? Math.min(1, Math.max(0, draw)) : 0.5;
}
