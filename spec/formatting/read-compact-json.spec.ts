import fc from 'fast-check';
import { ClefParseError } from '../../lib/core/errors/clef-parse-error';
import { LOG_LEVELS } from '../../lib/core/log-level';
import { CompactJsonFormatter } from '../../lib/formatting/compact-json-formatter';
import { readCompactJson } from '../../lib/formatting/read-compact-json';
import { LogEventRecord } from '../../lib/templates/log-event-record';
import { parseTemplate } from '../../lib/templates/parse-template';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { MemorySink } from '../../lib/sinks/memory-sink';
import { anyValue, TEMPLATE_CHARACTERS } from '../helpers/arbitraries';
import { hostile } from '../helpers/hostile-values';

describe('readCompactJson', () => {
  it('reads the timestamp, template, level and properties', () => {
    const event = readCompactJson('{"@t":"2026-11-22T12:00:00.000Z","@mt":"Hi {Name}","@l":"Warning","Name":"Ann","N":[1,2]}');
    expect(event.timestamp).toEqual(new Date(Date.UTC(2026, 10, 22, 12)));
    expect(event.level).toBe('warning');
    expect(event.messageTemplate.text).toBe('Hi {Name}');
    expect(event.properties).toEqual({ Name: 'Ann', N: [1, 2] });
    expect(event.renderMessage()).toBe('Hi Ann');
    expect(event).toBeInstanceOf(LogEventRecord);
  });

  it('reads a missing @l as information and accepts level aliases in any case', () => {
    expect(readCompactJson('{"@t":"2026-11-22T12:00:00.000Z","@mt":"x"}').level).toBe('information');
    expect(readCompactJson('{"@t":"2026-11-22T12:00:00.000Z","@mt":"x","@l":"warn"}').level).toBe('warning');
    expect(readCompactJson('{"@t":"2026-11-22T12:00:00.000Z","@mt":"x","@l":"FATAL"}').level).toBe('fatal');
  });

  it('uses @m as literal text when there is no @mt', () => {
    const event = readCompactJson('{"@t":"2026-11-22T12:00:00.000Z","@m":"Hi {not a hole} {Name}","Name":"x"}');
    expect(event.renderMessage()).toBe('Hi {not a hole} {Name}');
  });

  it('reads @x into an Error whose stack is the text', () => {
    const stack = 'TypeError: bad thing\n    at f (file.js:1:1)';
    const event = readCompactJson(JSON.stringify({ '@t': '2026-11-22T12:00:00.000Z', '@mt': 'x', '@x': stack }));
    expect(event.exception).toBeInstanceOf(Error);
    expect(event.exception?.stack).toBe(stack);
    expect(event.exception?.message).toBe('bad thing');
    expect(event.exception?.name).toBe('TypeError');
  });

  // Serilog's own reader vector (LogEventReaderTests.clef, line 4): .NET writes Exception.ToString(), a
  // namespaced type and CRLF line ends; the first line is the message without its CR.
  it('reads the type and message of a .NET or Java exception text (dotted names, CRLF)', () => {
    const dotnet = readCompactJson(SERILOG_READER_VECTORS[3]).exception;
    expect(dotnet?.name).toBe('System.DivideByZeroException');
    expect(dotnet?.message).toBe('Attempted to divide by zero.');
    expect(dotnet?.stack).toBe(
      'System.DivideByZeroException: Attempted to divide by zero.\r\n   at Example.Program.Main(String[] args)',
    );
    const java = 'java.lang.IllegalStateException: closed\r\n\tat X.y(X.java:1)';
    const event = readCompactJson(JSON.stringify({ '@t': '2026-11-22T12:00:00.000Z', '@mt': 'x', '@x': java }));
    expect([event.exception?.name, event.exception?.message]).toEqual(['java.lang.IllegalStateException', 'closed']);
    const odd = readCompactJson(JSON.stringify({ '@t': '2026-11-22T12:00:00.000Z', '@mt': 'x', '@x': 'something odd\r\nmore' }));
    expect([odd.exception?.name, odd.exception?.message]).toEqual(['Error', 'something odd']);
  });

  it('reads the type of an exception whose message holds U+2028 or U+2029, which are no line breaks in a stack', () => {
    const stack = 'TypeError: bad\u2028thing\u2029here\n    at f (file.js:1:1)';
    const event = readCompactJson(JSON.stringify({ '@t': '2026-11-22T12:00:00.000Z', '@mt': 'x', '@x': stack }));
    expect([event.exception?.name, event.exception?.message]).toEqual(['TypeError', 'bad\u2028thing\u2029here']);
  });

  it('uses the first line as the message of a non-standard exception text', () => {
    const event = readCompactJson(JSON.stringify({ '@t': '2026-11-22T12:00:00.000Z', '@mt': 'x', '@x': 'something odd\nmore' }));
    expect(event.exception?.message).toBe('something odd');
  });

  it('does not keep @i, @r and @m as properties, and turns @@name into @name', () => {
    const event = readCompactJson(
      '{"@t":"2026-11-22T12:00:00.000Z","@mt":"{A:0}","@m":"1","@i":"12345678","@r":["1"],"A":1,"@@t":"mine","@ra":"abc"}',
    );
    expect(event.properties).toEqual({ A: 1, '@t': 'mine', '@ra': 'abc' });
  });

  it('pairs an @r of the wrong length with the formatted holes in order, as Serilog’s reader does', () => {
    // clef-json.org asks for exactly one rendering per formatted hole; Serilog's reader zips them.
    const few = readCompactJson('{"@t":"2026-11-22T12:00:00.000Z","@mt":"{A:x} {B:0.0} {C}","@r":["ra"],"A":1,"B":2,"C":3}');
    expect(few.renderMessage()).toBe('ra 2.0 3');
    const many = readCompactJson('{"@t":"2026-11-22T12:00:00.000Z","@mt":"{A:x} {B}","@r":["ra","rb","rc"],"A":1,"B":2}');
    expect(many.renderMessage()).toBe('ra 2');
  });

  it('keeps the property order', () => {
    expect(Object.keys(readCompactJson('{"@t":"2026-11-22T12:00:00.000Z","@mt":"x","b":1,"a":2,"c":3}').properties)).toEqual([
      'b',
      'a',
      'c',
    ]);
  });

  it('keeps a __proto__ property as an own property', () => {
    const properties = readCompactJson('{"@t":"2026-11-22T12:00:00.000Z","@mt":"x","__proto__":{"polluted":true}}').properties;
    expect(Object.getPrototypeOf(properties)).toBe(Object.prototype);
    expect(Object.keys(properties)).toEqual(['__proto__']);
  });

  it.each([
    ['not json', 'not json'],
    ['an array', '[1,2]'],
    ['null', 'null'],
    ['a string', '"x"'],
    ['no @t', '{"@mt":"x"}'],
    ['an unknown level', '{"@t":"2026-11-22T12:00:00.000Z","@l":"Loud"}'],
    // A decision: other writers' names are the rxlog command's to read (readLevelAsWritten), as in Serilog's reader.
    [".NET's Critical", '{"@t":"2026-11-22T12:00:00.000Z","@l":"Critical"}'],
    ["syslog's crit", '{"@t":"2026-11-22T12:00:00.000Z","@l":"crit"}'],
  ])('throws a ClefParseError on %s', (_, line) => {
    expect(() => readCompactJson(line)).toThrow(ClefParseError);
  });

  // The test vectors of Serilog.Formatting.Compact.Reader (LogEventReaderTests.clef), without the file's byte order mark.
  const SERILOG_READER_VECTORS = [
    '{"@t":"2016-10-12T04:20:58.0554314Z","@mt":"Hello, {@User}","User":{"Name":"nblumhardt","Id":101}}',
    '{"@t":"2016-10-12T04:20:58.0684369Z","@mt":"Number {N:x8}","@r":["0000002a"],"N":42}',
    '{"@t":"2016-10-12T04:20:58.0724384Z","@mt":"Tags are {Tags}","@l":"WaRNiNg","Tags":["test","orange"]}',
    '{"@t":"2016-10-12T04:20:58.0904378Z","@mt":"Something failed","@l":"ERROR","@x":"System.DivideByZeroException: Attempted to divide by zero.\\r\\n   at Example.Program.Main(String[] args)"}',
    '{"@t":"2016-10-12T04:20:59.0554314Z","@m":"Hello, nblumhardt","@i":"123abc00","N":42}',
    '{"@t":"2019-09-10T04:56:50.608125300+00:00","@l":null,"Method":"POST","@mt":"HTTP {Method} {RequestPath} responded {StatusCode} in {Elapsed:0.000} ms","RequestPath":"/api/customers","SourceContext":"DemoMiddleware","@r":["799.724"],"Elapsed":799.72430000000008,"@i":2568106828,"@m":"HTTP POST /api/customers responded 400 in 799.724 ms","RequestId":"8786927172fc4abe","StatusCode":400}',
  ];

  it('reads every event of Serilog’s reader test vectors, "@l": null as Information', () => {
    const events = SERILOG_READER_VECTORS.map((line) => readCompactJson(line));
    expect(events.map((e) => e.level)).toEqual(['information', 'information', 'warning', 'error', 'information', 'information']);
    expect(events[0].timestamp.toISOString()).toBe('2016-10-12T04:20:58.055Z');
    expect(events[5].timestamp.toISOString()).toBe('2019-09-10T04:56:50.608Z');
    expect(events[5].renderMessage()).toBe('HTTP POST /api/customers responded 400 in 799.724 ms');
  });

  // Serilog.Formatting.Compact.Reader's LogEventReaderTests, case by case.
  describe('conformance with Serilog’s LogEventReaderTests', () => {
    it('reads the basic fields (BasicFieldsAreRead)', () => {
      const event = readCompactJson(
        '{"@t":"2016-10-12T04:20:58.0554314Z","@mt":"Hello, {@User}","User":{"Name":"nblumhardt","Id":101}}',
      );
      expect(event.timestamp.toISOString()).toBe('2016-10-12T04:20:58.055Z');
      expect(event.level).toBe('information');
      expect(event.messageTemplate.text).toBe('Hello, {@User}');
      expect(event.properties).toEqual({ User: { Name: 'nblumhardt', Id: 101 } });
      expect(Object.keys(event.properties.User as object)).toEqual(['Name', 'Id']);
    });

    it('escapes @m into the template (MessagesAreEscapedIntoTemplates)', () => {
      const event = readCompactJson('{"@t":"2016-10-12T04:20:58.0554314Z","@m":"Hello, {text}"}');
      expect(event.messageTemplate.text).toBe('Hello, {{text}}');
      expect(event.renderMessage()).toBe('Hello, {text}');
    });

    it('passes unrecognised @ names through as properties, never @m (PassesThroughUnrecognizedReifiedProperties)', () => {
      const event = readCompactJson('{"@t":"2016-10-12T04:20:58.0554314Z","@m":"Hello","@foo":42}');
      expect(event.properties).toEqual({ '@foo': 42 });
    });

    it("writes an unrecognised @ name back escaped, as Serilog's writer does, and reads that back the same", () => {
      const formatter = new CompactJsonFormatter();
      const line = formatter.format(readCompactJson('{"@t":"2016-10-12T04:20:58.055Z","@mt":"Hello","@foo":42}'));
      expect(line).toContain('"@@foo":42');
      expect(line).not.toMatch(/"@foo"/);
      expect(readCompactJson(line).properties).toEqual({ '@foo': 42 });
      expect(formatter.format(readCompactJson(line))).toBe(line);
    });

    it('accepts a missing message as an empty template (MissingMessagesAreAcceptedAsEmpty)', () => {
      expect(readCompactJson('{"@t":"2016-10-12T04:20:58.0554314Z"}').messageTemplate.tokens).toEqual([]);
    });

    it('accepts an integer @i (EventIdIntegersAreAccepted)', () => {
      expect(() => readCompactJson('{"@t":"2016-10-12T04:20:58.0554314Z","@i":42,"@m":"Hello"}')).not.toThrow();
    });

    it('reads @tr and @sp (ReadsTraceAndSpanIds)', () => {
      const event = readCompactJson(
        '{"@t":"2016-10-12T04:20:58.0554314Z","@tr":"1befc31e94b01d1a473f63a7905f6c9b","@sp":"bb1111820570b80e"}',
      );
      expect(event.properties).toEqual({ TraceId: '1befc31e94b01d1a473f63a7905f6c9b', SpanId: 'bb1111820570b80e' });
    });

    // messagetemplates.org: a format's semantics are application-dependent, so the formatted value is captured alongside
    // the raw property for rendering elsewhere; Serilog's reader renders a scalar property with its `@r` rendering
    // (RenderableScalarValue), as Seq does.
    it('renders formatted holes of scalar properties with the line’s @r renderings, as Serilog’s reader does', () => {
      const event = readCompactJson(
        '{"@t":"2016-10-12T04:20:58Z","@mt":"Paid {Amount,8:C} on {When:d} for {@Order:x} of {N:x8} {Missing:0}","@r":["  ¤12.50","06/15/2009","ignored","0000002a","{Missing:0}"],"Amount":12.5,"When":"2009-06-15T00:00:00","Order":{"Id":7},"N":42}',
      );
      expect(event.renderMessage()).toBe('Paid   ¤12.50 on 06/15/2009 for {"Id":7} of 0000002a {Missing:0}');
      expect(
        readCompactJson('{"@t":"2016-10-12T04:20:58Z","@mt":"{A:C} {B:C}","@r":["¤1.00"],"A":1,"B":2}').renderMessage(),
      ).toBe('¤1.00 ¤2.00');
      expect(readCompactJson(SERILOG_READER_VECTORS[1]).renderMessage()).toBe('Number 0000002a');
    });

    // InvalidDataThrowsInvalidDataException and EmptyDocumentThrowsInvalidDataException; '{"@t":"2016-02-12","@l":"Trace"}'
    // is left out: rxlog reads its alias `trace` in any case (docs/conformance.md).
    it.each([
      [''],
      ['[]'],
      ['{}'],
      ['#$%'],
      ['{"@t":0}'],
      ['{"@t":"2016-02-30"}'],
      ['{"@t":"2016-02-12"'],
      ['{"@t":"2016-02-12","@r":"[]"}'],
      ['{"@t":"2016-02-12","@m":0}'],
      ['{"@t":"2016-02-12","@mt":[]}'],
      ['{"@t":"2016-02-12","@x":[""]}'],
      ['{"@t":"2016-02-12","@tr":{}}'],
      ['{"@t":"2016-02-12","@sp":true}'],
      ['{"@t":"2016-02-12","@i":true}'],
    ])('rejects %j', (line) => {
      expect(() => readCompactJson(line)).toThrow(ClefParseError);
    });

    // The reader reads every optional field through TryGetOptionalField / TryGetOptionalEventId, which take a JSON
    // null as a missing field; only @t (required) and @r (must be an array) reject it.
    it('reads a null @mt, @m, @x, @i, @tr or @sp as a missing field, as Serilog’s reader does', () => {
      const event = readCompactJson(
        '{"@t":"2016-02-12T00:00:00Z","@mt":null,"@m":null,"@l":null,"@x":null,"@i":null,"@tr":null,"@sp":null,"A":null}',
      );
      expect(event.messageTemplate.tokens).toEqual([]);
      expect(event.level).toBe('information');
      expect(event.exception).toBeUndefined();
      expect(event.properties).toEqual({ A: null });
      expect(readCompactJson('{"@t":"2016-02-12","@mt":null,"@m":"Hi {x}"}').messageTemplate.text).toBe('Hi {{x}}');
      expect(() => readCompactJson('{"@t":null}')).toThrow(ClefParseError);
      expect(() => readCompactJson('{"@t":"2016-02-12","@r":null}')).toThrow(ClefParseError);
    });
  });

  it('accepts ISO 8601 instants with any fraction and offset, and a bare date as UTC midnight', () => {
    const at = (t: string): string => readCompactJson(JSON.stringify({ '@t': t })).timestamp.toISOString();
    expect(at('2016-02-12')).toBe('2016-02-12T00:00:00.000Z');
    expect(at('2016-02-29T23:59:59.9999999+02:00')).toBe('2016-02-29T21:59:59.999Z');
    expect(at('2026-11-22T12:00:00-05:30')).toBe('2026-11-22T17:30:00.000Z');
    expect(at('0001-01-01T00:00:00.000Z')).toBe('0001-01-01T00:00:00.000Z');
    expect(at('9999-12-31T23:59:59.999Z')).toBe('9999-12-31T23:59:59.999Z');
    // As Python's str(datetime) writes it, and Serilog's reader (DateTimeOffset.TryParse) reads it.
    expect(at('2016-10-12 04:20:58.055123+02')).toBe('2016-10-12T02:20:58.055Z');
    // .NET's DateTimeOffset refuses an offset past ±14:00; rxlog reads the instant it names (docs/conformance.md).
    expect(at('2026-01-01T00:00:00+15:00')).toBe('2025-12-31T09:00:00.000Z');
  });

  // The writer stamps a time outside the years 0001–9999 with the time of formatting (Seq and Serilog's reader, .NET's
  // DateTimeOffset, cannot hold it), so reading one would make format(read(line)) a line with another time: the
  // rxlog command's --json printed such an event stamped with the current time. Serilog's reader rejects it too.
  it.each([
    '+275760-09-13T00:00:00.000Z',
    '+010000-01-01T00:00:00.000Z',
    '0000-12-31T23:59:59.999Z',
    '-000001-01-01T00:00:00.000Z',
    '0001-01-01T00:30:00+01:00',
    '9999-12-31T23:00:00-01:00',
  ])('rejects the instant %j, outside the years 0001–9999 in UTC', (t) => {
    expect(() => readCompactJson(JSON.stringify({ '@t': t, '@mt': 'x' }))).toThrow(ClefParseError);
  });

  it.each([
    ['{"@t":0}'],
    ['{"@t":""}'],
    ['{"@t":"yesterday"}'],
    ['{"@t":"2016-02-30"}'],
    ['{"@t":"2015-02-29T00:00:00Z"}'],
    ['{"@t":"2016-02-12T24:00:00Z"}'],
    ['{"@t":"2016-02-12T10:61:00Z"}'],
    ['{"@t":"2016-02-12","@r":"[]"}'],
    ['{"@t":"2016-02-12","@r":[1]}'],
    ['{"@t":"2016-02-12","@m":0}'],
    ['{"@t":"2016-02-12","@mt":[]}'],
    ['{"@t":"2016-02-12","@x":[""]}'],
    ['{"@t":"2016-02-12","@tr":{}}'],
    ['{"@t":"2016-02-12","@sp":true}'],
    ['{"@t":"2016-02-12","@tr":"not-a-trace-id"}'],
    ['{"@t":"2016-02-12","@i":true}'],
    ['{"@t":"2016-02-12","@l":3}'],
  ])('rejects a line whose CLEF fields have the wrong type or value: %s', (line) => {
    expect(() => readCompactJson(line)).toThrow(ClefParseError);
  });

  it('reads @tr and @sp into the TraceId and SpanId properties, and writes them back as @tr and @sp', () => {
    const line =
      '{"@t":"2016-10-12T04:20:58.055Z","@mt":"x","@tr":"1befc31e94b01d1a473f63a7905f6c9b","@sp":"bb1111820570b80e","N":1}';
    const event = readCompactJson(line);
    expect({ ...event.properties }).toEqual({ TraceId: '1befc31e94b01d1a473f63a7905f6c9b', SpanId: 'bb1111820570b80e', N: 1 });
    const again = new CompactJsonFormatter().format(event);
    expect(again).not.toContain('@@tr');
    expect(JSON.parse(again)).toMatchObject({ '@tr': '1befc31e94b01d1a473f63a7905f6c9b', '@sp': 'bb1111820570b80e', N: 1 });
    expect(readCompactJson('{"@t":"2016-10-12T04:20:58.055Z","@mt":"x","@@tr":"custom"}').properties).toEqual({
      '@tr': 'custom',
    });
  });

  // W3C Trace Context: an all-zero trace-id or parent-id is invalid; OpenTelemetry reads it as no span context.
  // Serilog 3.1+ writes the Activity's ids as @tr and @sp beside an app's own TraceId property (often
  // ASP.NET Core's HttpContext.TraceIdentifier); Seq and Serilog's reader give the event @tr's trace.
  it('reads @tr and @sp as the trace context when the line also has a TraceId or SpanId field, and writes them back', () => {
    const tr = '1befc31e94b01d1a473f63a7905f6c9b';
    const sp = 'bb1111820570b80e';
    const line = `{"@t":"2016-10-12T04:20:58.055Z","@mt":"x","@tr":"${tr}","@sp":"${sp}","TraceId":"0HMV1C2D3E4F5:00000001","SpanId":"fedcba9876543210","N":1}`;
    const event = readCompactJson(line);
    expect({ ...event.properties }).toEqual({ TraceId: tr, SpanId: sp, N: 1 });
    expect(new CompactJsonFormatter().format(event)).toBe(
      `{"@t":"2016-10-12T04:20:58.055Z","@mt":"x","@i":"9303a5e5","@tr":"${tr}","@sp":"${sp}","N":1}`,
    );
    // Fields first, ids after: the same event.
    const after = `{"@t":"2016-10-12T04:20:58.055Z","TraceId":"fedcba9876543210fedcba9876543210","SpanId":"s","@tr":"${tr}","@sp":"${sp}"}`;
    expect({ ...readCompactJson(after).properties }).toEqual({ TraceId: tr, SpanId: sp });
    // Without an id (none, null or all zeros), the line's own field is the property, as before.
    const own = '{"@t":"2016-10-12T04:20:58.055Z","@tr":null,"@sp":"0000000000000000","TraceId":"t-1","SpanId":"s-1"}';
    expect({ ...readCompactJson(own).properties }).toEqual({ TraceId: 't-1', SpanId: 's-1' });
  });

  it('reads an all-zero @tr or @sp as no id, and writes an all-zero TraceId or SpanId as an ordinary property', () => {
    const zeros =
      '{"@t":"2016-10-12T04:20:58.055Z","@mt":"x","@tr":"00000000000000000000000000000000","@sp":"0000000000000000","N":1}';
    const event = readCompactJson(zeros);
    expect({ ...event.properties }).toEqual({ N: 1 });
    expect(new CompactJsonFormatter().format(event)).toBe('{"@t":"2016-10-12T04:20:58.055Z","@mt":"x","@i":"9303a5e5","N":1}');
    // Each id on its own: a valid span id beside an all-zero trace id is still read.
    expect({
      ...readCompactJson('{"@t":"2016-10-12T04:20:58.055Z","@tr":"00000000000000000000000000000000","@sp":"bb1111820570b80e"}')
        .properties,
    }).toEqual({ SpanId: 'bb1111820570b80e' });
    const written = new CompactJsonFormatter().format(
      new LogEventRecord(new Date(0), 'information', parseTemplate('x'), {
        TraceId: '00000000000000000000000000000000',
        SpanId: '0000000000000000',
      }),
    );
    expect(written).toBe(
      '{"@t":"1970-01-01T00:00:00.000Z","@mt":"x","@i":"9303a5e5","TraceId":"00000000000000000000000000000000","SpanId":"0000000000000000"}',
    );
    expect(new CompactJsonFormatter().format(readCompactJson(written))).toBe(written);
  });

  it('names the reason and the line in the error', () => {
    expect(() => readCompactJson('[1]')).toThrow('Not a CLEF event (not a JSON object): [1]');
    expect(() => readCompactJson('{"@mt":"x"}')).toThrow('Not a CLEF event (no "@t" timestamp): {"@mt":"x"}');
    expect(() => readCompactJson('{"@t":null}')).toThrow('Not a CLEF event (no "@t" timestamp)');
    // Present but of the wrong type: the line has a @t, so saying it has none would send the reader looking for it.
    expect(() => readCompactJson('{"@t":1700000000000}')).toThrow(
      'Not a CLEF event ("@t" is not a string): {"@t":1700000000000}',
    );
  });

  it('names an @l holding a long integer (a bigint once read) as not a level, rather than failing to quote it', () => {
    expect(() => readCompactJson('{"@t":"2026-12-04T00:00:00Z","@l":12345678901234567890}')).toThrow(
      'Not a CLEF event (unknown level 12345678901234567890): {"@t"',
    );
    expect(() => readCompactJson('{"@t":"2026-12-04T00:00:00Z","@l":[12345678901234567890]}')).toThrow(
      'Not a CLEF event (unknown level [12345678901234567890])',
    );
  });

  const name = fc.string({ minLength: 1, maxLength: 8 });
  const jsonSafe = fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.parse(JSON.stringify(value)) as unknown);
  const events = fc.record({
    // The years CLEF can write (0001-9999, .NET's range); others are written as the time of formatting.
    time: fc.date({ noInvalidDate: true, min: new Date(-62_135_596_800_000), max: new Date(253_402_300_799_999) }),
    level: fc.constantFrom(...LOG_LEVELS),
    template: fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('{A} {B:0.00} {@C,-5}', '{0} {1:X}', 'Hi {Name,8:000}')),
    properties: fc.dictionary(name, jsonSafe, { maxKeys: 6 }),
    stack: fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
  });

  function build(e: {
    time: Date;
    level: (typeof LOG_LEVELS)[number];
    template: string;
    properties: Record<string, unknown>;
    stack: string | undefined;
  }): LogEventRecord {
    let exception: Error | undefined;
    if (e.stack !== undefined) {
      exception = new Error('e');
      exception.stack = e.stack;
    }
    return new LogEventRecord(e.time, e.level, parseTemplate(e.template), e.properties, exception);
  }

  for (const renderMessage of [false, true]) {
    it(`gives back the same line when formatted again (renderMessage: ${renderMessage})`, () => {
      const formatter = new CompactJsonFormatter({ renderMessage });
      fc.assert(
        fc.property(events, (e) => {
          const line = formatter.format(build(e));
          expect(formatter.format(readCompactJson(line))).toBe(line);
        }),
        { numRuns: 300 },
      );
    });
  }

  it('gives back the same line for hostile property names, trace context, and templates with formatted holes', () => {
    const keyChars = fc.constantFrom('@', 'a', 'B', '_', '.', 'é', '😀', '{', '}', ' ', '"', '\\', '\n', '0', 'T');
    const key = fc.oneof(
      fc.string({ unit: keyChars, maxLength: 6 }),
      fc.constantFrom('@t', '@@x', '@', '@@', '__proto__', 'constructor', 'TraceId', 'SpanId', '@mt', '@i', '@r', ''),
      fc.string({ unit: 'grapheme', maxLength: 5 }),
    );
    const hex = (length: number): fc.Arbitrary<string> =>
      fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: length, maxLength: length });
    const templateChars = fc.constantFrom(...TEMPLATE_CHARACTERS, 'A', '#', 'X');
    const template = fc.oneof(
      fc.string({ unit: templateChars, maxLength: 30 }),
      fc.constantFrom('{A:P1} {B:R} {C,-8:yyyy} {@D:x}', '{A,5:0.00} {A:X}', '{0:000} {1}'),
    );
    fc.assert(
      fc.property(
        template,
        fc.array(fc.tuple(key, jsonSafe), { maxLength: 6 }),
        fc.option(hex(32), { nil: undefined }),
        fc.option(hex(16), { nil: undefined }),
        fc.boolean(),
        (text, entries, traceId, spanId, renderMessage) => {
          const properties: Record<string, unknown> = {};
          if (traceId !== undefined) properties.TraceId = traceId;
          for (const [k, v] of entries)
            Object.defineProperty(properties, k, { value: v, enumerable: true, writable: true, configurable: true });
          if (spanId !== undefined) properties.SpanId = spanId;
          const formatter = new CompactJsonFormatter({ renderMessage });
          const line = formatter.format(new LogEventRecord(new Date(0), 'information', parseTemplate(text), properties));
          expect(formatter.format(readCompactJson(line))).toBe(line);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('round-trips JSON-safe events without loss', () => {
    const formatter = new CompactJsonFormatter();
    fc.assert(
      fc.property(events, (e) => {
        const original = build(e);
        const read = readCompactJson(formatter.format(original));
        expect(read.timestamp).toEqual(original.timestamp);
        expect(read.level).toBe(original.level);
        expect(read.messageTemplate.text).toBe(original.messageTemplate.text);
        expect(read.properties).toEqual(original.properties);
        expect(Object.keys(read.properties)).toEqual(Object.keys(original.properties));
        expect(read.exception?.stack).toBe(original.exception?.stack);
        expect(read.renderMessage()).toBe(original.renderMessage());
      }),
      { numRuns: 300 },
    );
  });
});

describe('readCompactJson after a logger captured hostile values', () => {
  // Any event rxlog writes reads back to the same line, whatever its values were (bigint, Date,
  // NaN, -0, Map, lone surrogates, null prototypes, sparse arrays); but undefined: CLEF leaves such
  // a property out, so its hole reads back as the hole's text (see docs/conformance.md).
  const formats = fc.constantFrom('', ':0.00', ':000', ':X', ':yyyy-MM-dd', ':HH', ':u', ':N2', ':R', ':o');
  const hole = fc.tuple(
    fc.constantFrom('', '@', '$'),
    fc.constantFrom('A', 'B', 'C', '0'),
    fc.constantFrom('', ',5', ',-3'),
    formats,
  );

  for (const renderMessage of [false, true]) {
    it(`gives back the same line (renderMessage: ${renderMessage})`, () => {
      const memory = new MemorySink();
      const log = new LoggerConfiguration().writeTo.sink(memory).createLogger();
      const formatter = new CompactJsonFormatter({ renderMessage });
      fc.assert(
        fc.property(
          fc.array(hole, { maxLength: 4 }),
          fc.array(
            anyValue().filter((v) => v !== undefined),
            { maxLength: 4 },
          ),
          (holes, args) => {
            memory.clear();
            log.information(
              holes.map(([capture, name, align, format]) => `x {${capture}${name}${align}${format}}`).join(''),
              ...args,
            );
            const line = formatter.format(memory.events[0]);
            expect(formatter.format(readCompactJson(line))).toBe(line);
          },
        ),
        { numRuns: 1000 },
      );
    });
  }

  it.each<[string, unknown]>([
    ['a bigint past 2^53', 12345678901234567890n],
    ['a negative bigint past -2^53', -9007199254740993n],
    ['a bigint past 2^64', 2n ** 70n],
  ])('keeps the digits of %s', (_, value) => {
    const memory = new MemorySink();
    new LoggerConfiguration().writeTo
      .sink(memory)
      .createLogger()
      .information('Order {Id} {@Ids}', value, { Ids: [value] });
    const line = new CompactJsonFormatter().format(memory.events[0]);
    const read = readCompactJson(line);
    expect(read.properties.Id).toBe(value);
    expect(read.properties.Ids).toEqual({ Ids: [value] });
    expect(read.renderMessage()).toBe(`Order ${String(value)} {"Ids":[${String(value)}]}`);
  });

  it('reads a bigint of 4300 digits back, and one rxlog wrote past them as the string of its digits', () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().writeTo.sink(memory).createLogger();
    log.information('Big {N}', 10n ** 4299n);
    log.information('Big {N} {N:X}', -(10n ** 4300n));
    const [fits, past] = memory.events.map((event) => new CompactJsonFormatter({ renderMessage: true }).format(event));
    expect(readCompactJson(fits).properties.N).toBe(10n ** 4299n);
    expect(new CompactJsonFormatter({ renderMessage: true }).format(readCompactJson(fits))).toBe(fits);
    // The writer writes it as a string (past what parseJsonExact reads exactly), so the line reads back, @r and all.
    const read = readCompactJson(past);
    expect(read.properties.N).toBe(`-1${'0'.repeat(4300)}`);
    expect(read.renderMessage()).toBe(memory.events[1].renderMessage());
    expect(new CompactJsonFormatter({ renderMessage: true }).format(read)).toBe(past);
  });

  it('keeps the digits of a long integer next to a string holding U+FDD0, the noncharacter parseJsonExact marks integers with', () => {
    // Such a string (a user name an attacker chose) made the whole line read with JSON.parse's rounding.
    const memory = new MemorySink();
    new LoggerConfiguration().writeTo
      .sink(memory)
      .createLogger()
      .information('{User} placed {OrderId}', '\ufdd0ann', 12345678901234567890n);
    const line = new CompactJsonFormatter().format(memory.events[0]);
    const read = readCompactJson(line);
    expect(read.properties).toEqual({ User: '\ufdd0ann', OrderId: 12345678901234567890n });
    expect(read.renderMessage()).toBe('\ufdd0ann placed 12345678901234567890');
    expect(new CompactJsonFormatter().format(read)).toBe(line);
  });

  it('rejects a line holding an integer literal of more than 4300 digits as not a CLEF event', () => {
    const past = `{"@t":"2026-11-22T12:00:00.000Z","@mt":"Big {N}","N":1${'0'.repeat(4300)}}`;
    expect(() => readCompactJson(past)).toThrow(ClefParseError);
    expect(() => readCompactJson(past)).toThrow('Not a CLEF event (an integer of 4301 digits, past the 4300 read exactly)');
  });

  it('keeps a Date hole’s rendering in @r', () => {
    const memory = new MemorySink();
    new LoggerConfiguration().writeTo
      .sink(memory)
      .createLogger()
      .information('Due {When:yyyy-MM-dd}', new Date(Date.UTC(2026, 0, 2)));
    const formatter = new CompactJsonFormatter({ renderMessage: true });
    const line = formatter.format(memory.events[0]);
    expect(line).toContain('"@m":"Due 2026-01-02","@i":"');
    expect(line).toContain('"@r":["2026-01-02"]');
    expect(formatter.format(readCompactJson(line))).toBe(line);
  });
});

