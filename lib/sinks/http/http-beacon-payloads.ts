import type { LogEvent } from '../../core/log-event';
import { utf8Length } from './http-utf8-length';

/** A batch cut into request bodies that each fit a beacon. */
export interface BeaconPayloads {
  /** Bodies of at most `maxBytes` UTF-8 bytes each, in event order. */
  readonly payloads: string[];
  /** Events whose body alone is over `maxBytes`, in order: they cannot go by beacon. */
  readonly oversize: LogEvent[];
}

/**
 * Cuts a batch into bodies of at most `maxBytes` bytes (UTF-8), keeping event order. The body
 * function is applied to slices of the batch, so any body shape (CLEF lines, an OTLP or Loki
 * JSON document) splits correctly.
 *
 * @param maxBytes The largest body, in bytes.
 */
export function splitForBeacon(
  events: readonly LogEvent[],
  body: (events: readonly LogEvent[]) => string,
  maxBytes: number,
): BeaconPayloads {
  const result: BeaconPayloads = { payloads: [], oversize: [] };
  split(events, body, maxBytes, result);
  return result;
}

function split(
  events: readonly LogEvent[],
  body: (events: readonly LogEvent[]) => string,
  maxBytes: number,
  into: BeaconPayloads,
): void {
  if (events.length === 0) return;
  const payload = body(events);
  const bytes = utf8Length(payload);
  if (bytes <= maxBytes) {
    into.payloads.push(payload);
    return;
  }
  if (events.length === 1) {
    into.oversize.push(events[0]);
    return;
  }
  // Cut into about as many slices as the size asks for, so a large batch is formatted a few
  // times rather than once per halving.
  const parts = Math.min(events.length, Math.ceil(bytes / maxBytes) + 1);
  const step = Math.ceil(events.length / parts);
  for (let start = 0; start < events.length; start += step) split(events.slice(start, start + step), body, maxBytes, into);
}
