import type { LogEvent } from '../../core/log-event';
import type { Formatter } from '../../core/sink';
import { readEventTimeMs, unixNanos } from './http-unix-nanos';

/**
 * The widest time, in milliseconds either side of 1970, whose nanoseconds fit Loki's int64 entry
 * timestamps (1677-09-21 to 2262-04-11): Loki parses them with `strconv.ParseInt(s, 10, 64)`, and
 * one that does not fit fails the whole push.
 */
const MAX_LOKI_TIME_MS = 9_223_372_036_854;

/**
 * What a LokiSink remembers between batches so that no two entries share a timestamp: the last
 * entry's millisecond and how many entries before it had the same one, and the timestamp each
 * event was given, so a batch sent again (a retry, the halves of a 413) carries the same
 * timestamps and Loki's own de-duplication still drops what it already stored.
 */
export interface LokiEntryClock {
  ms: number;
  n: number;
  readonly given: WeakMap<LogEvent, string>;
}

/** A clock for {@link lokiPushBody}: one per sink. */
export function lokiEntryClock(): LokiEntryClock {
  return { ms: Number.NaN, n: 0, given: new WeakMap() };
}

/**
 * An entry's timestamp: the event's time (the time of sending when that is invalid or outside
 * int64 nanoseconds), plus one nanosecond for each earlier entry in the same millisecond. Loki
 * drops an entry whose timestamp and line equal another's in its stream (its guard against pushes
 * sent twice), and rxlog's times are milliseconds: two identical events logged in one millisecond
 * would otherwise be stored once, yet counted delivered.
 */
function entryNanos(event: LogEvent, clock: LokiEntryClock): string {
  let nanos = clock.given.get(event);
  if (nanos !== undefined) return nanos;
  let time = readEventTimeMs(event);
  if (!(time >= -MAX_LOKI_TIME_MS && time <= MAX_LOKI_TIME_MS)) time = Date.now();
  clock.n = clock.ms === time ? clock.n + 1 : 0;
  clock.ms = time;
  nanos = clock.n === 0 ? unixNanos(new Date(time)) : String(BigInt(time) * 1_000_000n + BigInt(clock.n));
  clock.given.set(event, nanos);
  return nanos;
}

/**
 * The `level` label of an event: rxlog's level names, except the two Grafana knows by other
 * names (`trace`, `info`), so it recognises and colours all six. A level outside the six (an
 * event built in JavaScript) is labelled as it is.
 */
function levelLabel(level: unknown): string {
  return level === 'verbose' ? 'trace' : level === 'information' ? 'info' : String(level);
}

/**
 * A Loki push request body (`POST /loki/api/v1/push`, JSON): one stream per level, labelled with
 * `labels` plus `level`, each value `[unix nanoseconds as a string, the formatted line]`, in
 * event order; a trailing newline of the formatter's output is left out. Entries in the same
 * millisecond are a nanosecond apart (see `clock`), so Loki keeps identical ones. An event whose time is
 * invalid or outside Loki's int64 nanoseconds (before 1677-09-21, after 2262-04-11) is stamped
 * with the time of sending, as CLEF writes an invalid time, so one bad timestamp cannot fail
 * the whole push.
 */
export function lokiPushBody(
  events: readonly LogEvent[],
  labels: Readonly<Record<string, string>>,
  formatter: Formatter,
  clock: LokiEntryClock = lokiEntryClock(),
): string {
  const streams = new Map<string, [string, string][]>();
  for (const event of events) {
    const level = levelLabel(event.level);
    let values = streams.get(level);
    if (values === undefined) {
      values = [];
      streams.set(level, values);
    }
    const text = formatter.format(event);
    values.push([entryNanos(event, clock), text.endsWith('\n') ? text.slice(0, -1) : text]);
  }
  return JSON.stringify({ streams: Array.from(streams, ([level, values]) => ({ stream: { ...labels, level }, values })) });
}
