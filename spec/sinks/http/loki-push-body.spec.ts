import fc from 'fast-check';
import { CompactJsonFormatter } from '../../../lib/formatting/compact-json-formatter';
import { TextFormatter } from '../../../lib/formatting/text-formatter';
import type { LogEvent } from '../../../lib/core/log-event';
import { lokiEntryClock, lokiPushBody } from '../../../lib/sinks/http/loki-push-body';
import { makeEvent } from '../../helpers/events';
import { SelfLog } from '../../../lib/core/self-log';
import { LogEventRecord } from '../../../lib/templates/log-event-record';
import { parseTemplate } from '../../../lib/templates/parse-template';

describe('lokiPushBody', () => {
  const at = new Date(1_700_000_000_123);

  // A clock's random offset at 0: the timestamps below are the events' milliseconds, plus their counts.
  beforeEach(() => jest.spyOn(Math, 'random').mockReturnValue(0));
  afterEach(() => jest.restoreAllMocks());

  it("adds its clock's random offset below half a millisecond, so two sinks' identical entries of one millisecond differ, and the latest time still fits int64", () => {
    const event = makeEvent({ text: 'a', timestamp: at });
    const nanos = (random: number, events: LogEvent[]): string[] => {
      jest.spyOn(Math, 'random').mockReturnValue(random);
      const body = lokiPushBody(events, {}, new TextFormatter('{Message}'), lokiEntryClock());
      return (JSON.parse(body) as { streams: { values: [string, string][] }[] }).streams[0].values.map(([ns]) => ns);
    };
    expect(nanos(0.25, [event])).toEqual(['1700000000123125000']);
    expect(nanos(0.5, [event, makeEvent({ text: 'a', timestamp: at })])).toEqual(['1700000000123250000', '1700000000123250001']);
    expect(nanos(0.999_999_9, [makeEvent({ timestamp: new Date(-1) })])).toEqual(['-500001']);
    // 2262-04-11T23:47:16.854Z: int64's largest is 9223372036854775807.
    const last = nanos(0.999_999_9, [makeEvent({ timestamp: new Date(9_223_372_036_854) })])[0];
    expect(BigInt(last) <= 9_223_372_036_854_775_807n).toBe(true);
    expect(last).toBe('9223372036854499999');
  });

  it('groups lines into one stream per level, labelled, in event order', () => {
    const events = [
      makeEvent({ text: 'a', timestamp: at }),
      makeEvent({ text: 'b', level: 'error', timestamp: at }),
      makeEvent({ text: 'c', timestamp: new Date(1_700_000_000_124) }),
    ];
    const body = lokiPushBody(events, { app: 'shop' }, new TextFormatter('{Message}{NewLine}'));
    expect(JSON.parse(body)).toEqual({
      streams: [
        {
          stream: { app: 'shop', level: 'info' },
          values: [
            ['1700000000123000000', 'a'],
            ['1700000000124000000', 'c'],
          ],
        },
        // One nanosecond after 'a', of the same millisecond (see below).
        { stream: { app: 'shop', level: 'error' }, values: [['1700000000123000001', 'b']] },
      ],
    });
  });

  // Loki drops an entry whose timestamp and line equal another's in the stream (grafana/loki
  // pkg/ingester/stream.go, its guard against pushes sent twice); rxlog's times are milliseconds.
  it('gives entries of one millisecond distinct nanoseconds, across batches, and the same ones when a batch is sent again', () => {
    const clock = lokiEntryClock();
    const formatter = new CompactJsonFormatter();
    const same = () => makeEvent({ text: 'Cache miss', timestamp: at });
    const first = [same(), same(), same()];
    const second = [same(), makeEvent({ text: 'later', timestamp: new Date(at.getTime() + 1) }), same()];
    const entries = (events: LogEvent[]) =>
      (JSON.parse(lokiPushBody(events, {}, formatter, clock)) as { streams: { values: [string, string][] }[] }).streams[0].values;
    expect(entries(first).map(([nanos]) => nanos)).toEqual(['1700000000123000000', '1700000000123000001', '1700000000123000002']);
    // Back to 123 after 124 (a clock stepped back, events from an operator that delays some):
    // Loki's unordered head block (pkg/chunkenc/unordered.go, Append) drops a line equal to one
    // it holds at the same nanosecond, wherever it sits in the stream, so 123 goes on from 4 (and
    // the push is in time order: see spec/sinks/http/loki-entry-order.spec.ts).
    expect(entries(second).map(([nanos]) => nanos)).toEqual([
      '1700000000123000003',
      '1700000000123000004',
      '1700000000124000000',
    ]);
    // A retry (or the halves of a 413) rebuilds the body from the same events: same timestamps.
    expect(entries(first).map(([nanos]) => nanos)).toEqual(['1700000000123000000', '1700000000123000001', '1700000000123000002']);
    // What Loki would store: every (timestamp, line) pair of a stream is distinct.
    const pairs = [...entries(first), ...entries(second)].map((pair) => pair.join(' '));
    expect(new Set(pairs).size).toBe(6);
  });

  it('gives identical events distinct timestamps for any order of their milliseconds within the last 1 024 distinct ones', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 1_023 }), { minLength: 1, maxLength: 300 }),
        fc.integer({ min: 1, max: 50 }),
        (offsets, batchSize) => {
          const clock = lokiEntryClock();
          const formatter = new TextFormatter('{Message}');
          const events = offsets.map((offset) => makeEvent({ text: 'same', timestamp: new Date(at.getTime() + offset) }));
          const nanos: string[] = [];
          for (let i = 0; i < events.length; i += batchSize) {
            const batch = events.slice(i, i + batchSize);
            const body = JSON.parse(lokiPushBody(batch, {}, formatter, clock)) as {
              streams: { values: [string, string][] }[];
            };
            const values = body.streams[0].values.map(([n]) => n);
            // Each entry stays within its event's millisecond, and a push is in time order.
            const ms = batch.map((event) => event.timestamp.getTime()).sort((a, b) => a - b);
            expect(values.map((n) => Number(BigInt(n) / 1_000_000n))).toEqual(ms);
            nanos.push(...values);
          }
          expect(new Set(nanos).size).toBe(events.length);
        },
      ),
    );
  });

  it('labels the levels with the names Grafana knows and writes CLEF lines with the CLEF formatter', () => {
    const levels = (['verbose', 'debug', 'information', 'warning', 'error', 'fatal'] as const).map((level) =>
      makeEvent({ level }),
    );
    const clef = new CompactJsonFormatter();
    const parsed = JSON.parse(lokiPushBody(levels, {}, clef)) as { streams: { stream: { level: string }; values: string[][] }[] };
    expect(parsed.streams.map((s) => s.stream.level)).toEqual(['trace', 'debug', 'info', 'warning', 'error', 'fatal']);
    expect(parsed.streams[0].values[0][1]).toBe(clef.format(levels[0]));
  });

  it('stamps an entry whose time Loki cannot parse as int64 nanoseconds (invalid, before 1677-09-21, after 2262-04-11) with the time of sending', () => {
    // Loki reads each entry's timestamp with strconv.ParseInt(s, 10, 64): a larger number fails the whole push.
    const formatter = new TextFormatter('{Message}');
    const last = new Date(Date.UTC(2262, 3, 11, 23, 47, 16, 854));
    const before = BigInt(Date.now()) * 1_000_000n;
    const events = [
      makeEvent({ text: 'last', timestamp: last }),
      makeEvent({ text: 'later', timestamp: new Date(last.getTime() + 1) }),
      makeEvent({ text: 'far', timestamp: new Date(8.64e15) }),
      makeEvent({ text: 'early', timestamp: new Date(Date.UTC(1677, 8, 21)) }),
      makeEvent({ text: 'invalid', timestamp: new Date(Number.NaN) }),
    ];
    const body = JSON.parse(lokiPushBody(events, {}, formatter)) as { streams: { values: [string, string][] }[] };
    // In time order: the latest time int64 nanoseconds hold comes after the time of sending.
    const values = body.streams[0].values;
    expect(values[4]).toEqual(['9223372036854000000', 'last']);
    const after = BigInt(Date.now()) * 1_000_000n;
    for (const [nanos] of values.slice(0, 4)) {
      expect(BigInt(nanos)).toBeGreaterThanOrEqual(before);
      // Entries of one millisecond are a nanosecond apart: four such entries, at most 3 ns past it.
      expect(BigInt(nanos)).toBeLessThanOrEqual(after + 3n);
    }
  });

  it('sends an empty line as it is, a nanosecond apart from another in its millisecond, and a time before 1970 as negative nanoseconds', () => {
    // Loki stores an empty line: neither its distributor (grafana/loki 65e30f84,
    // pkg/distributor/validator.go, ValidateEntry: age, future, max_line_size, structured metadata)
    // nor its ingester (pkg/ingester/stream.go, validateEntries) checks for one, and its JSON reader
    // takes "" (pkg/loghttp/entry.go, jsonparser.ParseString). So it counts delivered, as rxlog's other
    // sinks count an empty line; Promtail's docker driver and Logstash plugin skip them on their side.
    const formatter = new TextFormatter('{Message}{NewLine}');
    const events = [
      makeEvent({ text: '', timestamp: at }),
      makeEvent({ text: '', timestamp: at }),
      makeEvent({ text: 'x', timestamp: new Date(-1) }),
      makeEvent({ text: 'y', timestamp: new Date(-1) }),
    ];
    expect(JSON.parse(lokiPushBody(events, {}, formatter))).toEqual({
      streams: [
        {
          stream: { level: 'info' },
          values: [
            // Loki's strconv.ParseInt takes a sign; the second is 1 ns after the first, as after 1970.
            // In time order, before the later ones logged first.
            ['-1000000', 'x'],
            ['-999999', 'y'],
            ['1700000000123000000', ''],
            ['1700000000123000001', ''],
          ],
        },
      ],
    });
  });

  it('stamps events of a LogEventRecord time with a fraction of a millisecond at their millisecond, a nanosecond apart', () => {
    // A time from performance.timeOrigin + performance.now() (LogEventRecord takes a number). Before,
    // each distinct fraction was the first of its own millisecond, all stamped …123000000 (Loki kept
    // one of the identical lines), and a fraction met twice failed the whole body (BigInt(123.75) throws).
    const time = 1_700_000_000_123.25;
    const events = [0, 0.5, 0.5, 0.7].map(
      (fraction) => new LogEventRecord(time + fraction, 'information', parseTemplate('same'), {}),
    );
    const body = JSON.parse(lokiPushBody(events, {}, new TextFormatter('{Message}'))) as {
      streams: { values: [string, string][] }[];
    };
    expect(body.streams[0].values.map(([nanos]) => nanos)).toEqual([
      '1700000000123000000',
      '1700000000123000001',
      '1700000000123000002',
      '1700000000123000003',
    ]);
  });

  it('cuts a line over maxLineBytes UTF-8 bytes to it, at the start of a character, and says so', () => {
    const said: string[] = [];
    SelfLog.enable((message) => said.push(message));
    try {
      const lines = ['a'.repeat(20), 'é'.repeat(10), '😀😀😀😀😀', 'short', 'x\uD800y'.repeat(4)];
      const body = lokiPushBody(
        lines.map((text) => makeEvent({ text })),
        {},
        new TextFormatter('{Message}'),
        lokiEntryClock(),
        15,
      );
      const values = (JSON.parse(body) as { streams: { values: [string, string][] }[] }).streams[0].values;
      // 'é' is 2 bytes, '😀' 4, a lone surrogate 3 (U+FFFD, as Loki stores it).
      expect(values.map(([, line]) => line)).toEqual(['a'.repeat(15), 'é'.repeat(7), '😀😀😀', 'short', 'x\uFFFDy'.repeat(3)]);
      expect(said).toHaveLength(4);
      expect(said[1]).toContain('a line of 20 bytes is cut to maxLineBytes (15)');
    } finally {
      SelfLog.disable();
    }
  });

  // Found by a review: each build of a batch's body said so again, so one long line read as several
  // in SelfLog: once per retry, per half of a 413, per probe of a beacon's size (4 builds here).
  it('says a line was cut once, however often its batch is built again with the same clock', () => {
    const said: string[] = [];
    SelfLog.enable((message) => said.push(message));
    try {
      const clock = lokiEntryClock();
      const events = [makeEvent({ text: 'a'.repeat(20) }), makeEvent({ text: 'short' })];
      const bodies = [events, events, events.slice(0, 1), events].map((batch) =>
        lokiPushBody(batch, {}, new TextFormatter('{Message}'), clock, 15),
      );
      expect(bodies[1]).toBe(bodies[0]);
      expect(bodies[2]).toContain(`"${'a'.repeat(15)}"`);
      expect(said).toHaveLength(1);
      expect(said[0]).toContain('a line of 20 bytes is cut to maxLineBytes (15)');
      // Another sink (another clock) says so for its own body.
      lokiPushBody(events, {}, new TextFormatter('{Message}'), lokiEntryClock(), 15);
      expect(said).toHaveLength(2);
    } finally {
      SelfLog.disable();
    }
  });

  it('writes every entry time as a decimal string that fits int64, for any Date', () => {
    fc.assert(
      fc.property(fc.date(), (timestamp) => {
        const body = JSON.parse(lokiPushBody([makeEvent({ timestamp })], {}, new TextFormatter('{Message}'))) as {
          streams: { values: [string, string][] }[];
        };
        const nanos = body.streams[0].values[0][0];
        expect(nanos).toMatch(/^-?\d+$/);
        expect(BigInt(nanos)).toBeLessThanOrEqual(2n ** 63n - 1n);
        expect(BigInt(nanos)).toBeGreaterThanOrEqual(-(2n ** 63n));
      }),
    );
  });

  it('writes a line with a lone UTF-16 surrogate with U+FFFD in its place, so Loki can read the push', () => {
    // JSON.stringify writes a lone surrogate as an escape (\\ud800); Loki reads each line with
    // grafana/jsonparser (pkg/loghttp/entry.go, Entry.UnmarshalJSON), whose decodeUnicodeEscape
    // (escape.go) refuses a high surrogate not followed by a low one, and a low one alone: the
    // whole push is answered 400 and every event of the batch counts failed.
    const loneSurrogateEscape = /\\ud[89ab][0-9a-f]{2}(?!\\ud[c-f])|(?<!\\ud[89ab][0-9a-f]{2})\\ud[c-f][0-9a-f]{2}/i;
    const text = fc.string({
      unit: fc.oneof(
        fc.constantFrom('\uD800', '\uDBFF', '\uDC00', '\uDFFF', '😀', 'a', '\\u'),
        fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)),
      ),
    });
    fc.assert(
      fc.property(text, (line) => {
        const body = lokiPushBody([makeEvent({ text: line })], {}, new TextFormatter('{Message}'));
        // Every \u escape of a surrogate in the body (escaped backslashes aside) is a high one directly followed by a low one.
        expect(loneSurrogateEscape.test(body.replace(/\\\\/g, ''))).toBe(false);
        const values = (JSON.parse(body) as { streams: { values: [string, string][] }[] }).streams[0].values;
        // (A trailing newline is left out, as for any line.)
        expect(values[0][1]).toBe(line.replace(/\n$/, '').replace(/\p{Cs}/gu, '\uFFFD'));
      }),
    );
  });

  // Found by a review: a level outside the six (an event a .pipe() map or a hand-built batch gave
  // one, from a property, say) was labelled as it was, so every distinct value made a stream of its
  // own (Loki's max_global_streams_per_user, and one push per stream), and one past 2 048 bytes
  // (max_label_value_length) failed every push with 400.
  it('labels every level outside the six "unknown" (Grafana\'s name), one stream for all of them', () => {
    const levels = [
      'constructor',
      '__proto__',
      'toString',
      'loud',
      'x'.repeat(3_000),
      ...Array.from({ length: 1_000 }, (_, i) => `l${i}`),
    ];
    const body = JSON.parse(
      lokiPushBody(
        [
          ...levels.map((level) => makeEvent({ level: level as never })),
          makeEvent({ level: 7 as never }),
          makeEvent({ level: 'error' }),
        ],
        { app: 'shop' },
        new TextFormatter('{Message}'),
      ),
    ) as { streams: { stream: Record<string, unknown>; values: unknown[] }[] };
    expect(body.streams.map((s) => s.stream)).toEqual([
      { app: 'shop', level: 'unknown' },
      { app: 'shop', level: 'error' },
    ]);
    expect(body.streams[0].values).toHaveLength(levels.length + 1);
  });
});
