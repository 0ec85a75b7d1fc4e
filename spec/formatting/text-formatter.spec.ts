import { DEFAULT_OUTPUT_TEMPLATE, TextFormatter } from '../../lib/formatting/text-formatter';
import { ConfigurationError } from '../../lib/core/errors/configuration-error';
import { LogEventRecord } from '../../lib/templates/log-event-record';
import { parseTemplate } from '../../lib/templates/parse-template';
import type { LogLevelName } from '../../lib/core/log-level';
import { makeEvent } from '../helpers/events';
import { collectSelfLog } from '../helpers/self-log';

const when = new Date(2026, 10, 22, 9, 5, 7, 89);

function event(
  template: string,
  properties: Record<string, unknown> = {},
  level: LogLevelName = 'information',
  exception?: Error,
): LogEventRecord {
  return new LogEventRecord(when, level, parseTemplate(template), properties, exception);
}

describe('TextFormatter', () => {
  it('uses the Serilog console template by default', () => {
    const formatter = new TextFormatter();
    expect(DEFAULT_OUTPUT_TEMPLATE).toBe('[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}');
    expect(formatter.format(event('User {Id} in', { Id: 42 }))).toBe('[09:05:07 INF] User 42 in\n');
  });

  it('appends the exception stack and a newline when there is one', () => {
    const error = new Error('boom');
    expect(new TextFormatter().format(event('Failed', {}, 'error', error))).toBe(`[09:05:07 ERR] Failed\n${error.stack}\n`);
  });

  it('renders the timestamp with its format, and ISO 8601 without one', () => {
    expect(new TextFormatter('{Timestamp:yyyy-MM-dd HH:mm:ss.fff}').format(event('x'))).toBe('2026-11-22 09:05:07.089');
    expect(new TextFormatter('{Timestamp}').format(event('x'))).toBe(when.toISOString());
  });

  it('renders UtcTimestamp in UTC, as Serilog does', () => {
    const at = new Date(Date.UTC(2013, 2, 11, 5, 59, 0, 123));
    const e = new LogEventRecord(at, 'information', parseTemplate('x'), {});
    expect(new TextFormatter('{UtcTimestamp:yyyy-MM-dd hh:mm:ss.fffZ}').format(e)).toBe('2013-03-11 05:59:00.123Z');
    expect(new TextFormatter('[{UtcTimestamp,26}]').format(e)).toBe('[  2013-03-11T05:59:00.123Z]');
  });

  it.each([
    ['{Level}', 'Warning'],
    ['{Level:u3}', 'WRN'],
    ['{Level:w3}', 'wrn'],
    ['{Level:u}', 'WARNING'],
    ['{Level:w}', 'warning'],
  ])('renders %s as %s', (template, expected) => {
    expect(new TextFormatter(template).format(event('x', {}, 'warning'))).toBe(expected);
  });

  it('renders the message the same with or without l and j', () => {
    const e = event('{Name} has {@Cart}', { Name: 'Ann', Cart: { n: 1 } });
    for (const template of ['{Message}', '{Message:l}', '{Message:j}', '{Message:lj}']) {
      expect(new TextFormatter(template).format(e)).toBe('Ann has {"n":1}');
    }
  });

  it('renders the properties that are in neither template as JSON', () => {
    const e = event('{Name} did it', { Name: 'Ann', SourceContext: 'Orders', RequestId: 'r-7' });
    expect(new TextFormatter('{Message} {Properties}').format(e)).toBe('Ann did it {"SourceContext":"Orders","RequestId":"r-7"}');
    expect(new TextFormatter('{SourceContext}: {Message} {Properties:j}').format(e)).toBe(
      'Orders: Ann did it {"RequestId":"r-7"}',
    );
  });

  it('renders {} when there are no other properties', () => {
    expect(new TextFormatter('{Properties}').format(event('{A}', { A: 1 }))).toBe('{}');
  });

  it('renders NewLine as \\n', () => {
    expect(new TextFormatter('a{NewLine}b').format(event('x'))).toBe('a\nb');
  });

  it('renders event properties by name with their format, and nothing for a missing one', () => {
    const e = event('x', { Elapsed: 12.345, SourceContext: 'Orders' });
    expect(new TextFormatter('[{SourceContext}] {Elapsed:0.0} ms {Missing}.').format(e)).toBe('[Orders] 12.3 ms .');
  });

  // A missing property rendered nothing, its alignment's padding too (as Serilog's MessageTemplateTextFormatter), so
  // `{SourceContext,-13}` put every line without one 13 columns off; Serilog's console sink and Serilog.Expressions pad it.
  it('pads a missing property to its alignment, as Serilog’s console sink does, so the columns after it line up', () => {
    const left = new TextFormatter('[{SourceContext,-13}] {Message}');
    expect(left.format(event('x'))).toBe(`[${' '.repeat(13)}] x`);
    expect(left.format(event('x', { SourceContext: 'Orders' }))).toBe('[Orders       ] x');
    const right = new TextFormatter('[{SourceContext,13}] {Message}');
    expect(right.format(event('x'))).toBe(`[${' '.repeat(13)}] x`);
    expect(right.format(event('x', { SourceContext: 'Orders' }))).toBe('[       Orders] x');
    expect(new TextFormatter('[{Missing}] {Message}').format(event('x'))).toBe('[] x');
    // In the message, a missing property is still its token, as Serilog writes it.
    expect(new TextFormatter('{Message}').format(event('at {Where,-8}|'))).toBe('at {Where,-8}|');
  });

  // Serilog's MessageTemplateTextFormatter pads `logEvent.TraceId?.ToString() ?? ""`: an event outside a trace keeps
  // the columns of one inside it. rxlog wrote nothing, so `{TraceId,32}` shifted the rest of the line by 32 columns.
  it('pads {TraceId} and {SpanId} of an event without trace context to their alignment, as Serilog does', () => {
    const formatter = new TextFormatter('[{TraceId,32}|{SpanId,-16}] {Message}');
    expect(formatter.format(event('x'))).toBe(`[${' '.repeat(32)}|${' '.repeat(16)}] x`);
    const traced = event('x', { TraceId: '0af7651916cd43dd8448eb211c80319c', SpanId: 'b7ad6b7169203331' });
    expect(formatter.format(traced)).toBe('[0af7651916cd43dd8448eb211c80319c|b7ad6b7169203331] x');
  });

  it('applies :u and :w to string properties of the output template, as Serilog does', () => {
    const e = event('x', { User: 'Nick', Count: 3 });
    expect(new TextFormatter('{User:u} {User:w} {User} {Count:u}').format(e)).toBe('NICK nick Nick 3');
  });

  it('aligns every kind of hole', () => {
    const e = event('Hi', { Ctx: 'ab' }, 'error');
    expect(new TextFormatter('[{Level,-6}][{Level,5:u3}][{Ctx,4}][{Message,-4}][{NewLine,2}]').format(e)).toBe(
      '[Error ][  ERR][  ab][Hi  ][ \n]',
    );
  });

  it('keeps literal text and escaped braces of the output template', () => {
    expect(new TextFormatter('{{{Level:u3}}} done').format(event('x'))).toBe('{INF} done');
  });

  it('formats any LogEvent, not only records', () => {
    expect(new TextFormatter('{Level:u3} {Message}').format(makeEvent({ text: 'plain' }))).toBe('INF plain');
  });

  it('never throws, even when the event does', () => {
    const broken = {
      ...makeEvent(),
      renderMessage(): string {
        throw new Error('render');
      },
    };
    expect(new TextFormatter().format(broken)).toContain('render');
  });
  it('escapes control characters in rendered property values, never in the template text', () => {
    const forged = 'ok\n[12:00:00 INF] Admin logged in\u001b]0;pwned\u0007\u001b[2J\r\u009b1m\u0000';
    const e = event('Login {User}\tdone', { User: forged, Ctx: 'a\u001bb' }, 'information', new Error('bad\u001b[31m'));
    const text = new TextFormatter('{Message}|{Ctx}|{Properties}{NewLine}{Exception}').format(e);
    expect(
      text.startsWith(
        'Login ok\\n[12:00:00 INF] Admin logged in\\u001b]0;pwned\\u0007\\u001b[2J\\r\\u009b1m\\u0000\tdone|a\\u001bb|',
      ),
    ).toBe(true);
    // eslint-disable-next-line no-control-regex
    expect(text.replace(/\n/g, '').replace('\tdone', '')).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(text.split('\n')[0]).not.toContain('Admin logged in\n');
  });

  // Trojan Source (CVE-2021-42574): a right-to-left override or isolate from data made the rest of
  // the line read backwards where it is shown (a browser console, a terminal or editor with bidi).
  it('escapes bidirectional overrides and isolates from data, in every hole, never in the template text', () => {
    const e = event(
      'User {User} \u2067logged in\u2069',
      { User: 'eve\u202e nimda', Ctx: 'a\u2066b', Rest: '\u202dx' },
      'information',
      new Error('bad\u202eeman', { cause: new Error('c\u2068') }),
    );
    const text = new TextFormatter('{Message}|{Ctx}|{Properties}{NewLine}{Exception}').format(e);
    expect(text.split('\n')[0]).toBe('User eve\\u202e nimda \u2067logged in\u2069|a\\u2066b|{"Rest":"\\u202dx"}');
    expect(text).toContain('Error: bad\\u202eeman\n');
    expect(text).toContain('caused by: Error: c\\u2068\n');
    expect(text.replace('\u2067logged in\u2069', '')).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
  });

  // An exception's text keeps its line breaks, and an error's message often holds data
  // (`new Error(\`no user ${name}\`)`, JSON.parse quoting its input): a line of it started a line of
  // the output, where it passed for an event of the app's own.
  it("indents the lines an exception's message adds, so none passes for a log line of its own", () => {
    const forged = 'no user eve\n[09:05:08 INF] Admin logged in\n\n[09:05:09 INF] Backup done';
    const error = new Error(forged, { cause: new Error(`x\n[09:05:10 FTL] Disk full`) });
    const text = new TextFormatter().format(event('Lookup failed', {}, 'error', error));
    const lines = text.split('\n');
    expect(lines.slice(0, 5)).toEqual([
      '[09:05:07 ERR] Lookup failed',
      'Error: no user eve',
      '  [09:05:08 INF] Admin logged in',
      '',
      '  [09:05:09 INF] Backup done',
    ]);
    expect(lines).toContain('caused by: Error: x');
    expect(lines).toContain('  [09:05:10 FTL] Disk full');
    // Only the event's own line starts with its time; the stack frames are as V8 wrote them.
    expect(lines.filter((line) => line.startsWith('['))).toEqual(['[09:05:07 ERR] Lookup failed']);
    expect(lines.filter((line) => line.startsWith('    at ')).length).toBeGreaterThan(2);
  });

  // Found by review: an event whose level is outside the six (an app operator that copies a level from data) had it
  // written raw by {Level}: an escape sequence or a line break reached the terminal.
  it('escapes control characters in a level outside the six, as in any value from data', () => {
    const odd = { ...makeEvent({ text: 'hi' }), level: '\u001b[2Jwarn\n[INF] forged' as LogLevelName };
    expect(new TextFormatter('{Level} {Level:u} {Level,-3:w}|{Message}').format(odd)).toBe(
      '\\u001b[2Jwarn\\n[INF] forged \\u001b[2JWARN\\n[INF] FORGED \\u001b[2jwarn\\n[inf] forged|hi',
    );
  });

  // An event built in JavaScript (an app operator's, a sink's emit called directly) whose property getter throws was
  // written as '[unformattable event: …]' when the output template named that property or {Properties}: its time,
  // level and message lost for one value, where CompactJsonFormatter writes the event with a '[Throws: …]' marker.
  it('writes a property whose read throws as its [Throws: …] marker, the rest of the event as usual', () => {
    const properties = {
      A: 1,
      get B(): never {
        throw new Error('b boom');
      },
      get D(): never {
        throw new Error('d boom');
      },
    };
    const { diagnostics, stop } = collectSelfLog();
    let text: string;
    try {
      text = new TextFormatter('{Level:u3} {Message} | {B} | {Properties}').format(event('A={A}', properties));
    } finally {
      stop();
    }
    expect(text).toBe('INF A=1 | [Throws: b boom] | {"D":"[Throws: d boom]"}');
    expect(diagnostics.length).toBeGreaterThan(0);
  });

  it('writes an event it cannot format as one marked line, its error escaped: no terminal escape, no forged line', () => {
    const hostile = {
      ...makeEvent({ text: 'Hi' }),
      get level(): LogLevelName {
        throw new Error('boom\u001b[2J\r\n[12:00:00 INF] forged');
      },
    };
    const { diagnostics, stop } = collectSelfLog();
    let text: string;
    try {
      text = new TextFormatter('{Level} {Message}').format(hostile);
    } finally {
      stop();
    }
    expect(text).toBe('[unformattable event: Error: boom\\u001b[2J\\r]\n');
    expect(diagnostics.length).toBe(1);
  });

  it('writes properties that cannot be listed as one marker, escaped, and the rest of the line as usual', () => {
    const hostile = new Proxy(
      {},
      {
        ownKeys: () => {
          throw new Error('boom\u001b[2J\r\n[12:00:00 INF] forged');
        },
      },
    );
    expect(new TextFormatter('{Message} {Properties}').format(event('Hi', hostile))).toBe(
      'Hi {"rxlog.unreadable":"[Throws: boom\\u001b[2J\\r\\n[12:00:00 INF] forged]"}',
    );
  });
});

