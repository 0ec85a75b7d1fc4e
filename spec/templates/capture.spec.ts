import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { SelfLog, type SelfLogEvent } from '../../lib/core/self-log';
import { CompactJsonFormatter } from '../../lib/formatting/compact-json-formatter';
import { ConfigurationError } from '../../lib/core/errors/configuration-error';
import { type CaptureLimits, captureProperties, captureValue } from '../../lib/templates/capture';
import { isJsonSafe } from '../../lib/templates/json-safe-captures';
import { LogEventRecord } from '../../lib/templates/log-event-record';
import { parseTemplate } from '../../lib/templates/parse-template';
import { renderTemplate } from '../../lib/templates/render-template';
import { writeJson } from '../../lib/templates/safe-json';
import { anyValue } from '../helpers/arbitraries';
import { cpuMs } from '../helpers/cpu-time';

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}

class Named {
  toString(): string {
    return 'Named!';
  }
}

function diagnostics(run: () => void): SelfLogEvent[] {
  const seen: SelfLogEvent[] = [];
  const subscription = SelfLog.events$.subscribe((event) => seen.push(event));
  try {
    run();
  } finally {
    subscription.unsubscribe();
  }
  return seen;
}

function hostileProxy(): object {
  const fail = (): never => {
    throw new Error('trap');
  };
  return new Proxy(
    {},
    { get: fail, has: fail, ownKeys: fail, getPrototypeOf: fail, getOwnPropertyDescriptor: fail, apply: fail },
  );
}

/** Items kept in a captured tree: every array item and object property, nested ones included, but the `'…N more'` markers. */
function countItems(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  const items = Object.values(value).filter((item) => typeof item !== 'string' || !/^…(?:\d+ )?more$/.test(item));
  return items.reduce((sum: number, item) => sum + 1 + countItems(item), 0);
}

