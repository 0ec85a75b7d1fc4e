import type { LogEvent } from '../core/log-event';
import { eventTimeMs } from '../templates/log-event-record';

/** 0001-01-01T00:00:00.000Z, the earliest time .NET's DateTimeOffset (so Seq and Serilog's CLEF reader) can hold. */
export const FIRST_TIME_MS = -62_135_596_800_000;
/** 9999-12-31T23:59:59.999Z, the latest with a four-digit year. */
export const LAST_TIME_MS = 253_402_300_799_999;

/**
 * An event's time as an ISO 8601 UTC string, reused while the millisecond is the same:
 * `toISOString()` per event would cost more than the rest of a small CLEF line. Reads the
 * event's epoch milliseconds, so no Date is made for a LogEventRecord. An invalid time (a Date
 * built from bad input), or one outside the years 0001–9999 (where `toISOString` writes an
 * expanded year such as `+010000-01-01T…`, which RFC 3339 readers and .NET reject), is written
 * as the current time, so the output is always a valid instant with a four-digit year.
 */
export class IsoTimestampCache {
  #lastTime = Number.NaN;
  #lastIso = '';

  iso(event: LogEvent): string {
    const time = eventTimeMs(event);
    if (time !== this.#lastTime) {
      // NaN fails the range test too: an unwritable time takes the current time afresh each call.
      if (!(time >= FIRST_TIME_MS && time <= LAST_TIME_MS)) return new Date().toISOString();
      this.#lastIso = new Date(time).toISOString();
      this.#lastTime = time;
    }
    return this.#lastIso;
  }
}