// Serilog's MessageTemplateTextFormatterTests and Serilog.Sinks.Console's OutputTemplateRendererTests, with the invariant
// culture. Deliberate differences (docs/conformance.md): string values render bare, as with Serilog's `:l`, so a plain
// {Message} writes Hello, World! where Serilog writes Hello, "World"!; structures and {Properties} are JSON
// ({"Foo":42} where Serilog writes { Foo: 42 } and the console sink {Foo=42}); {Timestamp} and {UtcTimestamp} without a
// format are ISO 8601 in UTC.
describe('TextFormatter conformance with Serilog’s output template tests', () => {
  const at = new Date(2024, 8, 3, 14, 15, 16, 79);
  const on = (template: string, properties: Record<string, unknown> = {}, level: LogLevelName = 'information'): LogEventRecord =>
    new LogEventRecord(at, level, parseTemplate(template), properties);
  const format = (outputTemplate: string, e: LogEventRecord): string => new TextFormatter(outputTemplate).format(e);

  it.each<[string, LogEventRecord, string]>([
    ['{Message}', on('{Message}', { Message: 'Hello, world!' }), 'Hello, world!'],
    ['{Name:u}', on('{Name}', { Name: 'Nick' }), 'NICK'],
    ['{Name:w}', on('{Name}', { Name: 'Nick' }), 'nick'],
    [`{Timestamp:${'-'.repeat(16)}}`, on('{Name}', { Name: 'Nick' }), '-'.repeat(16)],
    [`{Timestamp:${'-'.repeat(100)}}`, on('{Name}', { Name: 'Nick' }), '-'.repeat(100)],
    ['{Level:u3}', on('Hello'), 'INF'],
    ['{Level:w3}', on('Hello'), 'inf'],
    ['{Level:w6}', on('Hello'), 'inform'],
    ['{Level}', on('Hello'), 'Information'],
    ['{Level,5:w3}', on('Hello'), '  inf'],
    ['{Properties}', on('Hello from {Bar}!', { Foo: 42, Bar: 'bar' }), '{"Foo":42}'],
    ['{Properties}', on('Hello from {0}!', { Foo: 42, 0: 'bar' }), '{"Foo":42}'],
    ['{Foo} {Properties}', on('Hello from bar!', { Foo: 42, Bar: 42 }), '42 {"Bar":42}'],
    ['{Message}', on('Hello, {Name}!', { Name: 'World' }), 'Hello, World!'],
    ['{Message:j}', on('Hello, {Name}!', { Name: 'World' }), 'Hello, World!'],
    ['{Message:l}', on('Hello, {Name}!', { Name: 'World' }), 'Hello, World!'],
    ['{Message:lj}', on('Hello, {Name}!', { Name: 'World' }), 'Hello, World!'],
    ['{Message:jl}', on('Hello, {Name}!', { Name: 'World' }), 'Hello, World!'],
    ['{Message:j}', on('{@Obj}', { Obj: { Name: 'World' } }), '{"Name":"World"}'],
    ['{Message:lj}', on('{@Obj}', { Obj: { Name: 'World' } }), '{"Name":"World"}'],
    ['{Properties:j}', on('Hello', { Name: 'World' }), '{"Name":"World"}'],
    ['{Properties:jl}', on('Hello', { Name: 'World' }), '{"Name":"World"}'],
    ['{Properties}', on('Hello'), '{}'],
    ['{ThreadId}', on('x', { ThreadId: 15 }), '15'],
    ['{ThreadId,5}', on('x', { ThreadId: 15 }), '   15'],
    ['{ThreadId,-5}', on('x', { ThreadId: 15 }), '15   '],
    ['{TraceId}/{SpanId}', on('Hello, world'), '/'],
    [
      '{TraceId}/{SpanId}',
      on('x', { TraceId: '1befc31e94b01d1a473f63a7905f6c9b', SpanId: 'bb1111820570b80e' }),
      '1befc31e94b01d1a473f63a7905f6c9b/bb1111820570b80e',
    ],
    ['{Timestamp:yyyy-MM-dd HH:mm:ss}', on('x'), '2024-09-03 14:15:16'],
  ])('renders %s as Serilog does: %#', (outputTemplate, e, expected) => {
    expect(format(outputTemplate, e)).toBe(expected);
  });

  it('renders {UtcTimestamp} in UTC and {Timestamp:o} with the local offset (TimestampTokenRendersLocalTime)', () => {
    const utc = new LogEventRecord(new Date(Date.UTC(2024, 8, 3, 12, 15, 16, 79)), 'debug', parseTemplate(''), {});
    expect(format('{UtcTimestamp:o}', utc)).toBe('2024-09-03T12:15:16.0790000Z');
    expect(format('{UtcTimestamp:yyyy-MM-dd HH:mm:ss}', utc)).toBe('2024-09-03 12:15:16');
    const offset = -at.getTimezoneOffset();
    const zone = `${offset < 0 ? '-' : '+'}${String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0')}:${String(Math.abs(offset) % 60).padStart(2, '0')}`;
    expect(format('{Timestamp:o}', on('x'))).toBe(`2024-09-03T14:15:16.0790000${zone}`);
  });
});

