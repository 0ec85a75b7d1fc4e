import fc from 'fast-check';
import { hasLoneSurrogate } from '../../lib/core/lone-surrogate';
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
