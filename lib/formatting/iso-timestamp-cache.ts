import type { LogEvent } from '../core/log-event';
import { eventTimeMs } from '../templates/log-event-record';

/**
 * An event's time as an ISO 8601 UTC string, reused while the millisecond is the same:
 * `toISOString()` per event would cost more than the rest of a small CLEF line. Reads the
 * event's epoch milliseconds, so no Date is made for a LogEventRecord. An invalid time (a Date
 * built from bad input) is written as the current time, so the output is always a valid instant.
 */
export class IsoTimestampCache {
  private lastTime = Number.NaN;
  private lastIso = '';

  iso(event: LogEvent): string {
    const time = eventTimeMs(event);
    // NaN never equals lastTime, so an invalid time takes the current time afresh each call.
    if (time !== this.lastTime) {
      this.lastIso = time === time ? new Date(time).toISOString() : new Date().toISOString();
      this.lastTime = time;
    }
    return this.lastIso;
  }
}