describe('TextFormatter output template of the wrong kind', () => {
  it.each<[string, unknown, RegExp]>([
    ['a number', 5, /TextFormatter: expected an output template string, got number 5/],
    ['null', null, /TextFormatter: expected an output template string, got null/],
    ['an object', { text: '{Message}' }, /TextFormatter: expected an output template string, got Object/],
  ])('throws a ConfigurationError naming %s, never a TypeError', (_, template, message) => {
    expect(() => new TextFormatter(template as string)).toThrow(ConfigurationError);
    expect(() => new TextFormatter(template as string)).toThrow(message);
  });
});

// The reference tests, case by case (serilog/serilog at 60935b4), with the invariant culture. Cases that need another
// culture (fr-FR) or a custom IFormatProvider have no counterpart. Where rxlog writes otherwise, the last column says
// why (docs/conformance.md, "Deliberate differences in rendering").
describe('Serilog test/Serilog.Tests/Formatting/Display/MessageTemplateTextFormatterTests.cs', () => {
  const bare = 'strings are bare, as with Serilog’s :l';
  const json = 'structures and {Properties} are compact JSON';

  it.each<[string, string, LogEventRecord, string, string, string | undefined]>([
    [
      'MessageTemplatesContainingFormatStringPropertiesRenderCorrectly',
      '{Message}',
      event('{Message}', { Message: 'Hello, world!' }),
      '"Hello, world!"',
      'Hello, world!',
      bare,
    ],
    ['UppercaseFormatSpecifierIsSupportedForStrings', '{Name:u}', event('{Name}', { Name: 'Nick' }), 'NICK', 'NICK', undefined],
    ['LowercaseFormatSpecifierIsSupportedForStrings', '{Name:w}', event('{Name}', { Name: 'Nick' }), 'nick', 'nick', undefined],
    ['FixedLengthLevelSupportsUpperCasing', '{Level:u3}', event('Hello'), 'INF', 'INF', undefined],
    ['FixedLengthLevelSupportsLowerCasing', '{Level:w3}', event('Hello'), 'inf', 'inf', undefined],
    ['DefaultLevelLengthIsFullText', '{Level}', event('Hello'), 'Information', 'Information', undefined],
    ['AlignmentAndWidthCanBeCombined', '{Level,5:w3}', event('Hello'), '  inf', '  inf', undefined],
    [
      'NonMessagePropertiesAreRendered',
      '{Properties}',
      event('Hello from {Bar}!', { Bar: 'bar', Foo: 42 }),
      '{ Foo: 42 }',
      '{"Foo":42}',
      json,
    ],
    [
      'NonMessagePositionalPropertiesAreRendered',
      '{Properties}',
      event('Hello from {0}!', { 0: 'bar', Foo: 42 }),
      '{ Foo: 42 }',
      '{"Foo":42}',
      json,
    ],
    [
      'DoNotDuplicatePropertiesAlreadyRenderedInOutputTemplate',
      '{Foo} {Properties}',
      event('Hello from bar!', { Foo: 42, Bar: 42 }),
      '42 { Bar: 42 }',
      '42 {"Bar":42}',
      json,
    ],
    [
      'AppliesLiteralFormattingToMessageStringsWhenSpecified',
      '{Message}',
      event('Hello, {Name}!', { Name: 'World' }),
      'Hello, "World"!',
      'Hello, World!',
      bare,
    ],
    [
      'AppliesLiteralFormattingToMessageStringsWhenSpecified',
      '{Message:j}',
      event('Hello, {Name}!', { Name: 'World' }),
      'Hello, "World"!',
      'Hello, World!',
      bare,
    ],
    [
      'AppliesLiteralFormattingToMessageStringsWhenSpecified',
      '{Message:l}',
      event('Hello, {Name}!', { Name: 'World' }),
      'Hello, World!',
      'Hello, World!',
      undefined,
    ],
    [
      'AppliesLiteralFormattingToMessageStringsWhenSpecified',
      '{Message:lj}',
      event('Hello, {Name}!', { Name: 'World' }),
      'Hello, World!',
      'Hello, World!',
      undefined,
    ],
    [
      'AppliesLiteralFormattingToMessageStringsWhenSpecified',
      '{Message:jl}',
      event('Hello, {Name}!', { Name: 'World' }),
      'Hello, World!',
      'Hello, World!',
      undefined,
    ],
    [
      'AppliesJsonFormattingToMessageStructuresWhenSpecified',
      '{Message}',
      event('{@Obj}', { Obj: { Name: 'World' } }),
      '{ Name: "World" }',
      '{"Name":"World"}',
      json,
    ],
    [
      'AppliesJsonFormattingToMessageStructuresWhenSpecified',
      '{Message:j}',
      event('{@Obj}', { Obj: { Name: 'World' } }),
      '{"Name":"World"}',
      '{"Name":"World"}',
      undefined,
    ],
    [
      'AppliesJsonFormattingToMessageStructuresWhenSpecified',
      '{Message:lj}',
      event('{@Obj}', { Obj: { Name: 'World' } }),
      '{"Name":"World"}',
      '{"Name":"World"}',
      undefined,
    ],
    [
      'AppliesJsonFormattingToMessageStructuresWhenSpecified',
      '{Message:jl}',
      event('{@Obj}', { Obj: { Name: 'World' } }),
      '{"Name":"World"}',
      '{"Name":"World"}',
      undefined,
    ],
    [
      'AppliesJsonFormattingToPropertiesTokenWhenSpecified',
      '{Properties}',
      event('Hello', { Name: 'World' }),
      '{ Name: "World" }',
      '{"Name":"World"}',
      json,
    ],
    [
      'AppliesJsonFormattingToPropertiesTokenWhenSpecified',
      '{Properties:j}',
      event('Hello', { Name: 'World' }),
      '{"Name":"World"}',
      '{"Name":"World"}',
      undefined,
    ],
    [
      'AppliesJsonFormattingToPropertiesTokenWhenSpecified',
      '{Properties:lj}',
      event('Hello', { Name: 'World' }),
      '{"Name":"World"}',
      '{"Name":"World"}',
      undefined,
    ],
    [
      'AppliesJsonFormattingToPropertiesTokenWhenSpecified',
      '{Properties:jl}',
      event('Hello', { Name: 'World' }),
      '{"Name":"World"}',
      '{"Name":"World"}',
      undefined,
    ],
    ['AnEmptyPropertiesTokenIsAnEmptyStructureValueWithDefaultFormatting', '{Properties}', event('Hello'), '{  }', '{}', json],
    ['PaddingIsApplied', '{ThreadId}', event('Hello', { ThreadId: 15 }), '15', '15', undefined],
    ['PaddingIsApplied', '{ThreadId,5}', event('Hello', { ThreadId: 15 }), '   15', '   15', undefined],
    ['PaddingIsApplied', '{ThreadId,-5}', event('Hello', { ThreadId: 15 }), '15   ', '15   ', undefined],
    // Serilog's TraceId / SpanId are fields of the event; rxlog's are properties, which render nothing when missing.
    ['TraceAndSpanAreEmptyWhenAbsent', '{TraceId}/{SpanId}', event('Hello'), '/', '/', undefined],
    [
      'TraceAndSpanAreIncludedWhenPresent',
      '{TraceId}/{SpanId}',
      event('Hello', { TraceId: '0af7651916cd43dd8448eb211c80319c', SpanId: 'b7ad6b7169203331' }),
      '0af7651916cd43dd8448eb211c80319c/b7ad6b7169203331',
      '0af7651916cd43dd8448eb211c80319c/b7ad6b7169203331',
      undefined,
    ],
  ])('%s: %p', (_name, outputTemplate, logEvent, serilog, rxlog, difference) => {
    expect(new TextFormatter(outputTemplate).format(logEvent)).toBe(rxlog);
    expect(rxlog === serilog).toBe(difference === undefined);
  });

  it.each([16, 100])('RendersTimestampFormatsOfDifferentLengths: %p dashes', (length) => {
    const dashes = '-'.repeat(length);
    expect(new TextFormatter(`{Timestamp:${dashes}}`).format(event('{Name}', { Name: 'Nick' }))).toBe(dashes);
  });

  const levels: Record<LogLevelName, string[]> = {
    verbose: ['V', 'Vb', 'Vrb', 'Verb', 'Verbo', 'Verbos', 'Verbose', 'Verbose'],
    debug: ['D', 'De', 'Dbg', 'Dbug', 'Debug', 'Debug'],
    information: [
      'I',
      'In',
      'Inf',
      'Info',
      'Infor',
      'Inform',
      'Informa',
      'Informat',
      'Informati',
      'Informatio',
      'Information',
      'Information',
    ],
    error: ['E', 'Er', 'Err', 'Eror', 'Error', 'Error'],
    fatal: ['F', 'Fa', 'Ftl', 'Fatl', 'Fatal', 'Fatal'],
    warning: ['W', 'Wn', 'Wrn', 'Warn', 'Warni', 'Warnin', 'Warning', 'Warning'],
  };
  it.each(
    Object.entries(levels).flatMap(([level, monikers]) =>
      monikers.map((moniker, i) => [level as LogLevelName, i + 1, moniker] as const),
    ),
  )('FixedLengthLevelIsSupported: %s with t%p is %p', (level, width, expected) => {
    expect(new TextFormatter(`{Level:t${width}}`).format(event('Hello', {}, level))).toBe(expected);
    expect(new TextFormatter(`{Level:u${width}}`).format(event('Hello', {}, level))).toBe(expected.toUpperCase());
    expect(new TextFormatter(`{Level:w${width}}`).format(event('Hello', {}, level))).toBe(expected.toLowerCase());
  });

  it('UtcTimestampOutputsCorrectValue', () => {
    const at = new Date('2013-03-11T15:59:00.123+10:00');
    const logEvent = new LogEventRecord(at, 'information', parseTemplate('Hello'), {});
    expect(new TextFormatter('{UtcTimestamp:yyyy-MM-dd hh:mm:ss.fffZ}').format(logEvent)).toBe('2013-03-11 05:59:00.123Z');
  });
});
