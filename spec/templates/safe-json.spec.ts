import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { type CaptureLimits, captureValue } from '../../lib/templates/capture';
import { isJsonSafe } from '../../lib/templates/json-safe-captures';
import { jsonDate, jsonNumber, quoteJson, writeJson } from '../../lib/templates/safe-json';
import { parseJsonExact } from '../../lib/formatting/parse-json-exact';
import { anyValue } from '../helpers/arbitraries';
import { makeEvent } from '../helpers/events';
import { CompactJsonFormatter } from '../../lib/formatting/compact-json-formatter';
import { NdjsonFormatter } from '../../lib/formatting/ndjson-formatter';

/** A deep copy of a captured tree with the same keys, order and values, which capture did not mark. */
function unmarkedCopy(value: unknown): unknown {
  if (value instanceof Date) return new Date(value.getTime());
  if (Array.isArray(value)) return value.map(unmarkedCopy);
  if (typeof value !== 'object' || value === null) return value;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const item = unmarkedCopy((value as Record<string, unknown>)[key]);
    Object.defineProperty(copy, key, { value: item, enumerable: true, writable: true, configurable: true });
  }
  return copy;
}

/** Runs `body` with `key` of `target` replaced by `value`, then puts the original back. */
function patched(target: object, key: PropertyKey, value: unknown, body: () => void): void {
  const original = Object.getOwnPropertyDescriptor(target, key);
  Object.defineProperty(target, key, { value, writable: true, configurable: true });
  try {
    body();
  } finally {
    if (original === undefined) Reflect.deleteProperty(target, key);
    else Object.defineProperty(target, key, original);
  }
}

const trickyScalar = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 6 }),
  fc.constantFrom(-0, 0, 1e21, 1e-7, 5e-324, Number.MAX_VALUE, 2 ** 53 + 2, Number.NaN, Infinity, -Infinity),
  fc.double(),
  fc.bigInt(),
  fc.date({ noInvalidDate: false }),
  fc.constant(null).map(() => new Date(Number.NaN)),
  fc.constantFrom(undefined, null, true, false, '[Circular]', '[MaxDepth]', '…3 more'),
);
const trickyKey = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 6 }),
  fc.constantFrom('__proto__', '0', '10', '-1', '01', 'toJSON', '@t', 'constructor', 'hasOwnProperty', '…'),
);
const { tree } = fc.letrec((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small' },
    trickyScalar,
    fc.array(tie('tree'), { maxLength: 4 }),
    fc.dictionary(trickyKey, tie('tree'), { maxKeys: 5 }),
  ),
}));
const anyInput = fc.oneof(tree, anyValue({ withBoxedValues: true }));
const anyLimits: fc.Arbitrary<CaptureLimits> = fc.record({
  maxDepth: fc.constantFrom(1, 2, 3, 10, 63),
  maxCollectionLength: fc.constantFrom(1, 3, 1000),
  maxStringLength: fc.constantFrom(1, 5, 65536),
});

