import { CompactJsonFormatter } from '../../lib/formatting/compact-json-formatter';
import { TextFormatter } from '../../lib/formatting/text-formatter';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { MAX_NESTED_WRITES } from '../../lib/pipeline/logger-pipeline';
import { MemorySink } from '../../lib/sinks/memory-sink';
import { createLogEvent } from '../../lib/templates/log-event-record';
import { parseTemplate } from '../../lib/templates/parse-template';
import { renderTemplate } from '../../lib/templates/render-template';
import { serilogParse } from '../helpers/serilog-template-parser';

// Hostile templates a reviewer tries first, each rendered with its arguments and, where Serilog 4's parser (the port
// in spec/helpers) gives the same tokens, checked against it: unbalanced and nested braces, braces inside holes,
// spaces, digits, hints on positional holes, every alignment form, formats holding ':' and '}'.
describe('hostile templates render as Serilog 4 parses them', () => {
  it.each<[string, unknown[], string]>([
    ['{', [1], '{'],
    ['}', [1], '}'],
    ['{{A}}', [1], '{A}'],
    ['{{{A}}}', [1], '{1}'],
    ['{A}}', [1], '1}'],
    ['{{A}', [1], '{A}'],
    ['{ A}', [1], '{ A}'],
    ['{A }', [1], '{A }'],
    ['{A :x}', [1], '{A :x}'],
    ['{A: x}', [255], ' x'],
    ['{A, 10}', [1], '{A, 10}'],
    ['{A,+5}', [1], '{A,+5}'],
    ['{A,}', [1], '{A,}'],
    ['{A,-10}|', [1], '1         |'],
    ['{A,10}|', [1], '         1|'],
    ['{A,5:0.0}', [1], '  1.0'],
    ['{A:0.0,5}', [1], '1.05'],
    ['{A:x:y}', [255], 'x:y'],
    ['{A:x}y}', [255], 'ffy}'],
    ['{A:}', [1], '1'],
    ['{@}', [1], '{@}'],
    ['{@@A}', [1], '{@@A}'],
    ['{$@A}', [1], '{$@A}'],
    ['{@0} {$1}', [{ a: 1 }, { b: 2 }], '{"a":1} [object Object]'],
    ['{1a}', [1], '{1a}'],
    ['{A-B}', [1], '{A-B}'],
    ['{A.}', [1], '{A.}'],
    ['{A.B} {_}', [1, 2], '1 2'],
    ['{00} {1}', ['a', 'b'], 'a b'],
    ['{__proto__} {constructor} {toString}', [1, 2, 3], '1 2 3'],
  ])('%j with %j renders %j', (template, args, expected) => {
    expect(createLogEvent('information', template, args).renderMessage()).toBe(expected);
    expect(parseTemplate(template).tokens).toEqual(serilogParse(template).tokens);
  });

  it('keeps properties named like Object.prototype members as own properties, the prototype untouched', () => {
    const event = createLogEvent('information', '{__proto__} {constructor}', [{ polluted: true }, 'c']);
    expect(Object.keys(event.properties)).toEqual(['__proto__', 'constructor']);
    expect(Object.getPrototypeOf(event.properties)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(JSON.parse(new CompactJsonFormatter().format(event))).toMatchObject({ constructor: 'c' });
  });

  it('pads a huge alignment to 10 000 characters at most, in a message and in an output template', () => {
    expect(renderTemplate(parseTemplate('{A,999999999}'), { A: 1 })).toHaveLength(10_000);
    expect(renderTemplate(parseTemplate('{A,-2147483647}'), { A: 1 })).toHaveLength(10_000);
    const line = new TextFormatter('{Level,999999999}|{Message,-999999999}|{Missing,999999999}').format(
      createLogEvent('information', 'x', []),
    );
    expect(line).toBe(`${' '.repeat(10_000 - 11)}Information|x${' '.repeat(9_999)}|${' '.repeat(10_000)}`);
  });

  it('binds 10 000 holes to 10 000 arguments, each property kept and rendered with its format and alignment', () => {
    const template = Array.from({ length: 10_000 }, (_, i) => `{H${i},4:0.0}`).join('');
    const args = Array.from({ length: 10_000 }, (_, i) => i % 10);
    const event = createLogEvent('information', template, args);
    expect(Object.keys(event.properties)).toHaveLength(10_000);
    expect(event.renderMessage()).toBe(args.map((n) => ` ${n}.0`).join(''));
    const clef = JSON.parse(new CompactJsonFormatter().format(event)) as { '@r': string[] };
    expect(clef['@r']).toHaveLength(10_000);
  });
  // A lone surrogate is no letter (Serilog tests UTF-16 units one at a time, as parseTemplate does outside pairs): a hole
  // with one in its name is text, as written, and the hole after it still binds.
  it.each<[string, unknown[], string]>([
    ['{\ud800}', [1], '{\ud800}'],
    ['{\udc00}', [1], '{\udc00}'],
    ['{a\ud800b} {C}', [1], '{a\ud800b} 1'],
    ['{\udc00\ud800}}} {C}', [1], '{\udc00\ud800}} 1'],
    ['{@\ud800,5:0} {C}', [1], '{@\ud800,5:0} 1'],
    ['\ud800{C}\udc00', ['\udc00'], '\ud800\udc00\udc00'],
  ])('keeps %j, a lone surrogate in a name, as text (with %j: %j)', (template, args, expected) => {
    expect(createLogEvent('information', template, args).renderMessage()).toBe(expected);
    expect(parseTemplate(template).tokens).toEqual(serilogParse(template).tokens);
  });

  it('binds 100 000 holes to 100 000 arguments and renders them all', () => {
    const template = Array.from({ length: 100_000 }, (_, i) => `{H${i},-2}`).join('|');
    const args = Array.from({ length: 100_000 }, (_, i) => i % 10);
    const event = createLogEvent('information', template, args);
    expect(Object.keys(event.properties)).toHaveLength(100_000);
    expect(event.renderMessage()).toBe(args.map((n) => `${n} `).join('|'));
  });
});

describe('a getter that logs while its object is captured', () => {
  it('logs its own events, nested at most MAX_NESTED_WRITES deep, and the outer event keeps the getter’s value', () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().writeTo.sink(memory).createLogger();
    let reads = 0;
    const chatty = {
      get value(): number {
        reads++;
        log.information('Read {Count} of {@Chatty}', reads, chatty);
        return reads;
      },
    };
    expect(() => log.information('Outer {@Chatty}', chatty)).not.toThrow();
    expect(memory.events).toHaveLength(MAX_NESTED_WRITES);
    expect(log.metrics().rejectedReentrant).toBe(1);
    const outer = memory.events.find((e) => e.messageTemplate.text === 'Outer {@Chatty}');
    expect(outer?.properties).toEqual({ Chatty: { value: MAX_NESTED_WRITES } });
  });
});