describe('readCompactJson of events built by hand, whose values were never captured', () => {
  // An app's own operator may build a LogEvent with any values (LogEvent is an interface): CLEF writes each as
  // writeJson does, and the line reads back to the same line, whatever the values were (undefined aside).
  class Money {
    toJSON(): string {
      return '12 EUR';
    }
  }

  // fast-check's counterexample: @m quoted the marker ("\"[Throws: hostile]\"") that the property holds as a string.
  it('gives back the same line for a value whose JSON is a string: a hostile Proxy’s marker, a URL, a toJSON', () => {
    const formatter = new CompactJsonFormatter({ renderMessage: true });
    const hostileProxy = new Proxy(
      { a: 1 },
      {
        get(): never {
          throw new Error('hostile');
        },
      },
    );
    const event = new LogEventRecord(0, 'information', parseTemplate('{0} {A} {B} {B:000}'), {
      0: hostileProxy,
      A: new URL('http://x/y'),
      B: new Money(),
    });
    const line = formatter.format(event);
    expect(line).toContain('"@m":"[Throws: hostile] http://x/y 12 EUR 12 EUR"');
    expect(line).toContain('"@r":["12 EUR"]');
    expect(formatter.format(readCompactJson(line))).toBe(line);
  });

  const hole = fc
    .tuple(
      fc.constantFrom('', '@', '$'),
      fc.constantFrom('A', 'B', '0', '@A'),
      fc.constantFrom('', ',5', ',-3'),
      fc.constantFrom('', ':000', ':X', ':l', ':yyyy'),
    )
    .map(([capture, name, align, format]) => `{${capture}${name}${align}${format}}`);
  const template = fc
    .array(fc.oneof(fc.constantFrom(' ', 'x', '{{', '}}', '{', '\ud800'), hole), { maxLength: 5 })
    .map((parts) => parts.join(''));
  const value = fc.oneof(
    hostile,
    fc.constantFrom(new URL('http://x/y'), new Money(), new String('s')).map((v) => () => v),
  );

  for (const renderMessage of [false, true]) {
    it(`gives back the same line for any values (renderMessage: ${renderMessage})`, () => {
      const formatter = new CompactJsonFormatter({ renderMessage });
      fc.assert(
        fc.property(template, fc.dictionary(fc.constantFrom('A', 'B', '0', '@A', 'C'), value, { maxKeys: 4 }), (text, makers) => {
          const properties: Record<string, unknown> = {};
          for (const [key, make] of Object.entries(makers)) {
            const made = make();
            if (made !== undefined) properties[key] = made;
          }
          const line = formatter.format(new LogEventRecord(1e12, 'error', parseTemplate(text), properties));
          expect(formatter.format(readCompactJson(line))).toBe(line);
        }),
        { numRuns: 300 },
      );
    });
  }
});
