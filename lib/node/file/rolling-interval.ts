import { describeValue } from '../../core/describe-value';
import { ConfigurationError } from '../../core/errors/configuration-error';

/** How often a rolling file starts a new file: `infinite` never rolls by time. */
export type RollingInterval = 'infinite' | 'year' | 'month' | 'day' | 'hour' | 'minute';

/** One time period of a rolling file: its text in file names and its bounds in epoch milliseconds. */
export interface RollingPeriod {
  /**
   * The period as it appears in file names: `''`, `yyyy`, `yyyyMM`, `yyyyMMdd`, `yyyyMMddHH` or
   * `yyyyMMddHHmm`; a year outside 0000-9999 in ISO 8601's expanded form (`+010000`, `-000001`).
   */
  readonly text: string;
  /** First millisecond of the period (inclusive), UTC. */
  readonly startMs: number;
  /** First millisecond of the next period (exclusive), UTC; `Infinity` for `infinite`. */
  readonly endMs: number;
}

const INTERVALS: readonly RollingInterval[] = ['infinite', 'year', 'month', 'day', 'hour', 'minute'];

/** How many digits of `yyyyMMddHHmm` each interval keeps in file names. */
const DIGITS: Readonly<Record<RollingInterval, number>> = { infinite: 0, year: 4, month: 6, day: 8, hour: 10, minute: 12 };

/**
 * Checks a configured rolling interval.
 *
 * @throws ConfigurationError naming the value when it is not one of the six intervals.
 */
export function parseRollingInterval(value: unknown): RollingInterval {
  if (typeof value === 'string' && (INTERVALS as readonly string[]).includes(value)) return value as RollingInterval;
  throw new ConfigurationError(
    `FileSink rollingInterval: unknown interval ${describeValue(value)} (expected one of ${INTERVALS.join(', ')})`,
  );
}

/**
 * How many digits the period takes in a file name for `interval` (0 for `infinite`), a year of
 * four digits: one in ISO 8601's expanded form (`+010000`) takes three characters more.
 */
export function periodDigits(interval: RollingInterval): number {
  return DIGITS[interval];
}

/**
 * Epoch milliseconds of a UTC time, fields normalized as Date.UTC does, but taking the years 0-99
 * as written: Date.UTC reads them as 1900-1999, so a clock in such a year (a bad RTC) got a period
 * whose bounds did not hold its own time, and the sink reopened its file on every batch. A bound
 * past the range a Date holds (the year of 275760-09-13, the last day a Date holds, ends after it)
 * is infinite, so periods still compare and sort.
 */
function utc(year: number, month: number, day: number, hour = 0, minute = 0): number {
  const time = new Date(0);
  time.setUTCFullYear(year, month, day);
  time.setUTCHours(hour, minute);
  const ms = time.getTime();
  // No year (a time past the range asked for the period before the first) is no bound: NaN.
  return Number.isNaN(ms) && !Number.isNaN(year) ? (year < 0 ? -Infinity : Infinity) : ms;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/**
 * A year as file names write it: `yyyy` in 0000-9999, and outside it ISO 8601's expanded form, a
 * sign and six digits, as `toISOString` writes it (`+010000`, `-000001`): `pad` wrote `10000` and
 * `00-1`, so the period text, cut to its interval's width, named the wrong time (10 January 10000
 * and the 1st were both `10000010`, the year 10000 was `1000`) and the listing knew none of them.
 * Six digits hold every year a Date can (-271821 to 275760), so such names sort among themselves.
 */
function yearText(year: number): string {
  return year >= 0 && year <= 9999 ? pad(year, 4) : `${year < 0 ? '-' : '+'}${pad(Math.abs(year), 6)}`;
}

/**
 * The period of `interval` that contains `timeMs`, in UTC (not local time as Serilog does: UTC
 * matches the `@t` timestamps inside the files and never repeats an hour when clocks change).
 *
 * @example rollingPeriod('day', Date.UTC(2026, 10, 22, 15)).text // '20261122'
 */
export function rollingPeriod(interval: RollingInterval, timeMs: number): RollingPeriod {
  if (interval === 'infinite') return { text: '', startMs: -Infinity, endMs: Infinity };
  const date = new Date(timeMs);
  const year = date.getUTCFullYear();
  const month = interval === 'year' ? 0 : date.getUTCMonth();
  const day = interval === 'year' || interval === 'month' ? 1 : date.getUTCDate();
  const hour = interval === 'hour' || interval === 'minute' ? date.getUTCHours() : 0;
  const minute = interval === 'minute' ? date.getUTCMinutes() : 0;
  const startMs = utc(year, month, day, hour, minute);
  // Overflowing fields are normalized, so "one more unit" is the next boundary even across month
  // and year ends.
  const endMs =
    interval === 'year'
      ? utc(year + 1, 0, 1)
      : interval === 'month'
        ? utc(year, month + 1, 1)
        : interval === 'day'
          ? utc(year, month, day + 1)
          : interval === 'hour'
            ? utc(year, month, day, hour + 1)
            : utc(year, month, day, hour, minute + 1);
  const rest = `${pad(month + 1, 2)}${pad(day, 2)}${pad(hour, 2)}${pad(minute, 2)}`;
  return { text: yearText(year) + rest.slice(0, DIGITS[interval] - 4), startMs, endMs };
}
