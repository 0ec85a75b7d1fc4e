import fc from 'fast-check';
import { CompactJsonFormatter } from '../../lib/formatting/compact-json-formatter';
import { NdjsonFormatter } from '../../lib/formatting/ndjson-formatter';
import { LogEventRecord } from '../../lib/templates/log-event-record';
import { parseTemplate } from '../../lib/templates/parse-template';
import { writeJson } from '../../lib/templates/safe-json';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { MemorySink } from '../../lib/sinks/memory-sink';
import { anyValue } from '../helpers/arbitraries';

// Values no JSON.stringify call survives, as an app may hand them to a logger, an operator or a formatter directly.
function thrower(): never {
  throw new Error('hostile');
}
// Made inside the property (a thunk): fast-check itself reads a Proxy's properties, which throw.
type Make = () => unknown;
const leaf: fc.Arbitrary<Make> = fc.oneof(
  anyValue({ maxDepth: 2 }).map((value) => () => value),
  fc
    .constantFrom<unknown>(
      -0,
      NaN,
      Infinity,
      -Infinity,
      2n ** 70n,
      -(2n ** 64n),
      Symbol('s'),
      Symbol(),
      () => 1,
      new Date(NaN),
      new Date(8.64e15),
      new Map<unknown, unknown>([
        [{}, 1],
        [Symbol('k'), 2],
        [NaN, -0],
      ]),
      new Set([undefined, NaN, 1n]),
      new Uint8Array([1, 2]),
      new Float64Array([NaN, -0, Infinity]),
      new BigInt64Array([-1n]),
      new DataView(new ArrayBuffer(2)),
      new ArrayBuffer(3),
      new WeakMap(),
      Promise.resolve(1),
      /re/g,
      Object(1n),
      Object(Symbol('boxed')),
      new String('box'),
      'x'.repeat(300_000),
      '\ud800\u2028\u2029\u0000\n\r',
      Object.create(null),
    )
    .map((value) => () => value),
  fc.constant(() => ({ toJSON: thrower })),
  fc.constant(() => Object.defineProperty({ a: 1 }, 'b', { enumerable: true, get: thrower })),
  fc.constant(() => new Proxy({ a: 1 }, { ownKeys: thrower })),
  fc.constant(() => new Proxy({ a: 1 }, { get: thrower })),
  fc.constant(() => new Proxy([1, 2], { getOwnPropertyDescriptor: thrower })),
  fc.constant(() => new Proxy({}, { getPrototypeOf: thrower })),
  fc.constant(() => Object.assign(new Number(1), { valueOf: thrower, toString: thrower })),
  fc.constant(() => ({ toString: thrower, [Symbol.toPrimitive]: thrower, constructor: thrower })),
  fc.constant(() => {
    const error = new Error('e');
    // stack first: redefining it formats V8's lazy stack, which reads the message.
    Object.defineProperty(error, 'stack', { get: thrower });
    Object.defineProperty(error, 'message', { get: thrower });
    Object.defineProperty(error, 'name', { get: thrower });
    return error;
  }),
  fc.constant(() => {
    const cycle: Record<string, unknown> = { n: 1 };
    cycle.self = cycle;
    cycle.list = [cycle, new Map([[cycle, cycle]])];
    return cycle;
  }),
);
const hostile: fc.Arbitrary<Make> = fc.oneof(
  leaf,
  fc.array(leaf, { maxLength: 4 }).map((items) => () => items.map((make) => make())),
  fc
    .dictionary(fc.string({ maxLength: 4 }), leaf, { maxKeys: 4 })
    .map((entries) => () => Object.fromEntries(Object.entries(entries).map(([key, make]) => [key, make()]))),
);

function expectOneLineOfJson(line: string): void {
  expect(line).not.toMatch(/[\n\r]/);
  expect(line.isWellFormed()).toBe(true);
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
          const event = new LogEventRecord(time, 'warning', parseTemplate(template), props(), exception?.());
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