describe('writeJson', () => {
  it('writes JSON data as JSON.stringify does', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(writeJson(value)).toBe(JSON.stringify(value));
      }),
      { numRuns: 300 },
    );
  });

  it('writes bigint as an integer literal', () => {
    expect(writeJson({ n: 12345678901234567890n })).toBe('{"n":12345678901234567890}');
  });

  it('writes a bigint of more than 4300 digits, sign not counted, as a string of its digits, which rxlog reads back', () => {
    // parseJsonExact refuses a longer integer literal (MAX_EXACT_INTEGER_DIGITS, Python's int limit); Serilog's
    // JsonValueFormatter.FormatLiteralValue writes every BigInteger as a string (FormatLiteralObjectValue).
    const fits = 10n ** 4300n - 1n;
    const past = 10n ** 4300n;
    expect(writeJson(fits)).toBe('9'.repeat(4300));
    expect(writeJson(-fits)).toBe(`-${'9'.repeat(4300)}`);
    expect(writeJson(past)).toBe(`"1${'0'.repeat(4300)}"`);
    expect(writeJson(-past)).toBe(`"-1${'0'.repeat(4300)}"`);
    expect(writeJson({ n: [past] })).toBe(`{"n":["1${'0'.repeat(4300)}"]}`);
    for (const value of [fits, -fits, past, -past, { n: [past, fits] }])
      expect(() => parseJsonExact(writeJson(value))).not.toThrow();
  });

  it('writes NaN and infinities as strings', () => {
    expect(writeJson([Number.NaN, Infinity, -Infinity])).toBe('["NaN","Infinity","-Infinity"]');
  });

  it('leaves undefined out of objects and writes null for it in arrays', () => {
    expect(writeJson({ a: undefined, b: [undefined] })).toBe('{"b":[null]}');
    expect(writeJson(undefined)).toBe('null');
  });

  it('writes Dates as ISO strings', () => {
    expect(writeJson({ d: new Date(0), bad: new Date(Number.NaN) })).toBe(
      '{"d":"1970-01-01T00:00:00.000Z","bad":"Invalid Date"}',
    );
  });

  // Not captured (an event built by hand): Node's own Dates inside Jest, a vm context's. Its toJSON
  // wrote an invalid one as null, where one of this realm's is "Invalid Date".
  it('writes Dates of another realm as its own', () => {
    const [d, bad, wrapped] = runInNewContext('[new Date(0), new Date(NaN), { toJSON: () => new Date(NaN) }]') as unknown[];
    expect(writeJson({ d, bad, wrapped })).toBe('{"d":"1970-01-01T00:00:00.000Z","bad":"Invalid Date","wrapped":"Invalid Date"}');
    expect(writeJson({ tagged: { [Symbol.toStringTag]: 'Date' } })).toBe('{"tagged":{}}');
  });

  it('skips symbol keys and writes symbol values as strings', () => {
    expect(writeJson({ [Symbol('k')]: 1, s: Symbol('v') })).toBe('{"s":"Symbol(v)"}');
  });

  it('writes a cycle as [Circular]', () => {
    const node: Record<string, unknown> = {};
    node.self = node;
    expect(writeJson(node)).toBe('{"self":"[Circular]"}');
  });

  it('writes a throwing getter, toJSON or Proxy as a marker', () => {
    const value = {
      get bad(): number {
        throw new Error('getter');
      },
      json: {
        toJSON() {
          throw new Error('tojson');
        },
      },
      proxy: new Proxy(
        {},
        {
          ownKeys() {
            throw new Error('trap');
          },
          getPrototypeOf() {
            throw new Error('trap');
          },
        },
      ),
    };
    expect(JSON.parse(writeJson(value))).toEqual({ bad: '[Throws: getter]', json: '[Throws: tojson]', proxy: '[Throws: trap]' });
  });

  // JSON.stringify's SerializeJSONProperty: toJSON(key) once, then a Number, String, Boolean or BigInt
  // object as its primitive. Values that were not captured reach writeJson as they are (an app's
  // own events, a request tracker's values).
  it('writes boxed primitives as the primitives they hold, as JSON.stringify does', () => {
    const value = { n: new Number(1), s: new String('a"b'), f: new Boolean(false), list: [new Number(-0), new String('')] };
    expect(writeJson(value)).toBe(JSON.stringify(value));
    expect(writeJson({ big: Object(10n) as object })).toBe('{"big":10}');
    expect(writeJson(new String('top'))).toBe('"top"');
    expect(writeJson(new Number(Number.NaN))).toBe('"NaN"');
  });

  it('reads a box from its slot, so a subclass whose valueOf throws is still its primitive', () => {
    class Hostile extends Number {
      override valueOf(): number {
        throw new Error('valueOf');
      }
    }
    expect(writeJson({ n: new Hostile(7) })).toBe('{"n":7}');
  });

  it('writes what toJSON returns for its key, calls it once, leaves a member out when it returns undefined, and stays bounded', () => {
    const keyed = { toJSON: (key: string): string => `key:${key}` };
    const value = {
      a: keyed,
      list: [keyed, { toJSON: (): unknown => undefined }],
      gone: { toJSON: (): unknown => undefined },
      boxed: { toJSON: (): unknown => new Number(3) },
      nested: { toJSON: (): unknown => ({ x: keyed, y: { toJSON: () => 'not called on a toJSON result' } }) },
    };
    expect(JSON.parse(writeJson(value))).toEqual({
      a: 'key:a',
      list: ['key:0', null],
      boxed: 3,
      nested: { x: 'key:x', y: 'not called on a toJSON result' },
    });
    expect(writeJson(keyed)).toBe(JSON.stringify(keyed));
    expect(writeJson({ toJSON: (): unknown => undefined })).toBe('null');
    // Still bounded: a toJSON that returns its own ancestor is a cycle, a throwing one a marker.
    const outer: Record<string, unknown> = {};
    outer.inner = { toJSON: () => outer };
    expect(writeJson(outer)).toBe('{"inner":"[Circular]"}');
    expect(
      writeJson([
        {
          toJSON() {
            throw new Error('no');
          },
        },
      ]),
    ).toBe('["[Throws: no]"]');
  });

  it('writes a lone surrogate as U+FFFD, so every JSON reader takes the output (strict ones reject its escape)', () => {
    expect(writeJson('a\ud800b')).toBe('"a\ufffdb"');
    expect(writeJson(['\udc00', { 'k\ud800': 1 }])).toBe('["\ufffd",{"k\ufffd":1}]');
    // A pair stays as it is; the text backslash-u-d-8-0-0 is not a surrogate.
    expect(writeJson('😀 \\ud800 \\\ud800')).toBe('"😀 \\\\ud800 \\\\\ufffd"');
    expect(quoteJson('x'.repeat(50) + '\ud800')).toBe(`"${'x'.repeat(50)}\ufffd"`);
  });

  it('stops at depth 63', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 1000; i++) deep = [deep];
    expect(writeJson(deep)).toContain('"[MaxDepth]"');
  });

  // Serilog's CLEF reader (Serilog.Formatting.Compact.Reader, on Newtonsoft.Json's MaxDepth of 64)
  // refuses a line nested 65 containers deep, and a line is one object around its properties: a
  // value may nest 63 deep. writeJson followed 64 levels, so a deep value made a 65-deep line.
  it('writes a CLEF line nested at most 64 deep, as Serilog’s reader takes, whatever its values hold', () => {
    // Containers inside one another at the deepest point of a parsed value.
    const nesting = (value: unknown): number =>
      typeof value === 'object' && value !== null ? 1 + Math.max(0, ...Object.values(value).map(nesting)) : 0;
    let deep: unknown = 'bottom';
    for (let i = 0; i < 100; i++) deep = i % 2 === 0 ? [deep] : { d: deep };
    const formatter = new CompactJsonFormatter();
    // As written by an app's own event: capture keeps at most 63 levels (a maxDepth past 63 is refused).
    const line = formatter.format(makeEvent({ properties: { Deep: deep } }));
    expect(nesting(JSON.parse(line))).toBe(64);
    expect(line).toContain('"[MaxDepth]"');
  });

  // An app's own event, never captured: Object.keys of a Float64Array(1e7) lists ten million keys
  // (44 s in CLEF, 30 s in NDJSON) before any item bound applies.
  it('writes a typed array in an event built by hand as capture keeps one, in well under a second', () => {
    const samples = new Float64Array(1e7).fill(0.5);
    for (const formatter of [new CompactJsonFormatter(), new NdjsonFormatter()]) {
      const started = performance.now();
      const line = formatter.format(makeEvent({ properties: { Samples: samples } }));
      expect(performance.now() - started).toBeLessThan(1000);
      const written = JSON.parse(line) as { Samples?: unknown; Properties?: { Samples?: unknown } };
      const array = (written.Samples ?? written.Properties?.Samples) as unknown[];
      expect(array).toHaveLength(1001);
      expect(array[999]).toBe(0.5);
      expect(array[1000]).toBe('…9999000 more');
    }
  });

  it('writes typed arrays (bigint ones, of another realm, past the limit) as it writes their capture', () => {
    const values = [
      new Float64Array([1.5, NaN, -Infinity, 0]),
      new Uint8Array(1500).fill(7),
      new BigInt64Array([1n, -(2n ** 63n)]),
      new BigUint64Array(0),
      runInNewContext('new Int16Array([1, -2, 3])') as unknown,
      runInNewContext('new Float32Array(1001)') as unknown,
    ];
    for (const value of values) expect(writeJson(value)).toBe(writeJson(captureValue(value)));
    expect(writeJson(values[0])).toBe('[1.5,"NaN","-Infinity",0]');
    expect(writeJson(values[2])).toBe('[1,-9223372036854775808]');
    expect(writeJson({ v: values[5] })).toBe(`{"v":[${'0,'.repeat(1000)}"…1 more"]}`);
  });

  it('writes a DataView as JSON.stringify does, as {}', () => {
    expect(writeJson(new DataView(new ArrayBuffer(16)))).toBe('{}');
    expect(writeJson({ view: new DataView(new ArrayBuffer(16)) })).toBe('{"view":{}}');
  });

  // Not captured first (an app's own event, a value thrown in a request handler): three arrays of
  // 200 references each are 8 000 000 items when written out.
  it('writes at most 2^20 items in all, for a value that holds the same objects many times over', () => {
    let shared: unknown = 1;
    for (let level = 0; level < 3; level++) shared = Array.from({ length: 200 }, () => shared);
    const json = writeJson(shared);
    expect(json.length).toBeLessThan(4 * 1024 * 1024);
    const written = JSON.parse(json) as unknown[][];
    expect(written[0][0]).toHaveLength(200);
    expect(written[199]).toBe('[Truncated]');
  });

  // Object.keys reads every key (a Proxy's getOwnPropertyDescriptor trap for each) of an object
  // that can only be written as "[Truncated]" once the items are spent.
  it('reads no keys of an object met once its 2^20 items are spent', () => {
    let reads = 0;
    const wide = new Proxy(Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, 1])), {
      getOwnPropertyDescriptor: (target, key) => (reads++, Reflect.getOwnPropertyDescriptor(target, key)),
    });
    // The first item spends nearly all, cheaply; the first Proxy's keys (read) are too many.
    const written = JSON.parse(
      writeJson([new Array<number>(2 ** 20 - 200).fill(0), ...Array.from({ length: 100 }, () => wide)]),
    ) as unknown[];
    expect(written[0]).toHaveLength(2 ** 20 - 200);
    expect(written[100]).toBe('[Truncated]');
    expect(written[1]).toBe('[Truncated]');
    expect(reads).toBe(10_000);
  });

  it('always writes text that JSON.parse accepts', () => {
    fc.assert(
      fc.property(anyValue(), (value) => {
        JSON.parse(writeJson(value));
      }),
      { numRuns: 300 },
    );
  });
});

