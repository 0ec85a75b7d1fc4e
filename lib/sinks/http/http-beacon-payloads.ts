import type { LogEvent } from '../../core/log-event';
import { utf8Length } from './http-utf8-length';

/** The body of the longest leading slice of a batch that fits one beacon. */
export interface BeaconPayload {
  /** The request body of the first `count` events; empty when `count` is 0. */
  readonly body: string;
  /** How many leading events the body holds: 0 when the first event alone is over the limit. */
  readonly count: number;
}

/**
 * The body of the longest leading slice of `events` whose body is at most `maxBytes` bytes
 * (UTF-8). The body function is applied to slices of the batch, so any body shape (CLEF lines,
 * an OTLP or Loki JSON document) is cut correctly; a body is assumed to grow with its events.
 * Only the next beacon's body is built: when the browser refuses it, the rest of the batch was
 * never formatted for nothing.
 *
 * @param maxBytes The largest body, in bytes.
 */
export function beaconPayload(
  events: readonly LogEvent[],
  body: (events: readonly LogEvent[]) => string,
  maxBytes: number,
): BeaconPayload {
  if (events.length === 0) return { body: '', count: 0 };
  const whole = body(events);
  const bytes = utf8Length(whole);
  if (bytes <= maxBytes) return { body: whole, count: events.length };
  // A binary search between a slice that fits (`low`) and one that does not (`high`), starting
  // from the share of the batch the size suggests: a few formats of the slice, not one per event.
  let low = 0;
  let lowBody = '';
  let high = events.length;
  let probe = Math.min(high - 1, Math.max(1, Math.floor((events.length * maxBytes) / bytes)));
  while (high - low > 1) {
    const text = body(events.slice(0, probe));
    if (utf8Length(text) <= maxBytes) {
      low = probe;
      lowBody = text;
    } else {
      high = probe;
    }
    probe = Math.floor((low + high) / 2);
  }
  return { body: lowBody, count: low };
}
