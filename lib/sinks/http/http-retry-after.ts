import { MAX_TIMER_MS } from '../../core/max-timer-ms';

/**
 * The delay a `Retry-After` header asks for, in milliseconds: either delay-seconds (`120`) or an
 * HTTP date (`Wed, 21 Oct 2026 07:28:00 GMT`, measured from `now`). `undefined` when the header
 * is missing or unreadable; never negative, and at most 2 147 483 647 (the longest timer delay):
 * an absurd delay (`99999999999`, a date in the year 9999) asks for the longest wait, which the
 * retry options' `maxDelayMs` then caps.
 *
 * @param now The current time, in milliseconds since the epoch. Default `Date.now()`.
 * @example parseRetryAfter('5') // 5000
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+$/.test(text)) return Math.min(Number(text) * 1_000, MAX_TIMER_MS);
  // An HTTP date always names its month; this keeps Date.parse from reading '-5' as a year.
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.min(Math.max(0, at - now), MAX_TIMER_MS);
}