describe('captureValue', () => {
  it.each([['text'], [42], [-0.5], [true], [false], [null], [undefined], [10n ** 30n], [Number.NaN], [Infinity], [-Infinity]])(
    'keeps the scalar %p as it is',
    (value) => {
      expect(captureValue(value)).toBe(value);
    },
  );

  it('copies a Date so later mutation cannot change the event', () => {
    const date = new Date(0);
    const captured = captureValue(date) as Date;
    date.setFullYear(2000);
    expect(captured).toEqual(new Date(0));
    expect(captured).not.toBe(date);
  });

  it('deep-copies arrays and plain objects', () => {
    const value = { user: { name: 'ann', tags: ['a', 'b'] } };
    const captured = captureValue(value);
    value.user.name = 'bob';
    value.user.tags.push('c');
    expect(captured).toEqual({ user: { name: 'ann', tags: ['a', 'b'] } });
  });

  it('captures a class instance as String(value) by default', () => {
    expect(captureValue(new Named())).toBe('Named!');
    expect(captureValue(new Point(1, 2))).toBe('[object Object]');
  });

  it('destructures a class instance with structure capturing', () => {
    expect(captureValue(new Point(1, 2), 'structure')).toEqual({ x: 1, y: 2 });
  });

  it('applies the capturing mode to nested class instances too', () => {
    expect(captureValue({ p: new Point(1, 2) })).toEqual({ p: '[object Object]' });
    expect(captureValue({ p: new Point(1, 2) }, 'structure')).toEqual({ p: { x: 1, y: 2 } });
  });

  it('stringifies anything with stringify capturing', () => {
    expect(captureValue(42, 'stringify')).toBe('42');
    expect(captureValue({ a: 1 }, 'stringify')).toBe('[object Object]');
    expect(captureValue([1, 2], 'stringify')).toBe('1,2');
  });

  // Serilog's PropertyValueConverter returns ScalarValue.Null for a null before it looks at the hint, so a CLEF line
  // has `"Name":null`, never the text "null" (which Seq's `Name is null` does not find).
  it('keeps null and undefined as they are with stringify capturing, as Serilog keeps a null', () => {
    expect(captureValue(null, 'stringify')).toBeNull();
    expect(captureValue(undefined, 'stringify')).toBeUndefined();
    const template = parseTemplate('{$Name} {$Nick}');
    const properties = captureProperties(template, [null, undefined]);
    expect(properties).toEqual({ Name: null, Nick: undefined });
    expect(writeJson(properties)).toBe('{"Name":null}');
    expect(renderTemplate(template, properties)).toBe('null undefined');
  });

  it('captures an Error as name, message, stack and its own extras', () => {
    const error = Object.assign(new TypeError('bad'), { code: 'E_BAD' });
    expect(captureValue(error)).toEqual({ name: 'TypeError', message: 'bad', stack: error.stack, code: 'E_BAD' });
  });

  it('captures an Error from another realm (a vm context, Node’s own errors inside Jest) as an Error, not as {}', () => {
    const error = runInNewContext("Object.assign(new TypeError('bad'), { code: 'E_BAD' })") as Error;
    expect(error instanceof Error).toBe(false);
    expect(captureValue(error)).toEqual({ name: 'TypeError', message: 'bad', stack: error.stack, code: 'E_BAD' });
  });

  // Node's own objects inside Jest are of another realm than the test's: an `fs.Stats` time, what
  // `structuredClone` returns. `instanceof` misses them; their internal slots do not.
  it('captures a Date, Map, Set or boxed primitive from another realm as it captures one of its own', () => {
    const [date, map, set, boxed, invalid] = runInNewContext(
      "[new Date(Date.UTC(2009, 5, 15, 13, 45, 30)), new Map([['a', 1], ['b', new Date(0)]]), new Set([1, 'x']), new Number(5), new Date(NaN)]",
    ) as [Date, Map<string, unknown>, Set<unknown>, number, Date];
    expect(date instanceof Date).toBe(false);
    for (const capturing of ['default', 'structure'] as const) {
      expect(captureValue(date, capturing)).toEqual(new Date(Date.UTC(2009, 5, 15, 13, 45, 30)));
      expect(captureValue(date, capturing)).toBeInstanceOf(Date);
      expect(captureValue(invalid, capturing)).toBeInstanceOf(Date);
      expect(captureValue(map, capturing)).toEqual({ a: 1, b: new Date(0) });
      expect(captureValue(set, capturing)).toEqual([1, 'x']);
      expect(captureValue(boxed, capturing)).toBe(5);
      expect(captureValue({ at: date, tags: set }, capturing)).toEqual({ at: date, tags: [1, 'x'] });
    }
    expect(captureValue(boxed, 'stringify')).toBe('5');
    // What a user sees: the hole's format applies, the Map's data is kept.
    const template = parseTemplate('{At:yyyy-MM-dd} {Count:0.00} {Totals}');
    const properties = captureProperties(template, [date, boxed, map]);
    expect(renderTemplate(template, properties)).toBe('2009-06-15 5.00 {"a":1,"b":"1970-01-01T00:00:00.000Z"}');
  });

  it('does not take an object whose Symbol.toStringTag says Date, Map, Set or Number for one', () => {
    for (const tag of ['Date', 'Map', 'Set', 'Number']) {
      const liar = { [Symbol.toStringTag]: tag, a: 1 };
      expect(captureValue(liar)).toEqual({ a: 1 });
      class Liar {
        readonly a = 1;
        get [Symbol.toStringTag](): string {
          return tag;
        }
      }
      expect(captureValue(new Liar())).toBe(`[object ${tag}]`);
      expect(captureValue(new Liar(), 'structure')).toEqual({ a: 1 });
    }
  });

  // Object.setPrototypeOf(error, null) (a sandbox that strips prototypes, a structured clone
  // shim) leaves an Error by brand, whose message and stack are own but not enumerable.
  it('captures an Error whose prototype was taken away as an Error, its message and stack kept', () => {
    const error = new Error('card declined');
    Object.setPrototypeOf(error, null);
    const expected = { message: 'card declined', stack: expect.stringMatching(/^Error: card declined\n/) as unknown };
    expect(captureValue(error)).toEqual(expected);
    expect(captureValue(error, 'structure')).toEqual(expected);
    expect(captureValue(error, 'stringify')).toBe('Error: card declined');
  });

  it('stringifies an object without a prototype as Object.prototype.toString does, where String() throws', () => {
    expect(captureValue(Object.create(null), 'stringify')).toBe('[object Object]');
    const own = Object.assign(Object.create(null) as object, {
      toString(): never {
        throw new Error('no');
      },
    });
    expect(captureValue(own, 'stringify')).toBe('[Throws: no]');
  });

  it('captures an Error cause', () => {
    const error = new Error('outer', { cause: new Error('inner') });
    expect(captureValue(error)).toMatchObject({ message: 'outer', cause: { name: 'Error', message: 'inner' } });
  });

  // What Promise.any rejects with: its reasons are in `errors`, an own property that is not enumerable.
  it('captures an AggregateError with its errors', () => {
    const error = new AggregateError([new Error('mirror 1 down'), 'mirror 2 timed out'], 'All mirrors failed');
    expect(captureValue(error)).toEqual({
      name: 'AggregateError',
      message: 'All mirrors failed',
      stack: error.stack,
      errors: [{ name: 'Error', message: 'mirror 1 down', stack: (error.errors[0] as Error).stack }, 'mirror 2 timed out'],
    });
  });

  // As Serilog makes a dictionary whose keys are not scalars a sequence (ByDefaultANonScalarDictionaryIsASequenceValue):
  // String(key) would name every object key "[object Object]", and all entries but the last would be lost.
  it('captures a Map with object keys as a list of [key, value] pairs', () => {
    const byUser = new Map<unknown, string>([
      [{ id: 1 }, 'admin'],
      [{ id: 2 }, 'viewer'],
      ['guest', 'none'],
    ]);
    expect(captureValue(byUser)).toEqual([
      [{ id: 1 }, 'admin'],
      [{ id: 2 }, 'viewer'],
      ['guest', 'none'],
    ]);
  });

  it('captures a Map as an object of its entries and a Set as an array', () => {
    expect(
      captureValue(
        new Map<unknown, number>([
          ['a', 1],
          [2, 2],
        ]),
      ),
    ).toEqual({ a: 1, 2: 2 });
    expect(captureValue(new Set([1, 'two']))).toEqual([1, 'two']);
  });

  it('captures Headers, URLSearchParams and FormData as an object of their entries, a repeated name with #i', () => {
    const headers = new Headers([
      ['Accept', 'application/json'],
      ['Set-Cookie', 'a=1'],
      ['Set-Cookie', 'b=2'],
    ]);
    const form = new FormData();
    form.append('name', 'ann');
    const template = parseTemplate('{Headers} {@Query} {Form}');
    const properties = captureProperties(template, [headers, new URLSearchParams('page=2&tag=a&tag=b'), form]);
    expect(properties).toEqual({
      Headers: { accept: 'application/json', 'set-cookie': 'a=1', 'set-cookie#2': 'b=2' },
      Query: { page: '2', tag: 'a', 'tag#2': 'b' },
      Form: { name: 'ann' },
    });
    // What a sink writes: before, `[object Headers]`, and `{}` with `@`.
    expect(renderTemplate(template, properties)).toBe(
      '{"accept":"application/json","set-cookie":"a=1","set-cookie#2":"b=2"} {"page":"2","tag":"a","tag#2":"b"} {"name":"ann"}',
    );
    // Bounded as a Map is.
    const many = new URLSearchParams(Array.from({ length: 5 }, (_, i) => [`k${i}`, 'v']));
    expect(captureValue(many, 'default', { maxCollectionLength: 2 })).toEqual({ k0: 'v', k1: 'v', '…': '…3 more' });
    // Only a value whose tag says so and that lists its entries is taken for one.
    class Liar {
      readonly a = 1;
      get [Symbol.toStringTag](): string {
        return 'Headers';
      }
    }
    expect(captureValue(new Liar())).toBe('[object Headers]');
    // One that claims the tag and lists entries for ever is read within the bounds, not hung on.
    class Endless {
      get [Symbol.toStringTag](): string {
        return 'URLSearchParams';
      }
      *keys(): Generator<string> {
        for (;;) yield 'k';
      }
      *entries(): Generator<[string, string]> {
        for (let i = 0; ; i++) yield [`k${i}`, 'v'];
      }
    }
    expect(captureValue(new Endless(), 'default', { maxCollectionLength: 2 })).toEqual({ k0: 'v', k1: 'v', '…': '…99998 more' });
  });

  it('captures a typed array as an array of numbers', () => {
    expect(captureValue(new Uint8Array([1, 2, 3]))).toEqual([1, 2, 3]);
  });

  it('captures what toJSON returns', () => {
    expect(captureValue({ toJSON: () => ({ id: 7 }) })).toEqual({ id: 7 });
    expect(captureValue(new URL('https://example.com/a'))).toBe('https://example.com/a');
  });

  // JSON.stringify calls toJSON(key): the member's name, the item's index as a string, '' at the root. Before, capture
  // called toJSON() with no key, so a toJSON that depends on it captured `key:undefined` everywhere.
  it('calls toJSON with the key JSON.stringify passes', () => {
    const keyed = { toJSON: (key: unknown) => `key:${String(key)}` };
    const value = { a: keyed, list: [keyed, { b: keyed }], nested: { c: [[keyed]] } };
    expect(captureValue(value)).toEqual(JSON.parse(JSON.stringify(value)));
    expect(captureValue(keyed)).toBe(JSON.parse(JSON.stringify(keyed)));
    expect(captureValue(new Map([['m', keyed]]))).toEqual({ m: 'key:m' });
    expect(captureValue(new Set([1, keyed]))).toEqual([1, 'key:1']);
    expect(captureValue(Object.assign(new Error('boom'), { detail: keyed }))).toMatchObject({ detail: 'key:detail' });
    expect(captureProperties(parseTemplate('{@A} {B}'), [keyed, [keyed]])).toEqual({ A: 'key:', B: ['key:0'] });
  });

  // JSON.stringify calls toJSON once per position and writes what it returns as it is, with no second
  // toJSON call on that result. Before, capture called toJSON again on the result: one returning
  // `this` was captured as '[Circular]', and a toJSON result's own toJSON ran as well.
  it('calls toJSON once per position, as JSON.stringify does', () => {
    const self = {
      a: 1,
      toJSON(): unknown {
        return this;
      },
    };
    // Its members as JSON.stringify writes them; the method is a function marker, as any function member is.
    const written = { a: 1, toJSON: '[Function toJSON]' };
    expect(captureValue(self)).toEqual(written);
    expect(captureValue({ nested: self, list: [self] })).toEqual({ nested: written, list: [written] });
    class Point {
      constructor(readonly x: number) {}
      toJSON(): unknown {
        return this;
      }
    }
    expect(captureValue(new Point(2))).toEqual(JSON.parse(JSON.stringify(new Point(2))));
    const twice = { toJSON: () => ({ toJSON: () => 'inner', b: 2 }) };
    expect(captureValue(twice)).toEqual({ b: 2, toJSON: '[Function toJSON]' });
    expect(captureValue({ x: { toJSON: () => ({ toJSON: () => 'inner' }) } })).toEqual({ x: { toJSON: '[Function toJSON]' } });
    // The result's members still get their own toJSON call, and a Date stays a Date.
    expect(captureValue({ toJSON: () => ({ m: { toJSON: () => 'member' } }) })).toEqual({ m: 'member' });
    const when = new Date(0);
    expect(captureValue({ toJSON: () => when })).toEqual(when);
  });

  it('captures functions as a marker with their name', () => {
    expect(captureValue(function handler() {})).toBe('[Function handler]');
    expect(captureValue({ f: () => 1 })).toEqual({ f: '[Function f]' });
    expect(captureValue([() => 1])).toEqual(['[Function]']);
  });

  it('cuts a function marker to maxStringLength, and counts it in the budget, as any string', () => {
    const named = Object.defineProperty(() => 0, 'name', { value: 'n'.repeat(1024 * 1024) });
    expect(captureValue(named)).toBe(`[Function ${'n'.repeat(64 * 1024 - 10)}…[truncated ${1024 * 1024 + 11 - 64 * 1024} chars]`);
    const captured = captureValue(Array.from({ length: 1000 }, () => named)) as string[];
    expect(captured[999]).toBe(`…[truncated ${1024 * 1024 + 11} chars]`);
  });

  it('captures symbols as strings and skips symbol keys', () => {
    expect(captureValue(Symbol('s'))).toBe('Symbol(s)');
    expect(captureValue({ a: 1, [Symbol('k')]: 2 })).toEqual({ a: 1 });
  });

  it('captures an Object.create(null) object as plain data', () => {
    const value = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1 });
    expect(captureValue(value)).toEqual({ a: 1 });
  });

  it('keeps a __proto__ key as an own property without touching the prototype', () => {
    const value = JSON.parse('{"__proto__":{"polluted":true},"a":1}') as object;
    const captured = captureValue(value) as Record<string, unknown>;
    expect(Object.getPrototypeOf(captured)).toBe(Object.prototype);
    expect(Object.keys(captured)).toEqual(['__proto__', 'a']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('stops at depth 10 on a 100 000-deep object without overflowing the stack', () => {
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 100_000; i++) deep = { next: deep };
    let captured = captureValue(deep) as Record<string, unknown>;
    let levels = 0;
    while (typeof captured === 'object') {
      captured = captured.next as Record<string, unknown>;
      levels++;
    }
    expect(levels).toBe(10);
    expect(captured).toBe('[MaxDepth]');
  });

  it('honours a smaller maxDepth', () => {
    expect(captureValue({ a: { b: { c: 1 } } }, 'default', { maxDepth: 2 })).toEqual({ a: { b: '[MaxDepth]' } });
  });

  // What toJSON returns takes the value's place, at its depth, as in JSON.stringify and writeJson. Before, it was
  // captured one level deeper, and the depth was checked before toJSON ran: a value whose toJSON is shallow (an
  // Immutable.js Map or List, a Mongoose subdocument) lost a level for each one on the path (ten of them nested kept
  // five), a short Buffer at the last level but one lost its bytes, and an ObjectId or URL at the last level, whose
  // JSON is a string, was '[MaxDepth]' where a string or a Date there is kept.
  it('captures what toJSON returns at the depth of the value it stands for', () => {
    class Shallow {
      constructor(private readonly members: Record<string, unknown>) {}
      toJSON(): unknown {
        return this.members;
      }
    }
    let plain: Record<string, unknown> = { leaf: true };
    let wrapped: unknown = { leaf: true };
    for (let i = 0; i < 9; i++) {
      plain = { next: plain };
      wrapped = new Shallow({ next: wrapped });
    }
    expect(captureValue(wrapped)).toEqual(captureValue(plain));
    expect(captureValue(wrapped)).toEqual(JSON.parse(writeJson(wrapped)));
    expect(captureValue({ next: wrapped })).toEqual(captureValue({ next: plain }));
    const limits = { maxDepth: 2 };
    expect(captureValue({ a: new Shallow({ b: { c: 1 } }) }, 'default', limits)).toEqual({ a: { b: '[MaxDepth]' } });
    expect(captureValue({ buffer: Buffer.from('hi') }, 'default', limits)).toEqual({
      buffer: { type: 'Buffer', data: '[MaxDepth]' },
    });
    const objectId = { toJSON: () => '65f1c0ffee' };
    const last = { a: { id: objectId, link: new URL('https://example.com/'), name: 'ann', at: new Date(0), deeper: { b: 1 } } };
    expect(captureValue(last, 'default', limits)).toEqual({
      a: { id: '65f1c0ffee', link: 'https://example.com/', name: 'ann', at: new Date(0), deeper: '[MaxDepth]' },
    });
    expect(captureValue(objectId, 'default', { maxDepth: 0 })).toBe('65f1c0ffee');
    expect(captureValue(new Shallow({ a: 1 }), 'default', { maxDepth: 0 })).toBe('[MaxDepth]');
  });

  // A scalar is kept at the depth limit, and neither a box nor a class instance captured without `@` is a
  // structure: a box is the scalar it holds (as writeJson and JSON.stringify write it), a class instance its
  // String(), a scalar as Serilog's ToString() is. Both were '[MaxDepth]' at the last level, and at maxDepth 0
  // as the argument itself, where the primitive given alone was kept.
  it('keeps a boxed primitive and a class instance captured without @ at the depth limit, as the scalars they are', () => {
    class Money {
      constructor(readonly cents: number) {}
      toString(): string {
        return `$${this.cents / 100}`;
      }
    }
    const limits = { maxDepth: 2 };
    const last = { a: { n: new Number(5), s: new String('x'), b: Object(10n) as object, price: new Money(250), list: [1] } };
    expect(captureValue(last, 'default', limits)).toStrictEqual({
      a: { n: 5, s: 'x', b: 10n, price: '$2.5', list: '[MaxDepth]' },
    });
    expect(captureValue(last, 'structure', limits)).toStrictEqual({
      a: { n: 5, s: 'x', b: 10n, price: '[MaxDepth]', list: '[MaxDepth]' },
    });
    const box = { a: { n: new Number(5), s: new String('x') } };
    expect(captureValue(box, 'default', limits)).toStrictEqual(JSON.parse(writeJson(box)));
    const none = { maxDepth: 0 };
    expect(
      captureProperties(parseTemplate('{N} {@S} {@Price}'), [new Number(5), new String('x'), new Money(250)], none),
    ).toStrictEqual({
      N: 5,
      S: 'x',
      Price: '[MaxDepth]',
    });
    expect(captureProperties(parseTemplate('{N} {Price}'), [new Number(5), new Money(250)], none)).toStrictEqual({
      N: 5,
      Price: '$2.5',
    });
    expect(captureValue([new Number(5)], 'default', none)).toBe('[MaxDepth]');
  });

  it('cuts a 10 MB string to 64 KiB and marks it', () => {
    const captured = captureValue('x'.repeat(10 * 1024 * 1024)) as string;
    expect(captured).toBe(`${'x'.repeat(64 * 1024)}…[truncated ${10 * 1024 * 1024 - 64 * 1024} chars]`);
  });

  it('never cuts a surrogate pair in half', () => {
    const captured = captureValue('a😀b', 'default', { maxStringLength: 2 }) as string;
    expect(captured).toBe('a…[truncated 3 chars]');
  });

  it('keeps 1000 items of a long array and notes how many more there were', () => {
    const captured = captureValue(Array.from({ length: 1500 }, (_, i) => i)) as unknown[];
    expect(captured).toHaveLength(1001);
    expect(captured[999]).toBe(999);
    expect(captured[1000]).toBe('…500 more');
  });

  it('keeps maxCollectionLength keys of a wide object and notes the rest', () => {
    const captured = captureValue({ a: 1, b: 2, c: 3 }, 'default', { maxCollectionLength: 2 });
    expect(captured).toEqual({ a: 1, b: 2, '…': '…1 more' });
  });

  it('notes how many keys of a wide Error it left out, as it does for any object', () => {
    // Before, the keys past the bound were left out without a note, and with them the cause.
    const error = Object.assign(new Error('m', { cause: 'c' }), { a: 1, b: 2 });
    expect(captureValue(error, 'default', { maxCollectionLength: 4 })).toEqual({
      name: 'Error',
      message: 'm',
      stack: error.stack,
      a: 1,
      '…': '…2 more',
    });
  });

  it('cuts the long own keys of an Error as those of any object, keeping both values when cut keys meet', () => {
    const error = Object.assign(new Error('m'), { ['k'.repeat(40) + 'A']: 1, ['k'.repeat(40) + 'B']: 2 });
    const captured = captureValue(error, 'default', { maxStringLength: 8 }) as Record<string, unknown>;
    const cut = Object.keys(captured).filter((key) => key.startsWith('kkkkkkkk'));
    // Before, both keys were kept whole (41 characters, past maxStringLength).
    expect(cut).toEqual(['kkkkkkkk…[truncated 33 chars]', 'kkkkkkkk…[truncated 33 chars]#4']);
    expect(cut.map((key) => captured[key])).toEqual([1, 2]);
  });

  it('keeps a kept key named … when it notes the rest of a wide object or Map', () => {
    // The marker took the key's place: its value was lost.
    expect(captureValue({ '…': 'real', b: 2, c: 3 }, 'default', { maxCollectionLength: 2 })).toEqual({
      '…': 'real',
      b: 2,
      '…#2': '…1 more',
    });
    const map = new Map<string, number | string>([
      ['…', 'real'],
      ['b', 2],
      ['c', 3],
    ]);
    expect(captureValue(map, 'default', { maxCollectionLength: 2 })).toEqual({ '…': 'real', b: 2, '…#2': '…1 more' });
  });

  it('bounds Sets and Maps too', () => {
    expect(captureValue(new Set([1, 2, 3]), 'default', { maxCollectionLength: 2 })).toEqual([1, 2, '…1 more']);
    expect(
      captureValue(
        new Map([
          ['a', 1],
          ['b', 2],
          ['c', 3],
        ]),
        'default',
        { maxCollectionLength: 1 },
      ),
    ).toEqual({ a: 1, '…': '…2 more' });
  });

  it('bounds a value holding the same array many times over to 100 × maxCollectionLength items in all', () => {
    // Three arrays of 1000 references: a copy of every path would hold 10⁹ items.
    let nested: unknown = 'leaf';
    for (let level = 0; level < 3; level++) nested = Array.from({ length: 1000 }, () => nested);
    const captured = captureValue(nested);
    expect(countItems(captured)).toBeLessThanOrEqual(100_000);
    const outer = captured as unknown[][];
    // The budget is spent breadth first: the outer structure is whole, later branches end early.
    expect(outer).toHaveLength(1000);
    expect(outer[0][0]).toHaveLength(1000);
    expect(outer[999]).toEqual(['…1000 more']);
  });

  // Keys are data too (JSON.parse of a request body): a 10 MB key was kept whole, and 100 references to one object
  // with 1 000 keys of 60 000 characters made a 6 GB event, which the queue's size estimate took 160 s to walk (on
  // the caller's turn) and no formatter could write.
  it('cuts object and Map keys as strings, and counts them in the call’s budget', () => {
    const key = 'k'.repeat(100_000);
    const cut = `${'k'.repeat(64 * 1024)}…[truncated ${100_000 - 64 * 1024} chars]`;
    expect(captureValue({ [key]: 1 })).toEqual({ [cut]: 1 });
    expect(captureValue(new Map([[key, 1]]))).toEqual({ [cut]: 1 });
    const wide: Record<string, number> = {};
    for (let i = 0; i < 1000; i++) wide[String(i).padEnd(60_000, 'x')] = i;
    const captured = captureValue(Array.from({ length: 100 }, () => wide)) as Record<string, number>[];
    const keyChars = captured.reduce((sum, item) => sum + Object.keys(item).join('').length, 0);
    expect(keyChars).toBeLessThanOrEqual(16 * 64 * 1024 + 100_000 * 30);
    expect(JSON.stringify(captured).length).toBeLessThan(5_000_000);
  });

  it('keeps both values of two keys cut to the same text, the later one under a #i suffix (i: its index)', () => {
    const limits = { maxStringLength: 3 };
    const cut = 'abc…[truncated 3 chars]';
    expect(captureValue({ abcdef: 1, abcxyz: 2, abc: 3, abcuvw: 4 }, 'default', limits)).toEqual({
      [cut]: 1,
      [`${cut}#1`]: 2,
      abc: 3,
      [`${cut}#3`]: 4,
    });
    expect(
      captureValue(
        new Map([
          ['abcdef', 1],
          ['abcxyz', 2],
        ]),
        'default',
        limits,
      ),
    ).toEqual({ [cut]: 1, [`${cut}#1`]: 2 });
    // The call's budget (16 × 65 536 code units) spent by 16 keys: the next ones are cut to their marker alone, all alike.
    const wide = Object.fromEntries([...'abcdefghijklmnopqr'].map((c, i) => [c.repeat(i < 16 ? 64 * 1024 : 20), i]));
    const captured = captureValue(wide) as Record<string, unknown>;
    expect(Object.keys(captured).slice(16)).toEqual(['…[truncated 20 chars]', '…[truncated 20 chars]#17']);
    expect(Object.values(captured)).toEqual([...Array(18).keys()]);
  });

  it('keeps a key cut to the text of a key kept whole, and Map keys whose String() is the same', () => {
    // The first key is kept whole (22 code units); the budget (16 × 65 536) is then spent but 2,
    // which cuts abcdef to the first key's text.
    const early = 'ab…[truncated 4 chars]';
    const value = { [early]: 1, p: [...Array<string>(15).fill('v'.repeat(64 * 1024)), 'w'.repeat(65_511)], abcdef: 3 };
    const captured = captureValue(value) as Record<string, unknown>;
    expect(Object.keys(captured)).toEqual([early, 'p', `${early}#2`]);
    expect(captured[`${early}#2`]).toBe(3);
    expect(
      captureValue(
        new Map<unknown, string>([
          [1, 'number'],
          ['1', 'string'],
        ]),
      ),
    ).toEqual({ 1: 'number', '1#1': 'string' });
  });

  // Promise.any of Promise.any calls that fail with one shared error: an Error's name, message and
  // stack are items like any other, or 100 000 listed errors would bring 300 000 strings more.
  // Object.keys reads every key (a Proxy's getOwnPropertyDescriptor trap for each) of an object
  // of a slot kept before the budget ran out, when none of them could be kept any more.
  it('reads no keys of an object reached once the call’s item budget is spent', () => {
    let reads = 0;
    const wide = new Proxy(Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`k${i}`, 1])), {
      getOwnPropertyDescriptor: (target, key) => (reads++, Reflect.getOwnPropertyDescriptor(target, key)),
    });
    const captured = captureValue(Array.from({ length: 200 }, () => wide)) as unknown[];
    expect(reads).toBeLessThanOrEqual(101_000);
    expect(captured[0]).toHaveProperty('k999', 1);
    expect(captured[199]).toEqual({ '…': '…more' });
    expect(countItems(captured)).toBeLessThanOrEqual(100_000);
  });

  it('counts an Error’s name, message and stack in the budget', () => {
    let error: Error = new Error('network down');
    for (let level = 0; level < 3; level++)
      error = new AggregateError(
        Array.from({ length: 1000 }, () => error),
        'all failed',
      );
    expect(countItems(captureValue(error))).toBeLessThanOrEqual(100_000);
  });

  it('bounds the same long string held many times over to 16 × maxStringLength code units in all', () => {
    const long = 'x'.repeat(100_000);
    const captured = captureValue({ list: Array.from({ length: 1000 }, () => long) }) as { list: string[] };
    const kept = captured.list.reduce((sum, text) => sum + text.replace(/…\[truncated \d+ chars\]$/, '').length, 0);
    // The key `list` is counted as well.
    expect(kept).toBe(16 * 64 * 1024 - 'list'.length);
    expect(captured.list[0]).toBe(`${'x'.repeat(64 * 1024)}…[truncated ${100_000 - 64 * 1024} chars]`);
    expect(captured.list[999]).toBe('…[truncated 100000 chars]');
  });

  // String(array) joins every item, nested arrays too: for four arrays of 1000 references each,
  // 10¹² items, seconds of work and a gigabyte of memory before the join fails.
  it('stringifies an array holding the same array many times over within the budget', () => {
    let nested: unknown = 1;
    for (let level = 0; level < 4; level++) nested = Array.from({ length: 1000 }, () => nested);
    const text = captureValue(nested, 'stringify') as string;
    expect(text.startsWith('1,1,1,')).toBe(true);
    expect(text.length).toBeLessThanOrEqual(64 * 1024 + 100);
    expect(captureValue([1, [2, 3], 'a'], 'stringify')).toBe('1,2,3,a');
  });

  // Each item was cut with its own marker and the joined text cut again: `{$Items}` of one
  // 100 000-character string ended `…[truncated 24 chars]`, counting the first marker, where 34 464 were left out.
  it('stringifies an array of long strings with one marker counting all that was left out', () => {
    const limit = 64 * 1024;
    const long = 'x'.repeat(100_000);
    const cutAt = (text: string, end = limit): string => `${text.slice(0, end)}…[truncated ${text.length - end} chars]`;
    expect(captureProperties(parseTemplate('{$Items}'), [[long]])).toEqual({ Items: cutAt(long) });
    expect(captureProperties(parseTemplate('{$Items}'), [[long]])).toEqual({
      Items: `${'x'.repeat(limit)}…[truncated 34464 chars]`,
    });
    const many = Array.from({ length: 30 }, (_, i) => `${i}`.repeat(10_000));
    expect(captureValue(many, 'stringify')).toBe(cutAt(many.join()));
    const nested = [['a'.repeat(70_000), ['b', 'c'.repeat(70_000)]], null, 'd'];
    expect(captureValue(nested, 'stringify')).toBe(cutAt(String(nested)));
    const wordy = { toString: (): string => 'o'.repeat(80_000) };
    expect(captureValue([wordy, wordy], 'stringify')).toBe(cutAt(String([wordy, wordy])));
    expect(captureValue(wordy, 'stringify')).toBe(cutAt(String(wordy)));
    // The items left out by maxCollectionLength are written as `…N more` ('abcdef,gh,…1 more'), counted when that is cut.
    const limits: CaptureLimits = { maxStringLength: 3, maxCollectionLength: 2 };
    expect(captureProperties(parseTemplate('{$S}'), [['abcdef', 'gh', 'i']], limits)).toEqual({ S: 'abc…[truncated 14 chars]' });
    expect(captureProperties(parseTemplate('{$S}'), [['ab', ['cdef']]], { maxStringLength: 3 })).toEqual({
      S: 'ab,…[truncated 4 chars]',
    });
    // A cut between the halves of a surrogate pair leaves the pair out whole, and counts both halves.
    expect(captureValue(['ab😀c'], 'stringify', { maxStringLength: 3 })).toBe('ab…[truncated 3 chars]');
  });

  // A typed array's String() is Array.prototype.toString, which joins every item: a
  // Float64Array of 10⁸ numbers takes seconds and gigabytes before the text is cut.
  it('stringifies a typed array as it does an array, item by item within the limits', () => {
    const items = `${'0,'.repeat(1000)}…4000 more`;
    expect(captureValue(new Uint8Array(5000), 'stringify')).toBe(items);
    expect(captureValue([new Float64Array(5000)], 'stringify')).toBe(items);
    expect(captureValue(new BigInt64Array([1n, 2n]), 'stringify')).toBe('1,2');
    expect(captureValue(Buffer.from('héllo'), 'stringify')).toBe('héllo');
    expect(captureValue(new DataView(new ArrayBuffer(4)), 'stringify')).toBe('[object DataView]');
  });

  // A Buffer's toString decodes every byte: `{$Body}` of 100 MB of binary data took 2 s of the
  // caller's time and made a 200 MB string, to keep 64 KiB of it.
  it('stringifies a typed array with a toString of its own (a Buffer) from the bytes the limit can keep', () => {
    const read: number[] = [];
    class Bytes extends Uint8Array {
      override toString(): string {
        read.push(this.length);
        return Buffer.from(this.buffer, this.byteOffset, this.length).toString('latin1');
      }
    }
    const body = new Bytes(10_000_000).fill(0x61);
    expect(captureValue(body, 'stringify', { maxStringLength: 10 })).toBe('aaaaaaaaaa…[truncated 9999990 chars]');
    expect(captureValue([body], 'stringify', { maxStringLength: 10 })).toBe('aaaaaaaaaa…[truncated 9999990 chars]');
    expect(read).toEqual([33, 33]);
    const limit = 64 * 1024;
    const buffer = Buffer.alloc(10_000_000, 'a');
    const text = `${'a'.repeat(limit)}…[truncated ${10_000_000 - limit} chars]`;
    expect(captureProperties(parseTemplate('{$Body}'), [buffer])).toEqual({ Body: text });
    expect(captureProperties(parseTemplate('{$Body}'), [[buffer]])).toEqual({ Body: text });
    // What it keeps is what String() writes; the marker counts each byte left unread as a character (exact for ASCII):
    // 100 000 euro signs are 300 000 bytes, of which 3 × 65 536 + 3 are read.
    const euros = captureValue(Buffer.from('€'.repeat(100_000)), 'stringify') as string;
    expect(euros.startsWith('€'.repeat(limit) + '…')).toBe(true);
    expect(euros.slice(limit)).toBe(`…[truncated ${1 + 300_000 - (3 * limit + 3)} chars]`);
    // A Buffer of up to 3 × maxStringLength + 3 bytes is read whole, as before.
    expect(captureValue(Buffer.from('€'.repeat(65_537)), 'stringify')).toBe(`${'€'.repeat(limit)}…[truncated 1 chars]`);
  });

  it('stringifies an array as String() does: Errors as "Error: message", null and undefined as nothing', () => {
    const items = [new Error('first'), new TypeError('second'), null, undefined, new Date(0), { a: 1 }, [null, 2]];
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- String() of the array is the reference
    expect(captureValue(items, 'stringify')).toBe(String(items));
  });

  // Array.prototype.join writes an array met again inside itself as nothing; without that check, rxlog joined it
  // again down to maxDepth ('1,1,1,1,1,1,1,1,1,1,1,' where String() writes '1,').
  it('stringifies an array that contains itself as String() does', () => {
    const self: unknown[] = [1];
    self.push(self);
    const outer: unknown[] = ['a', [2]];
    (outer[1] as unknown[]).push(outer, 'b');
    const shared = [3];
    const twice = [shared, shared];
    for (const value of [self, outer, twice]) {
      expect(captureValue(value, 'stringify')).toBe(String(value));
    }
    expect(captureValue(self, 'stringify')).toBe('1,');
  });

  it('replaces a reference to an enclosing object with [Circular]', () => {
    const node: Record<string, unknown> = { name: 'root' };
    node.self = node;
    node.children = [{ parent: node }];
    expect(captureValue(node)).toEqual({ name: 'root', self: '[Circular]', children: [{ parent: '[Circular]' }] });
  });

  it('keeps an object referenced twice side by side, which is not circular', () => {
    const shared = { id: 1 };
    expect(captureValue({ a: shared, b: shared, list: [shared, shared] })).toEqual({
      a: { id: 1 },
      b: { id: 1 },
      list: [{ id: 1 }, { id: 1 }],
    });
  });

  it('captures a throwing getter as a marker and reports it to SelfLog', () => {
    let captured: unknown;
    const seen = diagnostics(() => {
      captured = captureValue({
        ok: 1,
        get bad(): number {
          throw new Error('boom');
        },
      });
    });
    expect(captured).toEqual({ ok: 1, bad: '[Throws: boom]' });
    expect(seen).toHaveLength(1);
    expect(seen[0].message).toContain('boom');
  });

  it('captures a Proxy whose every trap throws as a marker', () => {
    let captured: unknown;
    const seen = diagnostics(() => {
      captured = captureValue({ proxy: hostileProxy() }, 'structure');
    });
    expect(captured).toEqual({ proxy: '[Throws: trap]' });
    expect(seen.length).toBeGreaterThan(0);
  });

  it('captures a toJSON that throws as a marker', () => {
    const seen = diagnostics(() => {
      expect(
        captureValue({
          toJSON() {
            throw new Error('nope');
          },
        }),
      ).toBe('[Throws: nope]');
    });
    expect(seen).toHaveLength(1);
  });

  it('captures a toString that throws as a marker', () => {
    const value = {
      toString(): string {
        throw new Error('no string');
      },
    };
    expect(captureValue(value, 'stringify')).toBe('[Throws: no string]');
  });

  it('survives an error whose message getter throws', () => {
    const hostileError = {
      get message(): string {
        throw new Error('again');
      },
    };
    const value = {
      get bad(): number {
        throw hostileError;
      },
    };
    expect(captureValue(value)).toEqual({ bad: '[Throws: [object Object]]' });
  });

  // Built inside the property: fast-check itself would trip over a hostile Proxy it generated.
  const hostileValues: ReadonlyArray<() => unknown> = [
    hostileProxy,
    () => ({
      get bad(): never {
        throw new Error('x');
      },
    }),
    () => ({
      toJSON(): never {
        throw new Error('x');
      },
    }),
    () => Object.create(null),
    () => new Map([[{}, 1]]),
    () => Symbol('s'),
    () => 10n,
    () => new Date(Number.NaN),
    () => Object.assign(new Error('e'), { extra: hostileProxy() }),
  ];
  const anything = anyValue();
  const pick = fc.nat({ max: hostileValues.length * 2 });
  const input = (value: unknown, index: number): unknown => (index < hostileValues.length ? hostileValues[index]() : value);

  it('never throws, for any value and capturing', () => {
    fc.assert(
      fc.property(
        anything,
        pick,
        fc.constantFrom('default' as const, 'structure' as const, 'stringify' as const),
        (value, index, capturing) => {
          captureValue(input(value, index), capturing);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('captures values that survive CLEF formatting and JSON.parse', () => {
    const formatter = new CompactJsonFormatter();
    const template = parseTemplate('{@Value}');
    fc.assert(
      fc.property(anything, pick, (value, index) => {
        const properties = captureProperties(template, [input(value, index)]);
        const parsed = JSON.parse(
          formatter.format(new LogEventRecord(new Date(0), 'information', template, properties)),
        ) as Record<string, unknown>;
        expect(parsed['@mt']).toBe('{@Value}');
        expect('Value' in parsed).toBe(properties.Value !== undefined);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps JSON data equal through capture, CLEF and JSON.parse', () => {
    const formatter = new CompactJsonFormatter();
    const template = parseTemplate('{@Value}');
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6, noUnicodeString: false }), (value) => {
        const normalized = JSON.parse(JSON.stringify(value)) as unknown;
        const properties = captureProperties(template, [normalized]);
        const parsed = JSON.parse(
          formatter.format(new LogEventRecord(new Date(0), 'information', template, properties)),
        ) as Record<string, unknown>;
        expect(parsed.Value).toEqual(normalized);
      }),
      { numRuns: 300 },
    );
  });
});

// JSON.stringify writes new Number(5) as 5 (SerializeJSONProperty unboxes Number, String, Boolean and
// BigInt objects), and so does pino; rxlog also unboxes a Symbol object, as the symbol it holds.
describe('captureValue of boxed primitives', () => {
  const boxes: ReadonlyArray<[string, () => object, unknown, string]> = [
    ['new Number(5)', () => new Number(5), 5, '5'],
    ['new Number(NaN)', () => new Number(Number.NaN), Number.NaN, 'NaN'],
    ["new String('x')", () => new String('x'), 'x', 'x'],
    ['new Boolean(false)', () => new Boolean(false), false, 'false'],
    ['Object(10n)', () => Object(10n) as object, 10n, '10'],
    ["Object(Symbol('s'))", () => Object(Symbol('s')) as object, 'Symbol(s)', 'Symbol(s)'],
  ];

  it.each(boxes)('captures %s as the scalar it boxes, with every hint', (_name, box, scalar, text) => {
    expect(captureValue(box())).toStrictEqual(scalar);
    expect(captureValue(box(), 'structure')).toStrictEqual(scalar);
    expect(captureValue(box(), 'stringify')).toBe(text);
    expect(captureProperties(parseTemplate('{A} {@B} {$C}'), [box(), box(), box()])).toStrictEqual({
      A: scalar,
      B: scalar,
      C: text,
    });
  });

  it.each(boxes)('captures %s inside destructured objects and arrays as the scalar it boxes', (_name, box, scalar) => {
    expect(captureValue({ a: box(), list: [box(), { b: box() }] }, 'structure')).toStrictEqual({
      a: scalar,
      list: [scalar, { b: scalar }],
    });
    expect(captureValue([new Map([['k', box()]]), new Set([box()])])).toStrictEqual([{ k: scalar }, [scalar]]);
  });

  it('writes boxed numbers, strings and booleans to CLEF as JSON.stringify does', () => {
    const template = parseTemplate('{@Order}');
    const order = { id: new Number(7), name: new String('ann'), paid: new Boolean(false) };
    const properties = captureProperties(template, [order]);
    const line = new CompactJsonFormatter().format(new LogEventRecord(new Date(0), 'information', template, properties));
    const written = (JSON.parse(line) as { Order: unknown }).Order;
    expect(written).toEqual({ id: 7, name: 'ann', paid: false });
    expect(written).toEqual(JSON.parse(JSON.stringify(order)));
  });

  it('reads the boxed value from its internal slot: a subclass whose valueOf, toString and toPrimitive throw never runs them', () => {
    class Hostile extends Number {
      override valueOf(): number {
        throw new Error('valueOf');
      }
      override toString(): string {
        throw new Error('toString');
      }
      [Symbol.toPrimitive](): never {
        throw new Error('toPrimitive');
      }
    }
    const seen = diagnostics(() => {
      expect(captureProperties(parseTemplate('{A} {@B} {$C}'), [new Hostile(5), new Hostile(6), new Hostile(7)])).toEqual({
        A: 5,
        B: 6,
        C: '7',
      });
      expect(captureValue({ nested: [new Hostile(8)] }, 'structure')).toEqual({ nested: [8] });
    });
    expect(seen).toHaveLength(0);
  });

  it('captures a Proxy of a boxed value, which holds no internal slot, as the object it is (JSON.stringify writes {})', () => {
    const proxy = (): object => new Proxy(new Number(5), {});
    expect(captureValue(proxy(), 'structure')).toEqual({});
    expect(captureValue(proxy())).toMatch(/^\[Throws: /);
    expect(captureValue(proxy(), 'stringify')).toMatch(/^\[Throws: /);
    expect(captureValue(Object.create(Number.prototype) as object, 'structure')).toEqual({});
    class ValueOfGetterThrows {
      x = 1;
      get valueOf(): never {
        throw new Error('valueOf getter');
      }
    }
    expect(captureValue(new ValueOfGetterThrows(), 'structure')).toEqual({ x: 1 });
  });

  it('captures a Proxy whose every trap throws, given with any hint, as a marker', () => {
    for (const capturing of ['default', 'structure', 'stringify'] as const) {
      expect(captureValue(hostileProxy(), capturing)).toMatch(/^\[Throws: /);
    }
  });
});

describe('captureValue marks trees of plain JSON data', () => {
  // The mark lets writeJson use JSON.stringify; these are the values where the two would differ.
  const order = {
    id: 'o-1',
    total: 129.5,
    coupon: null,
    express: true,
    note: undefined,
    at: new Date(0),
    lines: [{ sku: 'a', qty: -0 }],
    customer: { name: 'Ann \u0000 \ud800', toJSON: 'not a function' },
    [Symbol('s')]: 1,
    fn: () => 1,
    sym: Symbol('v'),
  };

  it('marks a captured tree of strings, finite numbers, booleans, null, undefined, valid Dates, arrays and plain objects', () => {
    expect(isJsonSafe(captureValue(order) as object)).toBe(true);
    expect(isJsonSafe(captureValue(order, 'structure') as object)).toBe(true);
    expect(isJsonSafe(captureValue([1, 'a', [true]]) as object)).toBe(true);
  });

  it('marks trees whose hostile parts became marker strings', () => {
    const value = {
      get bad(): number {
        throw new Error('getter');
      },
      proxy: hostileProxy(),
      self: undefined as unknown,
    };
    value.self = value;
    const captured = captureValue(value) as Record<string, unknown>;
    expect(captured).toEqual({ bad: '[Throws: getter]', proxy: '[Throws: trap]', self: '[Circular]' });
    expect(isJsonSafe(captured)).toBe(true);
  });

  it.each([
    ['NaN', Number.NaN],
    ['Infinity', Infinity],
    ['-Infinity', -Infinity],
    ['a bigint', 10n],
    ['an invalid Date', new Date(Number.NaN)],
  ])('does not mark a tree holding %s, however deep', (_name, bad) => {
    expect(isJsonSafe(captureValue({ a: bad }) as object)).toBe(false);
    expect(isJsonSafe(captureValue({ a: { b: [1, { c: bad }] } }) as object)).toBe(false);
    expect(isJsonSafe(captureValue([bad]) as object)).toBe(false);
    expect(isJsonSafe(captureValue(new Map([['k', bad]])) as object)).toBe(false);
    expect(isJsonSafe(captureValue({ toJSON: () => ({ a: bad }) }) as object)).toBe(false);
  });

  it('marks a tree captured with the deepest maxDepth, which writeJson follows', () => {
    expect(isJsonSafe(captureValue({ a: 1 }, 'default', { maxDepth: 63 }) as object)).toBe(true);
  });

  it('never marks the argument itself, only the copy it makes', () => {
    const argument = { a: 1 };
    expect(captureValue(argument)).not.toBe(argument);
    expect(isJsonSafe(argument)).toBe(false);
  });
});

describe('captureProperties', () => {
  it('binds arguments to named holes left to right', () => {
    expect(captureProperties(parseTemplate('{A} then {B}'), [1, 'two'])).toEqual({ A: 1, B: 'two' });
  });

  it('keeps extra arguments as __i, i being their index', () => {
    expect(captureProperties(parseTemplate('{A}'), [1, 2, 3])).toEqual({ A: 1, __1: 2, __2: 3 });
    expect(captureProperties(parseTemplate('no holes'), ['x'])).toEqual({ __0: 'x' });
  });

  // An extra named __2 overwrote the hole {__2}: the hole rendered the extra, and its own argument was lost.
  it('keeps an extra argument whose __i a hole already names as __i#i, the hole keeping its own argument', () => {
    const template = parseTemplate('{__2} {A}');
    const properties = captureProperties(template, [1, 2, 3]);
    expect(properties).toEqual({ __2: 1, A: 2, '__2#2': 3 });
    expect(renderTemplate(template, properties)).toBe('1 2');
  });

  it('keeps at most maxCollectionLength extra arguments, with a "…" property saying how many were left out', () => {
    const args = Array.from({ length: 100_000 }, (_, i) => i);
    const named = captureProperties(parseTemplate('{A}'), args);
    expect(Object.keys(named)).toHaveLength(1 + 1000 + 1);
    expect(named).toMatchObject({ A: 0, __1: 1, __1000: 1000, '…': '…98999 more' });
    expect(named).not.toHaveProperty('__1001');
    const positional = captureProperties(parseTemplate('{1} {0}'), args.slice(0, 10), { maxCollectionLength: 3 });
    expect(positional).toEqual({ 1: 1, 0: 0, __2: 2, __3: 3, __4: 4, '…': '…5 more' });
    expect(captureProperties(parseTemplate('{A}'), [1, 2, 3], { maxCollectionLength: 2 })).toEqual({ A: 1, __1: 2, __2: 3 });
  });

  // A binder that looked up each argument among the holes took seconds here (quadratic), inside the log call.
  it('binds 200 000 positional holes and as many arguments in linear time', async () => {
    const count = 200_000;
    const template = parseTemplate(Array.from({ length: count }, (_, i) => `{${i}}`).join(' '));
    const args = Array.from({ length: count + 3 }, (_, i) => i);
    let properties: Record<string, unknown> = {};
    // Linear: tens of milliseconds; quadratic: over ten seconds on the same machine. CPU time,
    // which a loaded machine does not stretch.
    expect(await cpuMs(() => void (properties = captureProperties(template, args)))).toBeLessThan(3_000);
    expect(properties[0]).toBe(0);
    expect(properties[count - 1]).toBe(count - 1);
    expect(properties).toMatchObject({ [`__${count}`]: count, [`__${count + 2}`]: count + 2 });
    expect(Object.keys(properties)).toHaveLength(count + 3);
  });

  // Object.keys lists every key, however many are kept: 100 references to an object of 10⁶ keys (a lookup table
  // logged in a list) listed them 100 times, a minute inside the log call.
  it('lists the keys of an object larger than maxCollectionLength once per call, however often it is held', () => {
    let listed = 0;
    const keys = Array.from({ length: 2000 }, (_, i) => `k${i}`);
    const table = new Proxy(Object.fromEntries(keys.map((key) => [key, 1])), {
      ownKeys: (target) => {
        listed++;
        return Reflect.ownKeys(target);
      },
    });
    const captured = captureProperties(parseTemplate('{A} {B}'), [Array(50).fill(table), { again: table }]);
    expect(listed).toBe(1);
    expect((captured.A as Record<string, unknown>[])[49]).toMatchObject({ k0: 1, k999: 1, '…': '…1000 more' });
    expect(captured.B).toMatchObject({ again: { k0: 1, '…': '…1000 more' } });
    // An Error's keys, its own properties among them, alike.
    const failure = new Proxy(Object.assign(new Error('x'), table), {
      ownKeys: (target) => (listed++, Reflect.ownKeys(target)),
    });
    listed = 0;
    const errors = captureValue(Array(50).fill(failure)) as Record<string, unknown>[];
    expect(listed).toBe(1);
    expect(errors[49]).toMatchObject({ name: 'Error', message: 'x', k0: 1, '…': '…1003 more' });
    // A small object is listed each time, as it costs no more than its copy.
    listed = 0;
    const small = new Proxy({ a: 1 }, { ownKeys: (target) => (listed++, Reflect.ownKeys(target)) });
    captureValue([small, small]);
    expect(listed).toBe(2);
  });

  it('shares one budget among all the arguments of a call', () => {
    let nested: unknown = 1;
    for (let level = 0; level < 2; level++) nested = Array.from({ length: 1000 }, () => nested);
    const args = Array.from({ length: 1000 }, () => nested);
    const captured = captureProperties(parseTemplate('{A}'), args);
    // The arguments themselves, and at most 100 000 items inside them.
    expect(countItems(captured)).toBeLessThanOrEqual(1000 + 100_000);
    expect(captured.__999).toEqual(['…1000 more']);
  });

  it('leaves out holes that get no argument', () => {
    expect(captureProperties(parseTemplate('{A} {B}'), [1])).toEqual({ A: 1 });
  });

  it('binds positional holes by index', () => {
    expect(captureProperties(parseTemplate('{1} before {0}'), ['zero', 'one'])).toEqual({ 0: 'zero', 1: 'one' });
  });

  it('keeps arguments no positional hole takes as __i', () => {
    expect(captureProperties(parseTemplate('{1}'), ['zero', 'one'])).toEqual({ 1: 'one', __0: 'zero' });
  });

  it('binds by name when named and positional holes are mixed', () => {
    expect(captureProperties(parseTemplate('{Name} {0}'), ['a', 'b'])).toEqual({ Name: 'a', 0: 'b' });
  });

  // Serilog's PropertyToken.TryGetPositionalValue is int.TryParse: a hole of digits past int32 is named, not positional.
  it('binds a hole of digits past 2147483647 by name, as Serilog does', () => {
    expect(captureProperties(parseTemplate('{99999999999}'), ['a', 'b'])).toEqual({ 99999999999: 'a', __1: 'b' });
    expect(captureProperties(parseTemplate('{0} {2147483648}'), ['a', 'b'])).toEqual({ 0: 'a', 2147483648: 'b' });
    expect(captureProperties(parseTemplate('{2147483647}'), ['a'])).toEqual({ __0: 'a' });
  });

  // Serilog 4 (PropertyToken: int.TryParse(name, NumberStyles.None, InvariantCulture); PropertyBinder fills an array
  // by that index, so of holes of one index the last binds, under its own name; MessageTemplateParser: a name starting
  // with a char.IsDigit is digits only, else an identifier). With the arguments 'a', 'b'. Where Serilog drops an
  // argument no positional hole takes, rxlog keeps it as __i (documented in docs/conformance.md).
  it.each([
    ['{01} {1}', { 1: 'b', __0: 'a' }, '{01} b'],
    ['{1} {01}', { '01': 'b', __0: 'a' }, '{1} b'],
    ['{1} {01} {1}', { 1: 'b', __0: 'a' }, 'b {01} b'],
    ['{0} {00} {1}', { '00': 'a', 1: 'b' }, '{0} a b'],
    ['{01}', { '01': 'b', __0: 'a' }, 'b'],
    ['{ 1} {+1} {1.0}', { __0: 'a', __1: 'b' }, '{ 1} {+1} {1.0}'],
    ['{\u0661}', { '\u0661': 'a', __1: 'b' }, 'a'],
    ['{\u0661} {1}', { '\u0661': 'a', 1: 'b' }, 'a b'],
    ['{2147483648} {1}', { 2147483648: 'a', 1: 'b' }, 'a b'],
    ['{2147483647} {1}', { 1: 'b', __0: 'a' }, '{2147483647} b'],
  ])('binds %p with "a", "b" as Serilog does: %p, rendering %p', (text, properties, rendered) => {
    const template = parseTemplate(text);
    const captured = captureProperties(template, ['a', 'b']);
    expect(captured).toEqual(properties);
    expect(renderTemplate(template, captured)).toBe(rendered);
  });

  it('keeps the later value for a repeated name', () => {
    expect(captureProperties(parseTemplate('{A} {A}'), [1, 2])).toEqual({ A: 2 });
  });

  // Serilog's LogEventPropertyCapturingTests (ProvidingMoreParametersThanNamedPropertiesInTheTemplateWillSelfLog,
  // ProvidingParametersWhenTemplateHasNoPropertiesWillSelfLog): a call with more values than its template takes is told
  // to SelfLog, so a stray __1 can be traced to its call. rxlog wrote nothing.
  it.each([
    ['Hello {who}', ['world', 'extra'], 'Message template "Hello {who}": 1 extra argument(s) kept as __i'],
    ['No properties here', [42, 43], 'Message template "No properties here": 2 extra argument(s) kept as __i'],
    ['{0} {0}', ['a', 'b'], 'Message template "{0} {0}": 1 extra argument(s) kept as __i'],
  ])('tells SelfLog of the arguments no hole of %p takes', (text, args, message) => {
    const seen = diagnostics(() => captureProperties(parseTemplate(text), args));
    expect(seen.map((event) => event.message.replace(/^\S+ rxlog: /, ''))).toEqual([message]);
  });

  // Unlike Serilog ("Named property count does not match parameter count"): a child logger's, the context's or an
  // enricher's property fills a hole no argument does (request logging writes 'HTTP {RequestMethod} …' so).
  it('tells SelfLog nothing when every value has a hole, holes without a value included', () => {
    for (const [text, args] of [
      ['Hello {who}', ['world']],
      ['Hello {who} {what} {where}', ['who', 'what']],
      ['Hello {1}, {0}', ['world']],
      ['{A} {B}, {A} again', [1, 2]],
      ['{A} {A}', [1, 2]],
      ['No properties here', []],
    ] as const) {
      expect(diagnostics(() => captureProperties(parseTemplate(text), args))).toEqual([]);
    }
  });

  it('honours each hole capturing hint', () => {
    expect(captureProperties(parseTemplate('{P} {@Q} {$R}'), [new Point(1, 2), new Point(3, 4), 5])).toEqual({
      P: '[object Object]',
      Q: { x: 3, y: 4 },
      R: '5',
    });
  });

  it('captures at the call, so later mutation of an argument cannot change the event', () => {
    const cart = { items: ['a'] };
    const properties = captureProperties(parseTemplate('{@Cart}'), [cart]);
    cart.items.push('b');
    expect(properties).toEqual({ Cart: { items: ['a'] } });
  });

  it('applies the limits to every argument', () => {
    expect(captureProperties(parseTemplate('{S}'), ['abcdef'], { maxStringLength: 3 })).toEqual({ S: 'abc…[truncated 3 chars]' });
  });

  // A limit read from an unset environment variable (NaN) captured strings and depth without any bound, and a
  // maxCollectionLength of NaN kept nothing: each is compared and multiplied as the capture walks.
  it.each([
    ['maxStringLength', Number.NaN],
    ['maxDepth', Number.NaN],
    ['maxCollectionLength', Number.NaN],
    ['maxDepth', -1],
    ['maxStringLength', 2.5],
    ['maxCollectionLength', Infinity],
    ['maxStringLength', '10'],
  ])('refuses the limit %s: %p with a ConfigurationError naming it', (name, value) => {
    const limits = { [name]: value } as CaptureLimits;
    const message = new RegExp(`CaptureLimits.${name}: expected a whole number`);
    expect(() => captureValue('x'.repeat(100), 'default', limits)).toThrow(ConfigurationError);
    expect(() => captureValue('x'.repeat(100), 'default', limits)).toThrow(message);
    // Even for arguments that need no walk: whether a call throws does not depend on its values.
    expect(() => captureProperties(parseTemplate('{A}'), [1], limits)).toThrow(message);
    expect(() => captureProperties(parseTemplate('{A}'), [1], null as unknown as CaptureLimits)).not.toThrow();
  });

  // Capture recurses: a maxDepth of 5 000 ran out of stack some 1 000 levels down (fewer from a
  // deep call: 384 from 6 000 frames) and kept '[Throws: Maximum call stack size exceeded]' there,
  // at a depth set by the caller's stack, where every writer cuts at 63 levels anyway.
  it('refuses a maxDepth past the 63 levels rxlog’s writers follow, and keeps 63 from a deep stack', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 5_000; i++) deep = { n: deep };
    const onStack = <T>(frames: number, run: () => T): T => (frames === 0 ? run() : onStack(frames - 1, run));
    for (const maxDepth of [64, 5_000, Number.MAX_SAFE_INTEGER]) {
      const message = `CaptureLimits.maxDepth: expected a whole number from 0 to 63, got number ${maxDepth}`;
      expect(() => onStack(6_000, () => captureValue(deep, 'default', { maxDepth }))).toThrow(message);
      expect(() => captureProperties(parseTemplate('{@Deep}'), [deep], { maxDepth })).toThrow(message);
    }
    let kept = onStack(6_000, () => captureValue(deep, 'default', { maxDepth: 63 }));
    let levels = 0;
    for (; typeof kept === 'object' && kept !== null; levels++) kept = (kept as { n: unknown }).n;
    expect([levels, kept]).toEqual([63, '[MaxDepth]']);
  });

  it('binds a hole named __proto__ as an own property', () => {
    const properties = captureProperties(parseTemplate('{__proto__}'), [{ polluted: true }]);
    expect(Object.getPrototypeOf(properties)).toBe(Object.prototype);
    expect(Object.keys(properties)).toEqual(['__proto__']);
  });

  it('never throws, for any template and arguments', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 30 }),
        fc.array(fc.anything({ withBigInt: true, withDate: true, withMap: true }), { maxLength: 5 }),
        (template, args) => {
          captureProperties(parseTemplate(template), args);
        },
      ),
      { numRuns: 300 },
    );
  });
});
