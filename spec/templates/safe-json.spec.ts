import fc from 'fast-check';
import { jsonDate, jsonNumber, quoteJson, writeJson } from '../../lib/templates/safe-json';

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

  it('escapes lone surrogates so the output is valid UTF-8', () => {
    expect(writeJson('a\ud800b')).toBe('"a\\ud800b"');
  });

  it('stops at depth 64', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 1000; i++) deep = [deep];
    expect(writeJson(deep)).toContain('"[MaxDepth]"');
  });

  it('always writes text that JSON.parse accepts', () => {
    fc.assert(
      fc.property(
        fc.anything({
          withBigInt: true,
          withDate: true,
          withMap: true,
          withSet: true,
          withNullPrototype: true,
          withTypedArray: true,
          withSparseArray: true,
        }),
        (value) => {
          JSON.parse(writeJson(value));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('quoteJson', () => {
  it('quotes strings exactly as JSON.stringify does', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary', maxLength: 80 })), (text) => {
        expect(quoteJson(text)).toBe(JSON.stringify(text));
      }),
      { numRuns: 500 },
    );
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
