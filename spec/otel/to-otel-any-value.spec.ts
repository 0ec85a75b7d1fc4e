import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { toOtelAnyValue, toOtelAttributes } from '../../lib/otel/to-otel-any-value';
import { defineGetter, getterEntries, thrownMarker } from '../helpers/throwing-getters';
import { collectSelfLog } from '../helpers/self-log';

/** A getter (or Proxy trap) that throws `message`. */
function throwing(message: string): () => never {
  return () => {
    throw new Error(message);
  };
}

// Values that were never captured reach sinks too (an app operator's, an app-built event's, a
// thrown request's): one that holds itself twice was converted 2^32 times over, for hours.
describe('toOtelAnyValue', () => {
  it('gives a value where it recurs inside itself as "[Circular]", at once', () => {
    const cyclic: Record<string, unknown> = { n: 1 };
    cyclic.self = cyclic;
    cyclic.again = [cyclic];
    expect(toOtelAnyValue(cyclic)).toEqual({ n: 1, self: '[Circular]', again: ['[Circular]'] });
    const shared = { n: 1 };
    expect(toOtelAnyValue([shared, shared])).toEqual([{ n: 1 }, { n: 1 }]);
  });
});

// A Date of another realm (a vm context's, an iframe's) fails instanceof Date; its toJSON gives null when invalid.
describe('toOtelAnyValue with a Date of another realm', () => {
  it('gives it as this realm’s Date: an invalid one as "Invalid Date", never null', () => {
    const invalid = runInNewContext('new Date(NaN)') as Date;
    expect(invalid instanceof Date).toBe(false);
    expect(toOtelAnyValue(invalid)).toBe('Invalid Date');
    expect(toOtelAnyValue({ at: invalid })).toEqual(toOtelAnyValue({ at: new Date(Number.NaN) }));
    expect(toOtelAnyValue(runInNewContext('new Date(0)'))).toBe('1970-01-01T00:00:00.000Z');
  });
});

describe('toOtelAnyValue with a map holding a __proto__ or constructor member', () => {
  it('gives the outermost such map as its JSON text, and the maps and arrays around it as they are', () => {
    const body: unknown = JSON.parse('{"list":[{"__proto__":{"isAdmin":true},"inner":{"constructor":"X"}}],"ok":{"n":1}}');
    expect(toOtelAnyValue(body)).toEqual({
      list: ['{"__proto__":{"isAdmin":true},"inner":{"constructor":"X"}}'],
      ok: { n: 1 },
    });
    expect(toOtelAttributes({ Ctor: { constructor: 1 }, Plain: { n: 1 } })).toEqual({
      Ctor: '{"constructor":1}',
      Plain: { n: 1 },
    });
  });
});

describe('toOtelAnyValue with a function', () => {
  // String(fn) is its source code; CLEF's writer writes '[Function]', and the SDK drops a function
  // attribute as invalid (isLogAttributeValue).
  it('gives "[Function]", never its source code', () => {
    function secret(): string {
      return 'api-key-123';
    }
    expect(toOtelAnyValue(secret)).toBe('[Function]');
    expect(toOtelAttributes({ Handler: () => 1, List: [class Point {}] })).toEqual({
      Handler: '[Function]',
      List: ['[Function]'],
    });
  });
});

describe('toOtelAnyValue with a Proxy for an array', () => {
  // Every loop bounded: the length is read (and made a number) once, and the items converted are
  // those counted against the record's budget.
  it('reads the length once, as a number: a Proxy whose length changes gives what was counted, one whose length is NaN or negative "[Truncated]"', () => {
    let reads = 0;
    const growing = new Proxy([1, 2], {
      get: (target, key) => (key === 'length' ? (reads++ === 0 ? 2 : 4) : (Reflect.get(target, key) as unknown)),
    });
    expect(toOtelAnyValue(growing)).toEqual([1, 2]);
    let calls = 2;
    const creeping = new Proxy([1, 2], {
      get: (target, key) => (key === 'length' ? { valueOf: () => Math.min(calls++, 5) } : (Reflect.get(target, key) as unknown)),
    });
    expect(toOtelAnyValue(creeping)).toEqual([1, 2]);
    const proxy = (length: number): unknown[] =>
      new Proxy([], { get: (target, key) => (key === 'length' ? length : (Reflect.get(target, key) as unknown)) });
    let shared: unknown = 1;
    for (let level = 0; level < 3; level++) shared = Array.from({ length: 110 }, () => shared);
    const attributes = toOtelAttributes({ Odd: proxy(Number.NaN), Negative: proxy(-1e300), Shared: shared });
    expect([attributes.Odd, attributes.Negative]).toEqual(['[Truncated]', '[Truncated]']);
    expect((attributes.Shared as unknown[])[109]).toBe('[Truncated]');
  });
});

