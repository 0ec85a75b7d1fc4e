import type { LogEvent } from '../../core/log-event';
import type { Formatter } from '../../core/sink';
import { readEventTimeMs } from './http-unix-nanos';
import { withoutLoneSurrogates } from '../../templates/safe-json';
import { lineOrPlaceholder } from './unformattable-line';
import { SelfLog } from '../../core/self-log';
import { LOG_LEVELS } from '../../core/log-level';

/**
 * The widest time, in milliseconds either side of 1970, whose nanoseconds fit Loki's int64 entry
 * timestamps (1677-09-21 to 2262-04-11): Loki parses them with `strconv.ParseInt(s, 10, 64)`, and
 * one that does not fit fails the whole push.
 */
const MAX_LOKI_TIME_MS = 9_223_372_036_854;

/** How many distinct milliseconds a {@link LokiEntryClock} remembers (about a second of busy logging). */
const RECENT_MS = 1_024;

/**
 * What a LokiSink remembers between batches so that no two entries share a timestamp: how many
 * entries it gave each of the last 1 024 distinct milliseconds (oldest first; a time that comes
 * back after a later one, as when the clock steps back, goes on from its count), and the
 * timestamp each event was given, so a batch sent again (a retry, the halves of a 413) carries
 * the same timestamps and Loki's own de-duplication still drops what it already stored. It also
 * knows the events whose line SelfLog said was cut, so a batch built again does not say it again.
 */
export interface LokiEntryClock {
  /** Nanoseconds added to every timestamp, below half a millisecond, chosen at random per sink. */
  readonly offset: number;
  readonly counts: Map<number, number>;
  readonly given: WeakMap<LogEvent, string>;
  readonly cut: WeakSet<LogEvent>;
  /** The events the last body built of them left out: the formatter threw on them and on their placeholder. */
  readonly omitted: WeakSet<LogEvent>;
}

/** A clock for {@link lokiPushBody}: one per sink. */
export function lokiEntryClock(): LokiEntryClock {
  return {
    offset: Math.floor(Math.random() * 500_000),
    counts: new Map(),
    given: new WeakMap(),
    cut: new WeakSet(),
    omitted: new WeakSet(),
  };
}

/**
 * An entry's timestamp: the event's time (the time of sending when that is invalid or outside
 * int64 nanoseconds), plus the clock's offset, plus one nanosecond for each earlier entry in the
 * same millisecond. Loki drops an entry whose timestamp and line equal another's in its stream (its
 * guard against pushes sent twice; unordered writes compare with every entry at that nanosecond,
 * not only the last), and rxlog's times are milliseconds: two identical events logged in one
 * millisecond, by one sink or by two with the same labels (two browsers), would otherwise be
 * stored once, yet counted delivered.
 */
function entryNanos(event: LogEvent, clock: LokiEntryClock): string {
  let nanos = clock.given.get(event);
  if (nanos !== undefined) return nanos;
  const read = readEventTimeMs(event);
  // Whole milliseconds, as the CLEF line's @t: a LogEventRecord may be built with a fraction
  // (performance.now()), and BigInt refuses one. Not a number (a hostile getTime): the time of sending.
  let time = typeof read == 'number' ? Math.trunc(read) : Number.NaN;
  if (!(time >= -MAX_LOKI_TIME_MS && time <= MAX_LOKI_TIME_MS)) time = Date.now();
  const { counts } = clock;
  const n = counts.get(time) ?? 0;
  counts.set(time, n + 1);
  // Bounded memory: the oldest millisecond first seen is forgotten.
  if (counts.size > RECENT_MS) counts.delete(counts.keys().next().value as number);
  // Hot path: after 1970, two strings joined, no BigInt. (offset + n past a millisecond: never in practice.)
  const sub = clock.offset + n;
  nanos = time > 0 && sub < 1e6 ? time + String(sub).padStart(6, '0') : String(BigInt(time) * 1_000_000n + BigInt(sub));
  clock.given.set(event, nanos);
  return nanos;
}

/**
 * The `level` label of an event: rxlog's level names, except the two Grafana knows by other
 * names (`trace`, `info`), so it recognises and colours all six. A level outside the six (an
 * event a `.pipe()` map or a hand-built batch gave one) is `unknown`, Grafana's name for a level it
 * does not know: labelled as it was, each distinct value would be a stream of its own (Loki's
 * stream limit, a push each) and one past 2 048 bytes would fail every push. The line keeps it.
 */
function levelLabel(level: unknown): string {
  return level === 'verbose'
    ? 'trace'
    : level === 'information'
      ? 'info'
      : (LOG_LEVELS as readonly unknown[]).includes(level)
        ? (level as string)
        : 'unknown';
}

