import fc from 'fast-check';
import { hasLoneSurrogate, wellFormed } from '../../lib/core/lone-surrogate';
import { CompactJsonFormatter } from '../../lib/formatting/compact-json-formatter';
import { NdjsonFormatter } from '../../lib/formatting/ndjson-formatter';
import { LogEventRecord } from '../../lib/templates/log-event-record';
import { parseTemplate } from '../../lib/templates/parse-template';
import { writeJson } from '../../lib/templates/safe-json';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { MemorySink } from '../../lib/sinks/memory-sink';
import { hostile } from '../helpers/hostile-values';

function expectOneLineOfJson(line: string): void {
  expect(line).not.toMatch(/[\n\r]/);
  expect(hasLoneSurrogate(line)).toBe(false);
  expect(() => JSON.parse(line) as unknown).not.toThrow();
}

describe('JSON writers on hostile values', () => {
  it('writeJson gives one line that JSON.parse reads, for any value', () => {
    fc.assert(
      fc.property(hostile, (make) => expectOneLineOfJson(writeJson(make()))),
      { numRuns: 400 },
    );
  });

  const properties = fc.array(fc.tuple(fc.string({ maxLength: 5 }), hostile), { maxLength: 4 }).map((entries) => {
    return (): Record<string, unknown> => {
      const record: Record<string, unknown> = {};
      for (const [key, make] of entries)
        Object.defineProperty(record, key, { value: make(), enumerable: true, writable: true, configurable: true });
      return record;
    };
  });
  const formatters = [new NdjsonFormatter(), new CompactJsonFormatter(), new CompactJsonFormatter({ renderMessage: true })];

  it('NdjsonFormatter and CompactJsonFormatter write one line of JSON for any properties, captured or not', () => {
    fc.assert(
      fc.property(
        properties,
        fc.string({ maxLength: 12 }),
        fc.option(hostile, { nil: undefined }),
        fc.double(),
        (props, template, exception, time) => {
          const event = new LogEventRecord(time, 'warning', parseTemplate(template), props(), exception?.() as Error | undefined);
          for (const formatter of formatters) expectOneLineOfJson(formatter.format(event));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('does so for what a logger captured from hostile arguments', () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().writeTo.sink(memory).createLogger();
    fc.assert(
      fc.property(
        fc.array(hostile, { maxLength: 3 }),
        fc.constantFrom('{A} {@B} {$C}', '{0:X} {1,5} {2:0.00}', 'x'),
        (args, template) => {
          memory.clear();
          const values = args.map((make) => make());
          log.error(values[0], template, ...values.slice(1));
          for (const event of memory.events) for (const formatter of formatters) expectOneLineOfJson(formatter.format(event));
        },
      ),
      { numRuns: 300 },
    );
  });
});

// JSON (RFC 8259) lets these stand raw in a string, and Serilog's JsonValueFormatter and pino write
// them raw; but a `tail -f` of the file runs a C1 CSI (U+009B) in xterm and VTE, a bidi override
// makes the rest of the line read backwards (Trojan Source), and U+2028 breaks the line in editors.
const TERMINAL_CONTROLS = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const terminalControl = fc.constantFrom(
  '\u007f',
  '\u0085',
  '\u009b',
  '\u009d',
  '\u2028',
  '\u2029',
  '\u202a',
  '\u202e',
  '\u2066',
  '\u2069',
);
const withControls = fc
  .array(
    fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 4 }),
      terminalControl,
      fc.constantFrom('"', '\\', '\n', '\u001b', '\ud800', '\u0645'),
    ),
    {
      maxLength: 8,
    },
  )
  .map((pieces) => pieces.join(''));

describe('JSON writers and terminal controls from data', () => {
  const hostileValue = '\u009b2J\u009b31mforged\u202e\u2066gnp.exe\u2069\u2028{"@l":"Fatal"}\u0085';

  it.each([
    ['CompactJsonFormatter', new CompactJsonFormatter()],
    ['CompactJsonFormatter with @m', new CompactJsonFormatter({ renderMessage: true })],
    ['NdjsonFormatter', new NdjsonFormatter()],
  ])('%s writes them as \\u escapes, the same JSON, wherever they come from', (_, formatter) => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().minimumLevel.verbose().writeTo.sink(memory).createLogger();
    const error = new Error(`no user ${hostileValue}`);
    log.warning(error, `Hello {Name} {@User} {Amount:000} ${hostileValue}`, hostileValue, { [hostileValue]: [hostileValue] }, 7);
    log.forContext(hostileValue, hostileValue).information(hostileValue);
    for (const event of memory.events) {
      const line = formatter.format(event);
      expect(line).not.toMatch(TERMINAL_CONTROLS);
      expect(line).toContain('\\u009b2J');
      expect(line).toContain('\\u202e');
      expect(line).toContain('\\u2028');
      // The same JSON: what a reader parses holds the characters as logged.
      expect(Object.values(JSON.parse(line) as Record<string, unknown>)).toContain(hostileValue);
    }
  });

  it('writeJson and the formatters never leave one raw, and read back to the same values', () => {
    const formatter = new CompactJsonFormatter({ renderMessage: true });
    const ndjson = new NdjsonFormatter();
    fc.assert(
      fc.property(withControls, withControls, withControls, (name, value, text) => {
        const nested = { [name]: [value, { deeper: value }], plain: text };
        const written = writeJson(nested);
        expect(written).not.toMatch(TERMINAL_CONTROLS);
        expect(written).toBe(
          JSON.stringify(JSON.parse(written)).replace(
            /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
            (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
          ),
        );
        const event = new LogEventRecord(0, 'information', parseTemplate(`${text} {A} {B:x}`), {
          A: value,
          B: text,
          [name]: nested,
        });
        for (const line of [formatter.format(event), ndjson.format(event)]) {
          expect(line).not.toMatch(TERMINAL_CONTROLS);
          expect(() => JSON.parse(line) as unknown).not.toThrow();
        }
        const parsed = JSON.parse(formatter.format(event)) as Record<string, unknown>;
        // A lone surrogate is U+FFFD, as a UTF-8 writer stores it; nothing else changes.
        expect(parsed['@mt']).toBe(wellFormed(`${text} {A} {B:x}`));
        expect(parsed.A).toBe(wellFormed(value));
      }),
      { numRuns: 300 },
    );
  });
});
