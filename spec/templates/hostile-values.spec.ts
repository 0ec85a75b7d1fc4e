import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { CompactJsonFormatter } from '../../lib/formatting/compact-json-formatter';
import { MemorySink } from '../../lib/sinks/memory-sink';

// Hostile values through the whole call: `{@A} {B} {$C}` (structure, default and stringify
// capture of the same value) and the value as the exception of `log.error(value, 'msg')`, with a
// real logger, a MemorySink and the CLEF formatter. Work is bounded by counting what the value
// runs (trap and getter calls), never by the clock.

/** The CLEF lines of the two events one hostile value makes, each parsed; the calls never throw. */
function logged(value: unknown): { lines: string[]; parsed: Record<string, unknown>[] } {
  const memory = new MemorySink();
  const log = new LoggerConfiguration().writeTo.sink(memory).createLogger();
  log.information('{@A} {B} {$C}', value, value, value);
  log.error(value, 'msg');
  expect(memory.events).toHaveLength(2);
  const formatter = new CompactJsonFormatter();
  const lines = memory.events.map((event) => formatter.format(event));
  return { lines, parsed: lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

/** Most characters of one line: 1 MiB of strings and 100 000 items, a marker each, written as JSON. */
const MAX_LINE = 4 * 1024 * 1024;

function thrower(): never {
  throw new Error('trap');
}

/** A Proxy of `target` whose listed traps throw. */
function trapping(target: object, traps: readonly (keyof ProxyHandler<object>)[]): object {
  return new Proxy(target, Object.fromEntries(traps.map((trap) => [trap, thrower])));
}

function revoked(target: object): object {
  const { proxy, revoke } = Proxy.revocable(target, {});
  revoke();
  return proxy;
}

const hostile: [string, () => unknown][] = [
  ['a Proxy whose get trap throws', () => trapping({ a: 1 }, ['get'])],
  ['a Proxy whose ownKeys trap throws', () => trapping({ a: 1 }, ['ownKeys'])],
  ['a Proxy whose getPrototypeOf trap throws', () => trapping({ a: 1 }, ['getPrototypeOf'])],
  ['a Proxy whose has trap throws', () => trapping({ a: 1 }, ['has'])],
  [
    'a Proxy whose every trap throws',
    () => trapping({ a: 1 }, ['get', 'ownKeys', 'getPrototypeOf', 'has', 'getOwnPropertyDescriptor']),
  ],
  ['a Proxy of an Error whose every trap throws', () => trapping(new Error('x'), ['get', 'ownKeys', 'getPrototypeOf'])],
  ['a revoked Proxy', () => revoked({})],
  ['a revoked Proxy of an array', () => revoked([])],
  [
    'a getter that throws',
    () =>
      Object.defineProperty({}, 'bad', {
        enumerable: true,
        get: thrower,
      }),
  ],
  [
    'a toJSON that throws',
    () => ({
      toJSON: thrower,
    }),
  ],
  [
    'a toJSON that returns its object',
    () => ({
      a: 1,
      toJSON(): unknown {
        return this;
      },
    }),
  ],
  ['a toJSON that returns a Proxy whose traps throw', () => ({ toJSON: () => trapping({}, ['ownKeys', 'get']) })],
  ['a Symbol.toPrimitive that throws', () => ({ [Symbol.toPrimitive]: thrower })],
  ['a toString that throws', () => ({ toString: thrower })],
  [
    'a class instance whose toString throws',
    () =>
      new (class Hostile {
        toString(): string {
          return thrower();
        }
      })(),
  ],
  ['an object of 100 000 keys', () => Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i]))],
  [
    'a sparse array of length 2³² − 1',
    () => {
      const array: unknown[] = [];
      array.length = 2 ** 32 - 1;
      array[5] = 'x';
      return array;
    },
  ],
  ['a Float64Array of 2 000 000 numbers', () => new Float64Array(2_000_000)],
  [
    'typed arrays, buffers and views',
    () => [new BigInt64Array(3), new ArrayBuffer(10), new DataView(new ArrayBuffer(4)), new SharedArrayBuffer(8)],
  ],
  ['a WeakMap, a WeakSet and a WeakRef', () => [new WeakMap(), new WeakSet(), new WeakRef({})]],
  ['an invalid Date', () => new Date(Number.NaN)],
  ['a RegExp', () => /a+b/gi],
  ['a function', () => function handler(): void {}],
  [
    'a class instance with private fields',
    () =>
      new (class Account {
        readonly #secret = 'hunter2';
        readonly id = 7;
        secret(): string {
          return this.#secret;
        }
      })(),
  ],
  [
    'a Map with object keys',
    () =>
      new Map<unknown, unknown>([
        [{ a: 1 }, 1],
        ['s', 2],
      ]),
  ],
  [
    'a Set of cycles',
    () => {
      const item: Record<string, unknown> = {};
      const set = new Set([item]);
      item.set = set;
      return set;
    },
  ],
  [
    'an Error whose cause is itself',
    () => {
      const error = new Error('loop');
      error.cause = error;
      return error;
    },
  ],
  [
    'an AggregateError among its own errors',
    () => {
      const error = new AggregateError([], 'loop');
      (error.errors as unknown[]).push(error);
      return error;
    },
  ],
  [
    'an AggregateError of 100 000 errors',
    () =>
      new AggregateError(
        Array.from({ length: 100_000 }, (_, i) => Object.assign(Object.create(Error.prototype) as Error, { message: `e${i}` })),
        'many',
      ),
  ],
  [
    'an Error whose stack getter throws',
    () =>
      Object.defineProperty(new Error('s'), 'stack', {
        get: thrower,
      }),
  ],
  ['an Error whose message is an object', () => Object.assign(new Error('s'), { message: { a: 1 } })],
  ['an Error whose name is a Proxy whose traps throw', () => Object.assign(new Error('s'), { name: trapping({}, ['get']) })],
  [
    'an Error whose prototype was taken away',
    () => {
      const error = new Error('x');
      Object.setPrototypeOf(error, null);
      return error;
    },
  ],
];