/**
 * `event`'s `line` cut to at most `max` UTF-8 bytes, at the start of a character, as Loki with
 * `max_line_size_truncate` cuts it. Without that option Loki refuses the line with a `400` and
 * stores the others, and the sink counts that event failed. SelfLog says so once per event
 * (see `clock.cut`): a retry, the halves of a 413 and a beacon's size probes build the body again.
 */
function cutLine(line: string, max: number, event: LogEvent, clock: LokiEntryClock): string {
  // Hot path: a UTF-16 unit is at most 3 UTF-8 bytes, so most lines need no encoding to be measured.
  if (line.length * 3 <= max) return line;
  const bytes = new TextEncoder().encode(line);
  if (bytes.length <= max) return line;
  let end = max;
  while ((bytes[end] & 0xc0) === 0x80) end--;
  if (!clock.cut.has(event)) {
    clock.cut.add(event);
    SelfLog.write('LokiSink: a line of {Bytes} bytes is cut to maxLineBytes ({Limit})', bytes.length, max);
  }
  return new TextDecoder().decode(bytes.subarray(0, end));
}

/**
 * Orders two entries by timestamp (decimal nanoseconds as `entryNanos` writes them, without leading
 * zeros: of two that are not negative, the longer is later). Loki's ingester judges a push's entries
 * in the order they come (`pkg/ingester/stream.go`, `validateEntries`, `storeEntries`): with
 * unordered writes off (Loki before 2.4, `unordered_writes: false`) an entry older than the one
 * before it is `entry out of order`, and with them on, one more than `max_chunk_age / 2` (an hour)
 * behind the newest entry judged before it is `too far behind`, though either would be stored first.
 */
function byTime([a]: [string, string], [b]: [string, string]): number {
  return a[0] === '-' || b[0] === '-' ? Number(BigInt(a) - BigInt(b)) : a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/**
 * A Loki push request body (`POST /loki/api/v1/push`, JSON): one stream per level, labelled with
 * `labels` plus `level`, each value `[unix nanoseconds as a string, the formatted line]`, in
 * time order (those of one millisecond in event order: see `byTime`); a trailing newline of the formatter's output is left out, and a lone UTF-16
 * surrogate is written as U+FFFD (Loki refuses a push whose JSON escapes one). Entries in the same
 * millisecond are a nanosecond apart, after the clock's random offset below half a millisecond
 * (see `clock`), so Loki keeps identical ones; a time's fraction of
 * a millisecond (a LogEventRecord built with one) is dropped, as in CLEF's `@t`. An event whose time is
 * invalid or outside Loki's int64 nanoseconds (before 1677-09-21, after 2262-04-11) is stamped
 * with the time of sending, as CLEF writes an invalid time, so one bad timestamp cannot fail
 * the whole push. A line over `maxLineBytes` UTF-8 bytes is cut to it (see `cutLine`). An event
 * the formatter throws on is sent, in its own level's stream, as the placeholder HttpSink and
 * SeqSink send (see `unformattableLine`); one whose placeholder it throws on too is left out and
 * added to `clock.omitted`, and a body that leaves every event out is `''` (nothing is sent).
 */
export function lokiPushBody(
  events: readonly LogEvent[],
  labels: Readonly<Record<string, string>>,
  formatter: Formatter,
  clock: LokiEntryClock = lokiEntryClock(),
  maxLineBytes = Infinity,
): string {
  const streams = new Map<string, [string, string][]>();
  for (const event of events) {
    // An event the formatter throws on: its placeholder (Serilog's Seq sink's), in the event's
    // stream; none when it throws on that too, and the sink counts the event failed.
    const line = lineOrPlaceholder(formatter, event, 'LokiSink');
    if (line === undefined) {
      clock.omitted.add(event);
      continue;
    }
    // Written this time (a retry's body): sent, so no longer left out.
    clock.omitted.delete(event);
    const level = levelLabel(event.level);
    let values = streams.get(level);
    if (values === undefined) {
      values = [];
      streams.set(level, values);
    }
    values.push([entryNanos(event, clock), cutLine(line, maxLineBytes, event, clock)]);
  }
  // Every event left out: no request (see HttpSink's `leftOut`).
  if (streams.size === 0) return '';
  // Stably, and in one pass over a stream in order already (the usual case).
  for (const values of streams.values()) values.sort(byTime);
  // Loki's JSON reader refuses a lone surrogate's escape, and with it the whole push.
  return withoutLoneSurrogates(
    JSON.stringify({ streams: Array.from(streams, ([level, values]) => ({ stream: { ...labels, level }, values })) }),
  );
}
