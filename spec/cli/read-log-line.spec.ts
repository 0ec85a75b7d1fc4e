import fc from 'fast-check';
import { type LogLineResult, readLogLine } from '../../lib/cli/read-log-line';
import type { LogEvent } from '../../lib/core/log-event';
import { LOG_LEVELS } from '../../lib/core/log-level';
import { CompactJsonFormatter } from '../../lib/formatting/compact-json-formatter';
import { NdjsonFormatter } from '../../lib/formatting/ndjson-formatter';
import { createLogEvent } from '../../lib/templates/log-event-record';

function eventOf(result: LogLineResult): LogEvent {
  if (result.kind !== 'event') throw new Error(`expected an event, got ${JSON.stringify(result)}`);
  return result.event;
}

function reasonOf(result: LogLineResult): string {
  if (result.kind !== 'invalid') throw new Error('expected an invalid line');
  return result.reason;
}

const clef = new CompactJsonFormatter();
const ndjson = new NdjsonFormatter();
const at = new Date(Date.UTC(2026, 10, 22, 12, 0, 0));

describe('readLogLine', () => {
  it('reads a CLEF line', () => {
    const event = eventOf(readLogLine('{"@t":"2026-11-22T12:00:00.000Z","@mt":"Hi {Name}","@l":"Warning","Name":"Ann"}'));
    expect(event.timestamp).toEqual(at);
    expect(event.level).toBe('warning');
    expect(event.renderMessage()).toBe('Hi Ann');
    expect(event.properties).toEqual({ Name: 'Ann' });
  });

  it('reads a CLEF line whose @t is not the first field', () => {
    const event = eventOf(readLogLine('{"@mt":"Hi {Name}","Name":"Ann","@t":"2026-11-22T12:00:00.000Z"}'));
    expect(event.renderMessage()).toBe('Hi Ann');
  });

  it('reads an NDJSON line as NdjsonFormatter writes it', () => {
    const line =
      '{"timestamp":"2026-11-22T12:00:00.000Z","level":"error","message":"Payment p-1 failed","template":"Payment {PaymentId} failed","exception":"TypeError: bad\\n    at f (a.js:1:1)","PaymentId":"p-1"}';
    const event = eventOf(readLogLine(line));
    expect(event.timestamp).toEqual(at);
    expect(event.level).toBe('error');
    expect(event.messageTemplate.text).toBe('Payment {PaymentId} failed');
    expect(event.renderMessage()).toBe('Payment p-1 failed');
    expect(event.properties).toEqual({ PaymentId: 'p-1' });
    expect(event.exception?.name).toBe('TypeError');
    expect(event.exception?.stack).toBe('TypeError: bad\n    at f (a.js:1:1)');
  });

  it('takes the message of an NDJSON line without a template as literal text', () => {
    const event = eventOf(
      readLogLine('{"timestamp":"2026-11-22T12:00:00.000Z","level":"information","message":"Hi {Name} }{","Name":"Ann"}'),
    );
    expect(event.renderMessage()).toBe('Hi {Name} }{');
  });

  it('reads an NDJSON line without a level as information, and level aliases in any case', () => {
    expect(eventOf(readLogLine('{"timestamp":"2026-11-22T12:00:00.000Z","message":"x"}')).level).toBe('information');
    expect(eventOf(readLogLine('{"timestamp":"2026-11-22T12:00:00.000Z","level":"WARN","message":"x"}')).level).toBe('warning');
  });

  // Serilog's reader takes `"@l": null` as Information, as readCompactJson does: wherever "@t" is in the line.
  it('reads a null level as information, whatever the order of the fields, CLEF and NDJSON alike', () => {
    expect(eventOf(readLogLine('{"@t":"2026-11-22T12:00:00.000Z","@mt":"x","@l":null}')).level).toBe('information');
    expect(eventOf(readLogLine('{"@mt":"x","@l":null,"@t":"2026-11-22T12:00:00.000Z"}')).level).toBe('information');
    expect(eventOf(readLogLine('{"timestamp":"2026-11-22T12:00:00.000Z","level":null,"message":"x"}')).level).toBe('information');
  });

  it('reads NDJSON properties renamed with "_" back under their own names, and "@" names as they are', () => {
    const event = eventOf(
      readLogLine(
        '{"timestamp":"2026-11-22T12:00:00.000Z","message":"x","_level":"custom","@id":7,"_other":1,"__proto__":{"a":1}}',
      ),
    );
    expect(Object.keys(event.properties)).toEqual(['level', '@id', '_other', '__proto__']);
    expect(event.properties.level).toBe('custom');
    expect(event.properties['@id']).toBe(7);
    expect(Object.getPrototypeOf(event.properties)).toBe(Object.prototype);
  });

  it('reads an NDJSON line with a property named "@t" as NDJSON, and a CLEF line with a "timestamp" property as CLEF', () => {
    const nd = eventOf(
      readLogLine('{"timestamp":"2026-11-22T12:00:00.000Z","level":"warning","template":"Hi {Name}","Name":"Ann","@t":"mine"}'),
    );
    expect(nd.level).toBe('warning');
    expect(nd.properties).toEqual({ Name: 'Ann', '@t': 'mine' });
    const written = ndjson.format(createLogEvent('error', 'Hi {Name}', ['Ann'], { timestamp: at }));
    const withAt = written.replace(/}$/, ',"@t":"2026-01-01T00:00:00Z"}');
    expect(clef.format(eventOf(readLogLine(withAt)))).toBe(
      '{"@t":"2026-11-22T12:00:00.000Z","@mt":"Hi {Name}","@l":"Error","@i":"9fac8463","Name":"Ann","@@t":"2026-01-01T00:00:00Z"}',
    );
    const c = eventOf(readLogLine('{"@t":"2026-11-22T12:00:00.000Z","@mt":"x","timestamp":"yesterday"}'));
    expect(c.properties).toEqual({ timestamp: 'yesterday' });
  });

  it('reads back NDJSON properties whose names collide with fields, each under its own name', () => {
    const written = new NdjsonFormatter().format(
      createLogEvent('information', 'x', [], { timestamp: new Date(Date.UTC(2026, 10, 22)) }),
    );
    const line = written.replace(/}$/, ',"_level":"a","__level":"b","___message":"c"}');
    const event = eventOf(readLogLine(line));
    expect({ ...event.properties }).toEqual({ level: 'a', _level: 'b', __message: 'c' });
  });

  it('skips a leading byte order mark', () => {
    expect(eventOf(readLogLine('\ufeff{"@t":"2026-11-22T12:00:00.000Z","@mt":"x"}')).renderMessage()).toBe('x');
  });

  it.each([
    ['', 'blank line'],
    ['   ', 'blank line'],
    ['Error: boom', 'not a JSON object'],
    ['    at f (a.js:1:1)', 'not a JSON object'],
    ['[1,2]', 'not a JSON object'],
    ['{"@t":', 'invalid JSON'],
    ['{"msg":"pino","time":1}', 'neither a CLEF "@t" nor an NDJSON "timestamp" field'],
    ['{"@t":12,"@mt":"x"}', '"@t" is not a string'],
    ['{"timestamp":12,"message":"x"}', '"timestamp" is not a string'],
    ['{"@t":"2026-11-22T12:00:00.000Z","@l":"Loud"}', 'unknown level "Loud" in "@l"'],
    ['{"timestamp":"2026-11-22T12:00:00.000Z","level":30}', 'unknown level 30 in "level"'],
    // A long integer is read as a bigint, which JSON.stringify threw on: the whole file stopped there.
    ['{"@t":"2020-01-01T00:00:00Z","@l":12345678901234567890}', 'unknown level 12345678901234567890 in "@l"'],
    ['{"timestamp":"2020-01-01T00:00:00Z","level":12345678901234567890}', 'unknown level 12345678901234567890 in "level"'],
    ['{"@t":"yesterday","@mt":"x"}', 'the timestamp is not a date'],
    ['{"timestamp":"soon","message":"x"}', 'the timestamp is not a date'],
  ])('gives the reason a line is not an event: %j', (line, reason) => {
    expect(reasonOf(readLogLine(line))).toContain(reason);
  });

  it.each([
    ['{"@t":"2026-11-22T12:00:00.000Z","@mt":5}', '"@mt" is not a string'],
    ['{"@mt":"x","@t":"0000-01-01T00:00:00Z"}', '"@t" is not an ISO 8601 instant in the years 0001–9999: "0000-01-01T00:00:00Z"'],
    ['{"@t":"2026-11-22T12:00:00.000Z","@r":[1]}', '"@r" is not an array of strings'],
    ['{"@t":"2026-11-22T12:00:00.000Z","@tr":"zz"}', '"@tr" is not a hex id'],
    ['{"@t":"2026-11-22T12:00:00.000Z","@i":true}', '"@i" is neither a string nor a number'],
  ])("gives the reason alone, not again inside the reader's message quoting the line: %j", (line, reason) => {
    expect(readLogLine(line)).toEqual({ kind: 'invalid', reason });
  });

  // A date and time past the range a JavaScript Date holds is a date all the same: it was "the timestamp is not a date",
  // where the reader says of +275760-09-13T00:00:00Z, the last instant a Date holds, that it is outside the years.
  it.each([
    [
      '{"@t":"+300000-01-01T00:00:00Z","@mt":"x"}',
      '"@t" is not an ISO 8601 instant in the years 0001–9999: "+300000-01-01T00:00:00Z"',
    ],
    [
      '{"@t":"+275760-09-13T00:00:00-01:00"}',
      '"@t" is not an ISO 8601 instant in the years 0001–9999: "+275760-09-13T00:00:00-01:00"',
    ],
    [
      '{"@t":"-271821-04-19T23:59:59.999Z"}',
      '"@t" is not an ISO 8601 instant in the years 0001–9999: "-271821-04-19T23:59:59.999Z"',
    ],
    ['{"@t":"+300000-02-29T00:00:00Z"}', '"@t" is not an ISO 8601 instant in the years 0001–9999: "+300000-02-29T00:00:00Z"'],
    [
      '{"timestamp":"-300000-01-01","message":"x"}',
      '"timestamp" is not an ISO 8601 instant in the years 0001–9999: "-300000-01-01"',
    ],
    // Not a date in any year: a February 29th of a year that is no leap year (300100), a 13th month, a 25th hour.
    ['{"@t":"+300100-02-29T00:00:00Z"}', 'the timestamp is not a date'],
    ['{"@t":"+300000-13-01T00:00:00Z"}', 'the timestamp is not a date'],
    ['{"timestamp":"-300000-01-01T25:00"}', 'the timestamp is not a date'],
    ['{"@t":"-000000-01-01T00:00:00Z"}', 'the timestamp is not a date'],
  ])(
    'says a date past the range a Date holds is outside the years 0001–9999, and a text that is none no date: %j',
    (line, reason) => {
      expect(readLogLine(line)).toEqual({ kind: 'invalid', reason });
    },
  );

  it.each([
    ['{"timestamp":"2026-11-22T12:00:00.000Z","exception":3}', '"exception" is not a string'],
    [
      '{"timestamp":"0000-01-01T00:00:00Z"}',
      '"timestamp" is not an ISO 8601 instant in the years 0001–9999: "0000-01-01T00:00:00Z"',
    ],
  ])('names the fields of an NDJSON line as the line does, not as CLEF: %j', (line, reason) => {
    expect(readLogLine(line)).toEqual({ kind: 'invalid', reason });
  });

  it('reads back what CompactJsonFormatter and NdjsonFormatter write, as the same CLEF', () => {
    const value = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.string(), { maxLength: 3 }),
      fc.dictionary(fc.string(), fc.integer(), { maxKeys: 3 }),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...LOG_LEVELS),
        fc.string(),
        fc.array(value, { maxLength: 4 }),
        fc.option(fc.string({ minLength: 1 }), { nil: undefined }),
        (level, text, args, stack) => {
          const exception = stack === undefined ? undefined : Object.assign(new Error('x'), { stack });
          const event = createLogEvent(level, `${text} {A} {B} {C} {D}`, args, { timestamp: at, exception });
          const expected = clef.format(event);
          expect(clef.format(eventOf(readLogLine(expected)))).toBe(expected);
          expect(clef.format(eventOf(readLogLine(ndjson.format(event))))).toBe(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reads a line nested 128 levels deep, not 129, CLEF and NDJSON alike, brackets in strings not counted', () => {
    // X's value, for a line nested `levels` deep in all, its own object counted.
    const nested = (levels: number): string => `${'['.repeat(levels - 2)}{"s":1}${']'.repeat(levels - 2)}`;
    // Brackets in strings, after an escaped quote and before an escaped backslash, do not count.
    const note = '"Note":"[{\\"[{\\\\"';
    for (const fields of [
      '"@t":"2026-11-22T12:00:00.000Z","@mt":"deep"',
      '"timestamp":"2026-11-22T12:00:00.000Z","message":"deep"',
    ]) {
      expect(readLogLine(`{${fields},${note},"X":${nested(128)}}`).kind).toBe('event');
      expect(readLogLine(`{${fields},${note},"X":${nested(129)}}`)).toEqual({
        kind: 'invalid',
        reason: 'nested deeper than 128 levels',
      });
    }
  });

  it('finds out a line of a million opening brackets as nested too deep, without parsing it', () => {
    const reason = { kind: 'invalid', reason: 'nested deeper than 128 levels' };
    expect(readLogLine(`{"@t":"2026-11-22T12:00:00.000Z","@mt":"deep","X":${'['.repeat(1_000_000)}`)).toEqual(reason);
    expect(readLogLine('['.repeat(1_000_000))).toEqual(reason);
  });

  // Each brace of a template costs a parsed token or a piece of text, some 120 bytes: a 16 MiB line of "{A}" took
  // 950 MB and 18 s, one of "{" in "@m" 2 GB (a crash under a 1 GB heap), where a 16 MiB line of text takes 180 MB.
  it('reads a template or a message of 131072 braces, not 131073, CLEF and NDJSON alike, escaped braces counted', () => {
    const holes = '{A}'.repeat(65_536);
    for (const [line, field] of [
      [(mt: string) => `{"@t":"2026-11-22T12:00:00.000Z","@mt":"${mt}","A":1}`, '@mt'],
      [(mt: string) => `{"@l":"debug","@mt":"${mt}","A":1,"@t":"2026-11-22T12:00:00.000Z"}`, '@mt'],
      [(m: string) => `{"@t":"2026-11-22T12:00:00.000Z","@m":"${m}"}`, '@m'],
      [(mt: string) => `{"timestamp":"2026-11-22T12:00:00.000Z","template":"${mt}","A":1}`, 'template'],
      [(m: string) => `{"timestamp":"2026-11-22T12:00:00.000Z","message":"${m}"}`, 'message'],
    ] as const) {
      expect(eventOf(readLogLine(line(holes))).messageTemplate.tokens.length).toBeGreaterThan(0);
      const reason = { kind: 'invalid', reason: `"${field}" holds more than 131072 braces` };
      expect(readLogLine(line(`${holes}}`))).toEqual(reason);
      expect(readLogLine(line(`${holes}\\u007b`))).toEqual(reason);
    }
  });

  it('reads an integer past 2^53 as a bigint with its digits, CLEF and NDJSON alike', () => {
    const clef = readLogLine('{"@t":"2026-11-22T12:00:00.000Z","@mt":"{Id}","Id":12345678901234567890}');
    const ndjson = readLogLine(
      '{"timestamp":"2026-11-22T12:00:00.000Z","template":"{Id}","Id":-9007199254740993,"N":9007199254740992}',
    );
    expect(eventOf(clef).properties).toEqual({ Id: 12345678901234567890n });
    expect(eventOf(ndjson).properties).toEqual({ Id: -9007199254740993n, N: 9007199254740992 });
  });

  it('never throws, whatever the line', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.json().map((json) => `{"@t":"2026-11-22T12:00:00.000Z","x":${json}}`),
        ),
        (line) => {
          expect(['event', 'invalid']).toContain(readLogLine(line).kind);
        },
      ),
      { numRuns: 500 },
    );
  });
});