describe('capture of hostile values through a logger and CLEF', () => {
  it.each(hostile)('logs %s without throwing, delivering both events as bounded CLEF', (_label, make) => {
    const value = make();
    const { lines } = logged(value);
    for (const line of lines) expect(line.length).toBeLessThan(MAX_LINE);
  });

  it('keeps the message and stack of an Error whose prototype was taken away', () => {
    const error = new Error('card declined');
    Object.setPrototypeOf(error, null);
    const { parsed } = logged(error);
    expect(parsed[0].A).toEqual({ message: 'card declined', stack: error.stack });
    expect(parsed[0].C).toBe('Error: card declined');
    expect(parsed[1]['@x']).toBe(error.stack);
  });

  it('writes an Error whose name is a hostile Proxy as its message', () => {
    const { parsed } = logged(Object.assign(new Error('card declined'), { name: trapping({}, ['get']) }));
    expect(parsed[1]['@x']).toBe('Error: card declined');
  });

  it('keeps 1 000 items of a Float64Array of 2 000 000 numbers, with every hint', () => {
    const { parsed } = logged(new Float64Array(2_000_000));
    expect(parsed[0].A).toHaveLength(1001);
    expect(parsed[0].C).toBe(`${'0,'.repeat(1000)}…1999000 more`);
    expect(parsed[1]['@x']).toBe(`ThrownValueError: ${'0,'.repeat(1000)}…1999000 more`);
  });

  // Without the limits these would be walked without end: every read makes a new object.
  it('bounds the traps a Proxy that makes a new Proxy of 1 000 keys on every read runs', () => {
    let calls = 0;
    const keys = Array.from({ length: 1000 }, (_, i) => `k${i}`);
    const handler: ProxyHandler<object> = {
      ownKeys: () => (calls++, keys),
      getOwnPropertyDescriptor: () => (calls++, { value: undefined, enumerable: true, configurable: true, writable: true }),
      get: () => (calls++, new Proxy({}, handler)),
      getPrototypeOf: () => (calls++, Object.prototype),
      has: () => (calls++, false),
    };
    logged(new Proxy({}, handler));
    // Each capture call keeps at most 100 000 items, a few traps each (about 330 000 in all for the
    // arguments and the exception); reading the keys of every object in a kept place ran 9 million.
    expect(calls).toBeGreaterThan(100_000);
    expect(calls).toBeLessThan(1_000_000);
  });

  it('bounds the getters run on an object whose getters make new such objects forever', () => {
    let calls = 0;
    // Ten wide, so that making them costs the test little: 10¹⁰ objects ten levels down.
    const getters: PropertyDescriptorMap = {};
    for (let i = 0; i < 10; i++) getters[`g${i}`] = { enumerable: true, get: () => (calls++, make()) };
    const make = (): object => Object.create(Object.prototype, getters) as object;
    logged(make());
    expect(calls).toBeLessThan(1_000_000);
  });

  it('bounds what an Error whose cause and errors getters make new errors forever runs', () => {
    let calls = 0;
    // Errors without a stack, which would cost the test more to make than the logger to capture.
    const make = (): Error => {
      const error = Object.assign(Object.create(Error.prototype) as Error, { message: 'again' });
      Object.defineProperty(error, 'cause', { get: () => (calls++, make()) });
      Object.defineProperty(error, 'errors', {
        enumerable: true,
        get: () => (calls++, Array.from({ length: 10 }, make)),
      });
      return error;
    };
    const { parsed } = logged(make());
    expect(calls).toBeLessThan(1_000_000);
    expect(parsed[1]['@x']).toMatch(/^Error: again\n/);
  });

  it('bounds the toJSON calls of an object whose toJSON returns a new such object forever', () => {
    let calls = 0;
    const make = (): object => ({ toJSON: () => (calls++, make()) });
    logged(make());
    expect(calls).toBeLessThan(10);
  });
});