describe('writeJson on a tree capture marked as JSON-safe', () => {
  it('writes exactly what it writes for an unmarked copy, for any captured value, capturing and limits', () => {
    let marked = 0;
    fc.assert(
      fc.property(anyInput, fc.constantFrom('default' as const, 'structure' as const), anyLimits, (value, capturing, limits) => {
        const captured = captureValue(value, capturing, limits);
        if (typeof captured === 'object' && captured !== null && isJsonSafe(captured)) marked++;
        expect(writeJson(captured)).toBe(writeJson(unmarkedCopy(captured)));
      }),
      { numRuns: 1000 },
    );
    // The property must have gone through the fast path often, not only the walk.
    expect(marked).toBeGreaterThan(200);
  });

  it('writes keys and strings that need escaping, -0, __proto__ keys and Dates as the walk does', () => {
    const source: Record<string, unknown> = {
      'a"b': 'line\nbreak \u0007 \ud83d\ude00 \udc00 \u2028',
      '10': -0,
      '2': 1e21,
      d: new Date(Date.UTC(2026, 10, 30, 12)),
      far: new Date(8.64e15),
      u: undefined,
      list: [undefined, null, 'x'],
    };
    Object.defineProperty(source, '__proto__', { value: { p: 1 }, enumerable: true, configurable: true, writable: true });
    const captured = captureValue(source) as object;
    expect(isJsonSafe(captured)).toBe(true);
    expect(writeJson(captured)).toBe(
      '{"2":1e+21,"10":0,"a\\"b":"line\\nbreak \\u0007 😀 \ufffd \\u2028","d":"2026-11-30T12:00:00.000Z","far":"+275760-09-13T00:00:00.000Z","list":[null,null,"x"],"__proto__":{"p":1}}',
    );
    expect(writeJson(captured)).toBe(writeJson(unmarkedCopy(captured)));
  });

  it.each([
    [
      'Object.prototype.toJSON',
      Object.prototype,
      'toJSON',
      function toJSON(): string {
        return 'patched';
      },
    ],
    [
      'Array.prototype.toJSON',
      Array.prototype,
      'toJSON',
      function toJSON(): string {
        return 'patched';
      },
    ],
    [
      'Date.prototype.toJSON',
      Date.prototype,
      'toJSON',
      function toJSON(): string {
        return 'patched';
      },
    ],
    [
      'Date.prototype.toISOString',
      Date.prototype,
      'toISOString',
      function toISOString(): string {
        return 'patched';
      },
    ],
    [
      'Date.prototype.valueOf',
      Date.prototype,
      'valueOf',
      function valueOf(): number {
        return Number.NaN;
      },
    ],
    [
      'Date.prototype[Symbol.toPrimitive]',
      Date.prototype,
      Symbol.toPrimitive,
      function toPrimitive(): number {
        return Number.NaN;
      },
    ],
  ])('falls back to the walk when the app patched %s', (_name, target, key, patch) => {
    const captured = captureValue({ d: new Date(0), list: [1, { a: 'x' }] }) as object;
    expect(isJsonSafe(captured)).toBe(true);
    patched(target, key, patch, () => {
      expect(writeJson(captured)).toBe(writeJson(unmarkedCopy(captured)));
    });
  });

  it('falls back to the walk for a copy of a captured tree', () => {
    const captured = captureValue({ a: 1, b: { c: 'x' } }) as Record<string, unknown>;
    const copy = { ...captured, n: Number.NaN, big: 1n };
    expect(writeJson(copy)).toBe('{"a":1,"b":{"c":"x"},"n":"NaN","big":1}');
  });

  // Capture takes no maxDepth past 63, so a deeper tree is one an app built itself, never marked.
  it('stops at depth 63 for a tree deeper than capture keeps, and writes one captured to 63 as its copy', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 80; i++) deep = [deep];
    expect(writeJson(deep)).toContain('"[MaxDepth]"');
    const shallower = captureValue(deep, 'default', { maxDepth: 63 }) as object;
    expect(isJsonSafe(shallower)).toBe(true);
    expect(writeJson(shallower)).toBe(writeJson(unmarkedCopy(shallower)));
  });
});

