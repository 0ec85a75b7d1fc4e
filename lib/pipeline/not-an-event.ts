import { isObservable } from 'rxjs';

/**
 * The reason a sink's lane counts dropped what reached it in place of an event: what a step of the
 * sink's `pipe`, or of `.pipe()`, given from JavaScript passed on (`bufferCount(3)` as the last
 * step, `map((e) => e.level)`, `groupBy` without its `mergeMap`). No formatter can write it.
 */
export const NOT_AN_EVENT_REASON = 'not-an-event';

/**
 * How many events `value`, which reached a sink's lane, stands for when it is no event, else -1.
 * No object (a string, a number, null, undefined, a function) and an Observable stand for one; an
 * array for its items (`bufferCount(3)` as the last step holds the 3 events that entered it; an
 * empty one, from `bufferTime` on a quiet lane, for none). Any other object is taken as an event
 * (its shape is the formatter's business). Never throws: an object whose check throws (a revoked
 * Proxy) is taken as an event, as before.
 */
export function notAnEvent(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 1;
  try {
    return Array.isArray(value) ? value.length : isObservable(value) ? 1 : -1;
  } catch {
    return -1;
  }
}

/**
 * As {@link notAnEvent}, for what reached the end of a sink's lane: an object whose `level` cannot
 * be read (a revoked Proxy, a Proxy whose `get` trap throws) stands for one event too. The level is
 * what the sink's level filter, every sink and formatter read first: taken as an event, such an
 * object was counted delivered by MemorySink, or failed ConsoleSink's write, retried while the
 * events behind it waited. Between steps it is taken as an event (the next step may remove it).
 * Never throws.
 */
export function notAnEventAtSink(value: unknown): number {
  const count = notAnEvent(value);
  if (count >= 0) return count;
  try {
    // A read in place of a check of the prototype (which such a Proxy answers): no cost more.
    void (value as { level?: unknown }).level;
    return -1;
  } catch {
    return 1;
  }
}
