import type { LogEvent } from '../../core/log-event';
import { eventTimeMs } from '../../templates/log-event-record';

/**
 * A time as nanoseconds since the Unix epoch, in decimal (how OTLP and Loki want timestamps: a
 * string, since the number is past 2^53). An invalid date gives `'0'`.
 *
 * @example unixNanos(new Date(1_700_000_000_123)) // '1700000000123000000'
 */
export function unixNanos(date: Date): string {
  const ms = date.getTime();
  if (!Number.isFinite(ms)) return '0';
  // Hot path: the common case (after 1970) is two strings joined, no BigInt.
  return ms > 0 ? `${ms}000000` : ms === 0 ? '0' : (BigInt(ms) * 1_000_000n).toString();
}

/** An event's time in milliseconds since the epoch, or NaN when it cannot be read (an event built in JavaScript with a hostile timestamp). Never throws. */
export function readEventTimeMs(event: LogEvent): number {
  try {
    return eventTimeMs(event);
  } catch {
    return Number.NaN;
  }
}
