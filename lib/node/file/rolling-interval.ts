import { describeValue } from '../../core/describe-value';
import { ConfigurationError } from '../../core/errors/configuration-error';

/** How often a rolling file starts a new file: `infinite` never rolls by time. */
export type RollingInterval = 'infinite' | 'year' | 'month' | 'day' | 'hour' | 'minute';

/** One time period of a rolling file: its text in file names and its bounds in epoch milliseconds. */
export interface RollingPeriod {
  /** The period as it appears in file names: `''`, `yyyy`, `yyyyMM`, `yyyyMMdd`, `yyyyMMddHH` or `yyyyMMddHHmm`. */
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

/** How many digits the period takes in a file name for `interval` (0 for `infinite`). */
export function periodDigits(interval: RollingInterval): number {
  return DIGITS[interval];
}

/**
 * Epoch milliseconds of a UTC time, fields normalized as Date.UTC does, but taking the years 0-99
 * as written: Date.UTC reads them as 1900-1999, so a clock in such a year (a bad RTC) got a period
 * whose bounds did not hold its own time, and the sink reopened its file on every batch.
 */
function utc(year: number, month: number, day: number, hour = 0, minute = 0): number {
  const time = new Date(0);
  time.setUTCFullYear(year, month, day);
  time.setUTCHours(hour, minute);
  return time.getTime();
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
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
  const full = `${pad(year, 4)}${pad(month + 1, 2)}${pad(day, 2)}${pad(hour, 2)}${pad(minute, 2)}`;
  return { text: full.slice(0, DIGITS[interval]), startMs, endMs };
}