describe('toOtelAnyValue with a typed array', () => {
  // Capture makes a typed array a plain array of its numbers; the SDK keeps a Uint8Array as bytes.
  it('gives a Uint8Array as it is and another typed array as an array of its numbers, counted by its length', () => {
    const bytes = new Uint8Array([1, 2]);
    expect(toOtelAnyValue(bytes)).toBe(bytes);
    expect(toOtelAnyValue(new Float32Array([0.5, 2]))).toEqual([0.5, 2]);
    expect(toOtelAnyValue(new BigUint64Array([2n ** 64n - 1n]))).toEqual(['18446744073709551615']);
    expect(toOtelAnyValue(new Int16Array(2 ** 20 + 1))).toBe('[Truncated]');
  });
});

describe('toOtelAttributes', () => {
  it('converts at most 2^20 items of a record, for a value that holds the same objects many times over', () => {
    let shared: unknown = 1;
    for (let level = 0; level < 3; level++) shared = Array.from({ length: 200 }, () => shared);
    const attributes = toOtelAttributes({ Shared: shared, After: 'kept' });
    const outer = attributes.Shared as unknown[][][];
    expect(outer[0][0]).toHaveLength(200);
    expect(outer[199]).toBe('[Truncated]');
    expect(attributes.After).toBe('kept');
    // The next record has the whole budget again.
    expect(toOtelAttributes({ List: [1, 2] })).toEqual({ List: [1, 2] });
  });
});

// An event built in JavaScript (an app operator's copy, a sink's emit called directly) can hold
// values that throw when read: each is its own attribute, so one that cannot be read is sent under
// its key as the marker capture and CLEF's writer put there, and the others are sent as usual.
describe('toOtelAttributes with values that throw when read', () => {
  it('gives each one [Throws: message] in its place, the rest as usual, with one SelfLog report', () => {
    const properties: Record<string, unknown> = { A: 1 };
    Object.defineProperty(properties, 'Bad', { enumerable: true, get: throwing('nope') });
    properties.C = 'kept';
    properties.Nested = Object.assign(Object.defineProperty({ x: 1 }, 'y', { enumerable: true, get: throwing('inner') }), {
      z: 3,
    });
    properties.List = Object.defineProperty([1, 2, 3], 1, { get: throwing('index') });
    properties.Keys = new Proxy({}, { ownKeys: throwing('keys') });
    properties.Last = true;
    const { diagnostics, stop } = collectSelfLog();
    let attributes: ReturnType<typeof toOtelAttributes>;
    try {
      attributes = toOtelAttributes(properties);
    } finally {
      stop();
    }
    expect(attributes).toEqual({
      A: 1,
      Bad: '[Throws: nope]',
      C: 'kept',
      Nested: { x: 1, y: '[Throws: inner]', z: 3 },
      List: [1, '[Throws: index]', 3],
      Keys: '[Throws: keys]',
      Last: true,
    });
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0].message).toContain('4 unreadable value(s) of an event');
    expect(diagnostics[0].message).toContain('[Throws: nope]');
  });

  it('gives each readable property as it gives it alone, and each one that throws its marker, for any mix', () => {
    fc.assert(
      fc.property(getterEntries, (entries) => {
        const properties: Record<string, unknown> = {};
        const expected: Record<string, unknown> = {};
        for (const entry of entries) {
          const [key, value, throws] = entry;
          defineGetter(properties, entry);
          const alone = toOtelAttributes(Object.defineProperty({}, key, { enumerable: true, value }));
          const marker = thrownMarker(key);
          // A key '' is no attribute key: left out, read or not.
          if (key !== '' && (throws || Object.hasOwn(alone, key)))
            Object.defineProperty(expected, key, { enumerable: true, value: throws ? marker : alone[key] });
        }
        const attributes = toOtelAttributes(properties);
        expect(Object.keys(attributes)).toEqual(Object.keys(expected));
        expect(attributes).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });

  it('cuts a long message to 200 characters, and gives properties whose keys cannot be listed one rxlog.unreadable attribute', () => {
    const long = Object.defineProperty({}, 'Bad', { enumerable: true, get: throwing('x'.repeat(100_000)) });
    expect(toOtelAttributes(long)).toEqual({ Bad: `[Throws: ${'x'.repeat(200)}…]` });
    expect(toOtelAttributes(new Proxy({}, { ownKeys: throwing('no keys') }))).toEqual({
      'rxlog.unreadable': '[Throws: no keys]',
    });
  });
});
