import fc from 'fast-check';
import { ClefParseError } from '../../lib/core/errors/clef-parse-error';
import { LOG_LEVELS } from '../../lib/core/log-level';
import { CompactJsonFormatter } from '../../lib/formatting/compact-json-formatter';
import { readCompactJson } from '../../lib/formatting/read-compact-json';
import { LogEventRecord } from '../../lib/templates/log-event-record';
import { parseTemplate } from '../../lib/templates/parse-template';

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

  it('uses the first line as the message of a non-standard exception text', () => {
    const event = readCompactJson(JSON.stringify({ '@t': '2026-11-22T12:00:00.000Z', '@mt': 'x', '@x': 'something odd\nmore' }));
    expect(event.exception?.message).toBe('something odd');
  });

  it('does not keep @i, @r and @m as properties, and turns @@name into @name', () => {
    const event = readCompactJson(
      '{"@t":"2026-11-22T12:00:00.000Z","@mt":"{A:0}","@m":"1","@i":"12345678","@r":["1"],"A":1,"@@t":"mine","@tr":"abc"}',
    );
    expect(event.properties).toEqual({ A: 1, '@t': 'mine', '@tr': 'abc' });
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
  ])('throws a ClefParseError on %s', (_, line) => {
    expect(() => readCompactJson(line)).toThrow(ClefParseError);
  });

  it('names the reason and the line in the error', () => {
    expect(() => readCompactJson('[1]')).toThrow('Not a CLEF event (not a JSON object): [1]');
  });

  const name = fc.string({ minLength: 1, maxLength: 8 });
  const jsonSafe = fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.parse(JSON.stringify(value)) as unknown);
  const events = fc.record({
    time: fc.date({ noInvalidDate: true, min: new Date(-8.64e15 + 1), max: new Date(8.64e15 - 1) }),
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
