import { MAX_TIMER_MS } from '../../core/max-timer-ms';

const MONTHS = 'janfebmaraprmayjunjulaugsepoctnovdec';

/**
 * The three HTTP date formats of RFC 9110 §5.6.7, names in any case: IMF-fixdate
 * (`Sun, 06 Nov 1994 08:49:37 GMT`), RFC 850 (`Sunday, 06-Nov-94 08:49:37 GMT`) and asctime
 * (`Sun Nov  6 08:49:37 1994`). Groups: day, month, year, hour, minute, second.
 */
const HTTP_DATES = [
  /^[a-z]{3}, (\d\d) ([a-z]{3}) (\d{4}) (\d\d):(\d\d):(\d\d) gmt$/i,
  /^[a-z]{6,9}, (\d\d)-([a-z]{3})-(\d\d) (\d\d):(\d\d):(\d\d) gmt$/i,
  /^[a-z]{3} ([a-z]{3}) ([\d ]\d) (\d\d):(\d\d):(\d\d) (\d{4})$/i,
];

/**
 * The delay a `Retry-After` header asks for, in milliseconds: either delay-seconds (`120`) or an
 * HTTP date (`Wed, 21 Oct 2026 07:28:00 GMT`, or one of the two obsolete formats; in UTC,
 * measured from `now`). `undefined` when the header is missing or is neither (RFC 9110 has an
 * invalid value ignored: `Date.parse` would read `garbage 2099` as a date); never negative, and at
 * most 2 147 483 647 (the longest timer delay): an absurd delay (`99999999999`, a date in the year
 * 9999) asks for the longest wait, which the retry options' `maxDelayMs` then caps.
 *
 * @param now The current time, in milliseconds since the epoch. Default `Date.now()`.
 * @example parseRetryAfter('5') // 5000
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Math.min(Number(text) * 1_000, MAX_TIMER_MS);
  const at = httpDate(text, now);
  return at === undefined ? undefined : Math.min(Math.max(0, at - now), MAX_TIMER_MS);
}

/** An HTTP date in milliseconds since the epoch, or undefined when `text` is none (or names a day that does not exist). */
function httpDate(text: string, now: number): number | undefined {
  const [imf, rfc850, asctime] = HTTP_DATES.map((format) => format.exec(text));
  let fields: string[];
  if (imf !== null) fields = imf.slice(1);
  else if (rfc850 !== null) fields = rfc850.slice(1);
  else if (asctime !== null) {
    const [, month, day, hour, minute, second, year] = asctime;
    fields = [day, month, year, hour, minute, second];
  } else return undefined;
  const [day, hour, minute, second] = [fields[0], fields[3], fields[4], fields[5]].map(Number);
  const month = MONTHS.indexOf(fields[1].toLowerCase()) / 3;
  let year = Number(fields[2]);
  if (fields[2].length === 2) {
    // RFC 9110: a two-digit year more than 50 years ahead is the latest past one of those digits.
    const current = new Date(now).getUTCFullYear();
    year += current - (current % 100);
    if (year > current + 50) year -= 100;
  }
  if (!Number.isInteger(month) || hour > 23 || minute > 59 || second > 60) return undefined;
  const at = new Date(Date.UTC(year, month, day, hour, minute, second));
  // Date.UTC carries 31 February over into March: no such date.
  return at.getUTCDate() === day && at.getUTCMonth() === month ? at.getTime() : undefined;
}
