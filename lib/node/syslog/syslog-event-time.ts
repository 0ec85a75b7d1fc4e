import type { LogEvent } from '../../core/log-event';
import { eventTimeMs } from '../../templates/log-event-record';

/**
 * An event's time in milliseconds since the epoch, NaN when it cannot be read: an event built in
 * JavaScript (a sink's `emit` called directly) may carry a number, a string or nothing as its
 * `timestamp`, and the message is still sent, as the other sinks write it.
 */
export function syslogEventTime(event: LogEvent): number {
  try {
    return eventTimeMs(event);
  } catch {
    return Number.NaN;
  }
}
