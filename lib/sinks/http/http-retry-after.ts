import { MAX_TIMER_MS } from '../../core/max-timer-ms';

/**
 * The delay a `Retry-After` header asks for, in milliseconds: either delay-seconds (`120`) or an
 * HTTP date in one of RFC 9110's three formats, always UTC (`Wed, 21 Oct 2026 07:28:00 GMT`,
 * `Wednesday, 21-Oct-26 07:28:00 GMT`, `Wed Oct 21 07:28:00 2026`), measured from `now`, or from
 * the response's own `Date` when it has a valid one: both are then the server's clock, so a device
 * whose clock is off waits as long as the server asked (a phone an hour behind would otherwise
 * wait an hour more). `undefined` when the header is missing or is neither (RFC 9110 has an
 * invalid value ignored; `Date.parse` alone would read `garbage 2099` as a date); never negative,
 * and at most 2 147 483 647 (the longest timer delay): an absurd delay (`99999999999`, a date in
 * the year 9999) asks for the longest wait, which the retry options' `maxDelayMs` then caps.
 *
 * @param now The current time, in milliseconds since the epoch. Default `Date.now()`.
 * @param date The response's `Date` header, if any.
 * @example parseRetryAfter('5') // 5000
 */
export function parseRetryAfter(
  value: string | null | undefined,
  now: number = Date.now(),
  date?: string | null,
): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Math.min(Number(text) * 1_000, MAX_TIMER_MS);
  const at = httpDate(text, now);
  if (at === undefined) return undefined;
  const sent = date === null || date === undefined ? undefined : httpDate(date.trim(), now);
  return Math.min(Math.max(0, at - (sent ?? now)), MAX_TIMER_MS);
}

/** An HTTP date's time in milliseconds since the epoch, or `undefined` if the text is none. */
function httpDate(text: string, now: number): number | undefined {
  // IMF-fixdate and RFC 850 (day, month, year, time), else asctime (month, day, time, year).
  const fixed = /^[a-z]{3,9}, (\d\d)[ -]([a-z]{3})[ -](\d\d|\d{4}) (\d\d:\d\d:\d\d) gmt$/i.exec(text);
  const asctime = /^[a-z]{3} ([a-z]{3}) ([ \d]\d) (\d\d:\d\d:\d\d) (\d{4})$/i.exec(text);
  const parts = fixed?.slice(1) ?? (asctime === null ? undefined : [asctime[2], asctime[1], asctime[4], asctime[3]]);
  if (parts === undefined) return undefined;
  const [day, month, digits, time] = parts;
  let year = Number(digits);
  if (digits.length === 2) {
    // RFC 9110: a two-digit year more than 50 years ahead is the latest past one of those digits.
    const current = new Date(now).getUTCFullYear();
    year += current - (current % 100);
    if (year > current + 50) year -= 100;
  }
  // Spelt out in GMT: asctime names no zone, and Date.parse would read it in the local one.
  const at = Date.parse(`${day} ${month} ${year} ${time} GMT`);
  return Number.isNaN(at) ? undefined : at;
}
