import { thrownMessage } from '../core/read-property';
import { SelfLog } from '../core/self-log';

/**
 * How many values of the event (the record) being written could not be read, and the first one's
 * marker: each writer reports them once per event, with its own words (see readableProperties and
 * the OTLP writers' reportUnreadable).
 */
let unreadable = 0;
let firstUnreadable = '';

/**
 * `'[Throws: message]'`, the marker capture and every writer put where a read threw, its message
 * cut to 200 characters; counted for the event's one SelfLog report. Never throws.
 */
export function unreadableMarker(error: unknown): string {
  const marker = `[Throws: ${thrownMessage(error)}]`;
  if (unreadable++ === 0) firstUnreadable = marker;
  return marker;
}

/** Starts counting the unreadable values of an event (a record, a value) being written. */
export function startUnreadable(): void {
  unreadable = 0;
}

/** How many values {@link unreadableMarker} has marked since {@link startUnreadable}. */
export function unreadableCount(): number {
  return unreadable;
}

/** The first marker {@link unreadableMarker} has made since {@link startUnreadable} (stale when none was). */
export function firstUnreadableMarker(): string {
  return firstUnreadable;
}

/**
 * A plain copy of an event's properties that a JSON writer can read without a throw: a value whose
 * read throws (a getter or Proxy trap of an event built in JavaScript) is its `'[Throws: message]'`
 * marker (as capture and the OTLP writer write it), keys that cannot be listed one `rxlog.unreadable`
 * entry; SelfLog hears of them once, naming `writer`. Never throws.
 */
export function readableProperties(properties: Readonly<Record<string, unknown>>, writer: string): Record<string, unknown> {
  // Counted here, and the shared count put back afterwards: this call may run inside another
  // writer's record (a getter that logs), or another writer inside it, and each report keeps its own count.
  const outerCount = unreadable;
  const outerFirst = firstUnreadable;
  let count = 0;
  let first = '';
  const marker = (error: unknown): string => {
    const text = unreadableMarker(error);
    if (count++ === 0) first = text;
    return text;
  };
  const copy: Record<string, unknown> = {};
  let keys: string[];
  try {
    keys = Object.keys(properties);
  } catch (error) {
    keys = [];
    copy['rxlog.unreadable'] = marker(error);
  }
  for (const key of keys) {
    let value: unknown;
    try {
      value = properties[key];
    } catch (error) {
      value = marker(error);
    }
    // defineProperty: a key `__proto__` stays a property of the copy.
    Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
  }
  unreadable = outerCount;
  firstUnreadable = outerFirst;
  if (count > 0)
    SelfLog.write(
      '{Writer}: {Count} unreadable value(s) of an event written as markers, the first {Marker}',
      writer,
      count,
      first,
    );
  return copy;
}