describe('quoteJson', () => {
  /** What quoteJson documents: JSON.stringify's literal, a lone surrogate as U+FFFD, and DEL, C1, U+2028/9 and the bidi controls as `\u` escapes. */
  const documented = (text: string): string =>
    JSON.stringify(text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')).replace(
      /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );

  it('quotes strings as JSON.stringify does, with the terminal controls past C0 escaped and lone surrogates replaced', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary', maxLength: 80 })), (text) => {
        expect(quoteJson(text)).toBe(documented(text));
      }),
      { numRuns: 500 },
    );
  });

  it('escapes DEL, C1 and bidi controls where JSON.stringify leaves them raw, and reads back the same', () => {
    for (const text of ['\u007f', 'a\u009bb', '\u2028', '\u202e!', '\u2069']) {
      const quoted = quoteJson(text);
      expect(quoted).not.toBe(JSON.stringify(text));
      expect(quoted).toMatch(/^"[\x20-\x7e]*"$/);
      expect(JSON.parse(quoted)).toBe(text);
    }
  });
});

describe('jsonNumber', () => {
  it('writes finite numbers as literals and the rest as strings', () => {
    expect([jsonNumber(1.5), jsonNumber(-0), jsonNumber(Number.NaN), jsonNumber(Infinity), jsonNumber(-Infinity)]).toEqual([
      '1.5',
      '0',
      '"NaN"',
      '"Infinity"',
      '"-Infinity"',
    ]);
  });
});

describe('jsonDate', () => {
  it('writes a Date as its quoted ISO text', () => {
    expect(jsonDate(new Date(0))).toBe('"1970-01-01T00:00:00.000Z"');
  });
});
