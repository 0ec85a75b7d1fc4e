import { runInNewContext } from 'node:vm';
import { JsonLogsSerializer } from '@opentelemetry/otlp-transformer';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import fc from 'fast-check';
import {
  anyValueJson,
  keyValuesJson,
  noSkip,
  type OtlpAnyValue,
  toAnyValue,
  toKeyValues,
} from '../../../lib/sinks/http/otlp-any-value';
import { referenceAnyValue } from '../../helpers/otlp-reference';
import { defineGetter, getterEntries, thrownMarker } from '../../helpers/throwing-getters';
import { anyValue } from '../../helpers/arbitraries';
import { toJsonValues } from '../../helpers/to-json-values';

/** JSON.stringify's replacer: every string with its lone surrogates as U+FFFD (with the u flag, \p{Surrogate} matches only lone ones). */
function wellFormed(_key: string, value: unknown): unknown {
  return typeof value === 'string' ? value.replace(/\p{Surrogate}/gu, '\ufffd') : value;
}

describe('toAnyValue', () => {
  it('maps scalars to their OTLP fields, integers as decimal strings', () => {
    expect(toAnyValue('s')).toEqual({ stringValue: 's' });
    expect(toAnyValue(true)).toEqual({ boolValue: true });
    expect(toAnyValue(42)).toEqual({ intValue: '42' });
    expect(toAnyValue(-0)).toEqual({ intValue: '0' });
    expect(toAnyValue(1.5)).toEqual({ doubleValue: 1.5 });
    expect(toAnyValue(2 ** 60)).toEqual({ doubleValue: 2 ** 60 });
    expect(toAnyValue(1234567890123456789n)).toEqual({ intValue: '1234567890123456789' });
    expect(toAnyValue(Number.NaN)).toEqual({ doubleValue: 'NaN' });
    expect(toAnyValue(-Infinity)).toEqual({ doubleValue: '-Infinity' });
    expect(toAnyValue(null)).toEqual({});
    expect(toAnyValue(undefined)).toEqual({});
    expect(toAnyValue(new Date(Date.UTC(2026, 10, 22)))).toEqual({ stringValue: '2026-11-22T00:00:00.000Z' });
  });

  // A Date of another realm (a vm context's, an iframe's) fails instanceof Date; its toJSON gives null when invalid.
  it('sends a Date of another realm as this realm’s: an invalid one as "Invalid Date", never as no value', () => {
    const invalid = runInNewContext('new Date(NaN)') as Date;
    expect(invalid instanceof Date).toBe(false);
    expect(toAnyValue(invalid)).toEqual({ stringValue: 'Invalid Date' });
    expect(toAnyValue(invalid)).toEqual(toAnyValue(new Date(Number.NaN)));
    expect(anyValueJson({ at: invalid })).toBe(anyValueJson({ at: new Date(Number.NaN) }));
    expect(toAnyValue(runInNewContext('new Date(0)'))).toEqual({ stringValue: '1970-01-01T00:00:00.000Z' });
  });

  it('sends a bigint outside int64 as a string value, never as an intValue', () => {
    expect(toAnyValue(2n ** 63n - 1n)).toEqual({ intValue: '9223372036854775807' });
    expect(toAnyValue(-(2n ** 63n))).toEqual({ intValue: '-9223372036854775808' });
    expect(toAnyValue(2n ** 63n)).toEqual({ stringValue: '9223372036854775808' });
    expect(toAnyValue(-(2n ** 63n) - 1n)).toEqual({ stringValue: '-9223372036854775809' });
  });

  it('maps arrays to arrayValue and objects to kvlistValue, leaving out undefined members', () => {
    expect(toAnyValue([1, 'a', [true]])).toEqual({
      arrayValue: { values: [{ intValue: '1' }, { stringValue: 'a' }, { arrayValue: { values: [{ boolValue: true }] } }] },
    });
    expect(toAnyValue({ city: 'Oslo', zip: undefined, geo: { lat: 59.9 } })).toEqual({
      kvlistValue: {
        values: [
          { key: 'city', value: { stringValue: 'Oslo' } },
          { key: 'geo', value: { kvlistValue: { values: [{ key: 'lat', value: { doubleValue: 59.9 } }] } } },
        ],
      },
    });
  });

  it('sends an array hole as an empty AnyValue, as undefined, never as null', () => {
    // A null element of a repeated message field is not proto3 JSON (protobuf's JSON parsers reject
    // it); @opentelemetry/otlp-transformer's toAnyValue writes {} for a hole.
    // eslint-disable-next-line no-sparse-arrays -- the hole is the input under test
    const sparse = [1, , 3];
    expect(toAnyValue(sparse)).toEqual({ arrayValue: { values: [{ intValue: '1' }, {}, { intValue: '3' }] } });
    expect(anyValueJson(sparse)).toBe('{"arrayValue":{"values":[{"intValue":"1"},{},{"intValue":"3"}]}}');
    expect(anyValueJson(new Array(2))).toBe('{"arrayValue":{"values":[{},{}]}}');
  });

  it('never throws and always gives JSON, whatever the value', () => {
    fc.assert(
      fc.property(anyValue(), (value) => {
        expect(() => JSON.stringify(toAnyValue(value))).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });

  // Values that were never captured reach sinks too (an app operator's, an app-built event's, a
  // thrown request's): one that holds itself twice was written 2^32 times over, for hours.
  // A function reaches a sink only in an event built in JavaScript (capture makes it a marker).
  // String(fn) is its source code: a leak, and a string a collector stores and indexes as data.
  // CLEF's writer writes '[Function]'; the OpenTelemetry SDK drops such an attribute as invalid.
  it('writes a function as "[Function]", never its source code, as CLEF’s writer does', () => {
    function secret(): string {
      return 'api-key-123';
    }
    expect(toAnyValue(secret)).toEqual({ stringValue: '[Function]' });
    expect(toAnyValue({ handler: () => 1, list: [class Point {}] })).toEqual({
      kvlistValue: {
        values: [
          { key: 'handler', value: { stringValue: '[Function]' } },
          { key: 'list', value: { arrayValue: { values: [{ stringValue: '[Function]' }] } } },
        ],
      },
    });
  });

  // common.proto: AnyValue has bytes_value, which OTLP/JSON writes in base64; the SDK's own OTLP/JSON
  // serializer (otlp-transformer's JsonLogsSerializer) writes a Uint8Array, a Node Buffer too, so.
  // Before, it went as a kvlistValue keyed "0", "1", …: a map of a member per byte.
  it('writes a Uint8Array (a Buffer too) as bytesValue in base64, as the SDK’s OTLP/JSON serializer does', async () => {
    const exporter = new InMemoryLogRecordExporter();
    const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
    const attributes = {
      Bytes: new Uint8Array([0, 1, 2, 250, 255]),
      Empty: new Uint8Array(0),
      Buffer: Buffer.from('héllo'),
      View: new Uint8Array(new Uint8Array([9, 8, 7, 6]).buffer, 1, 2),
      Nested: { list: [new Uint8Array([1])] },
    };
    provider.getLogger('rxlog').emit({ body: 'b', attributes });
    const request = JSON.parse(
      new TextDecoder().decode(JsonLogsSerializer.serializeRequest(exporter.getFinishedLogRecords())),
    ) as {
      resourceLogs: [{ scopeLogs: [{ logRecords: [{ attributes: unknown }] }] }];
    };
    await provider.shutdown();
    const sdk = request.resourceLogs[0].scopeLogs[0].logRecords[0].attributes;
    expect(toKeyValues(attributes)).toEqual(sdk);
    expect(toAnyValue(attributes.Bytes)).toEqual({ bytesValue: 'AAEC+v8=' });
  });

  // A differential property test against the real SDK (sdk-logs' LoggerProvider, otlp-transformer's
  // JsonLogsSerializer): for any JSON data, byte arrays and doubles, the same attributes. Normalised,
  // as docs/conformance.md lists: the SDK writes intValue as a JSON number, rxlog as proto3 JSON's
  // decimal string. Left out of the data, being documented differences: NaN and ±Infinity (the SDK
  // writes null), integers past 2^53 (the SDK writes another integer), exponent notation (1e+21,
  // an intValue to the SDK), and keys named __proto__ or constructor, which the SDK's attribute
  // handling loses (see docs/opentelemetry.md).
  it('writes attributes as the SDK’s OTLP/JSON serializer does, for any JSON data, byte arrays and doubles', async () => {
    const exporter = new InMemoryLogRecordExporter();
    const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
    const logger = provider.getLogger('rxlog');
    const intsAsStrings = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(intsAsStrings);
      if (typeof value !== 'object' || value === null) return value;
      return Object.fromEntries(
        Object.entries(value).map(([key, member]) => [key, key === 'intValue' ? String(member) : intsAsStrings(member)]),
      );
    };
    const data = fc.jsonValue().filter((value) => !/e\+|\d{16}/.test(JSON.stringify(value)));
    const double = fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e15, max: 1e15 });
    fc.assert(
      fc.property(
        fc
          .dictionary(fc.string({ minLength: 1 }), fc.oneof(data, fc.uint8Array(), double))
          .filter((attributes) => !/"(__proto__|constructor)":/.test(JSON.stringify(attributes))),
        (attributes) => {
          exporter.reset();
          logger.emit({ body: 'b', attributes });
          const request = JSON.parse(
            new TextDecoder().decode(JsonLogsSerializer.serializeRequest(exporter.getFinishedLogRecords())),
          ) as { resourceLogs: [{ scopeLogs: [{ logRecords: [{ attributes: unknown }] }] }] };
          expect(toKeyValues(attributes)).toEqual(intsAsStrings(request.resourceLogs[0].scopeLogs[0].logRecords[0].attributes));
        },
      ),
      { numRuns: 500 },
    );
    await provider.shutdown();
  });

  // Found by review: a value placed in an event after capture (a sink's pipe operator, an event built
  // in JavaScript) that has a toJSON, or is a boxed primitive, went out as the map of its own
  // enumerable members: a URL as an empty map, new Number(3) as an empty map, new String('ab') as
  // {"0":"a","1":"b"}. CLEF's writer (and capture) write what JSON.stringify writes; so does OTLP now.
  it('writes what toJSON(key) returns and a boxed primitive’s value, as CLEF’s writer and capture do', () => {
    const attributes = toKeyValues(toJsonValues());
    expect(attributes).toEqual([
      { key: 'Url', value: { stringValue: 'http://shop.example/cart?id=7' } },
      {
        key: 'Price',
        value: {
          kvlistValue: {
            values: [
              { key: 'amount', value: { doubleValue: 19.99 } },
              { key: 'key', value: { stringValue: 'Price' } },
              { key: 'inner', value: { stringValue: 'inner JSON' } },
            ],
          },
        },
      },
      { key: 'Count', value: { intValue: '3' } },
      { key: 'Name', value: { stringValue: 'ab' } },
      { key: 'Flag', value: { boolValue: false } },
      {
        key: 'List',
        value: {
          arrayValue: {
            values: [
              {
                kvlistValue: {
                  values: [
                    { key: 'amount', value: { doubleValue: 0.05 } },
                    { key: 'key', value: { stringValue: '0' } },
                    { key: 'inner', value: { stringValue: 'inner JSON' } },
                  ],
                },
              },
            ],
          },
        },
      },
      { key: 'Throws', value: { stringValue: '[Throws: no JSON]' } },
    ]);
    // A Date, a Uint8Array (a Buffer has a toJSON) and a typed array keep their own forms.
    expect(toAnyValue(Buffer.from('hi'))).toEqual({ bytesValue: 'aGk=' });
    expect(toAnyValue(new Date(0))).toEqual({ stringValue: '1970-01-01T00:00:00.000Z' });
    // What toJSON returns is written as it is: its own toJSON is not called (that object's would loop).
    const selfish = {
      a: 1,
      toJSON(): unknown {
        return this;
      },
    };
    expect(toAnyValue(selfish)).toEqual({
      kvlistValue: {
        values: [
          { key: 'a', value: { intValue: '1' } },
          { key: 'toJSON', value: { stringValue: '[Function]' } },
        ],
      },
    });
  });

  // Every loop bounded: an array's length is read (and made a number) once, counted against the
  // record's budget, and the items written are those counted. A Proxy whose length grows between
  // reads (up to 2^32 - 1), or a length whose valueOf grows at each compare, looped without end.
  it('reads an array’s length once, as a number: a Proxy whose length changes writes what was counted', () => {
    let reads = 0;
    const growing = new Proxy([1, 2], {
      get: (target, key) => (key === 'length' ? (reads++ === 0 ? 2 : 4) : (Reflect.get(target, key) as unknown)),
    });
    const two = '{"arrayValue":{"values":[{"intValue":"1"},{"intValue":"2"}]}}';
    expect(anyValueJson(growing)).toBe(two);
    let calls = 2;
    const creeping = new Proxy([1, 2], {
      get: (target, key) => (key === 'length' ? { valueOf: () => Math.min(calls++, 5) } : (Reflect.get(target, key) as unknown)),
    });
    expect(anyValueJson(creeping)).toBe(two);
  });

  it('writes an array whose length is NaN or negative (a Proxy) as "[Truncated]", and keeps the record’s budget', () => {
    const proxy = (length: number): unknown[] =>
      new Proxy([], { get: (target, key) => (key === 'length' ? length : (Reflect.get(target, key) as unknown)) });
    let shared: unknown = 1;
    for (let level = 0; level < 3; level++) shared = Array.from({ length: 110 }, () => shared);
    const [odd, negative, after] = JSON.parse(
      `[${keyValuesJson({ Odd: proxy(Number.NaN), Negative: proxy(-1e300), Shared: shared }, 0, () => false)}]`,
    ) as { value: OtlpAnyValue }[];
    expect([odd.value, negative.value]).toEqual([{ stringValue: '[Truncated]' }, { stringValue: '[Truncated]' }]);
    expect(after.value.arrayValue?.values[109]).toEqual({ stringValue: '[Truncated]' });
  });

  // Capture makes a typed array a plain array of its numbers; one in an event built in JavaScript
  // went as a kvlistValue keyed "0", "1", …, after listing every index as a string: a 5 million
  // item Float64Array took seconds of CPU to end as "[Truncated]".
  it('writes a typed array other than Uint8Array as an arrayValue of its numbers, counted by its length', () => {
    expect(toAnyValue(new Float64Array([1.5, 2]))).toEqual({ arrayValue: { values: [{ doubleValue: 1.5 }, { intValue: '2' }] } });
    expect(toAnyValue(new BigInt64Array([-(2n ** 63n)]))).toEqual({
      arrayValue: { values: [{ intValue: '-9223372036854775808' }] },
    });
    expect(toAnyValue(new Int16Array(2 ** 20 + 1))).toEqual({ stringValue: '[Truncated]' });
  });

  it('writes a value where it recurs inside itself as "[Circular]", at once', () => {
    const cyclic: Record<string, unknown> = { n: 1 };
    cyclic.self = cyclic;
    cyclic.again = [cyclic];
    expect(toAnyValue(cyclic)).toEqual({
      kvlistValue: {
        values: [
          { key: 'n', value: { intValue: '1' } },
          { key: 'self', value: { stringValue: '[Circular]' } },
          { key: 'again', value: { arrayValue: { values: [{ stringValue: '[Circular]' }] } } },
        ],
      },
    });
    const shared = { n: 1 };
    expect(toAnyValue([shared, shared])).toEqual(toAnyValue([{ n: 1 }, { n: 1 }]));
  });

  it('writes at most 2^20 items of a record, for a value that holds the same objects many times over', () => {
    let shared: unknown = 1;
    for (let level = 0; level < 3; level++) shared = Array.from({ length: 200 }, () => shared);
    const json = keyValuesJson({ Shared: shared, After: 'kept' }, 0, () => false);
    expect(json.length).toBeLessThan(32 * 1024 * 1024);
    const [first, after] = JSON.parse(`[${json}]`) as [{ value: OtlpAnyValue }, unknown];
    const outer = first.value.arrayValue?.values ?? [];
    expect(outer[0].arrayValue?.values[0].arrayValue?.values).toHaveLength(200);
    expect(outer[199]).toEqual({ stringValue: '[Truncated]' });
    expect(after).toEqual({ key: 'After', value: { stringValue: 'kept' } });
    // The next record has the whole budget again.
    expect(keyValuesJson({ List: [1, 2] }, 0, () => false)).toBe(
      '{"key":"List","value":{"arrayValue":{"values":[{"intValue":"1"},{"intValue":"2"}]}}}',
    );
  });

  it('reports a throwing getter as a string instead of throwing', () => {
    const hostile = Object.defineProperty({}, 'bad', {
      enumerable: true,
      get() {
        throw new Error('nope');
      },
    });
    expect(JSON.stringify(toKeyValues({ hostile }))).toContain('nope');
  });
});

describe('toKeyValues', () => {
  it('keeps property order and leaves out undefined values', () => {
    expect(toKeyValues({ b: 1, a: 's', c: undefined })).toEqual([
      { key: 'b', value: { intValue: '1' } },
      { key: 'a', value: { stringValue: 's' } },
    ]);
  });
});

describe('anyValueJson', () => {
  const anything = anyValue({ withBoxedValues: true });

  it('writes exactly JSON.stringify of the AnyValue object, for any value', () => {
    fc.assert(
      fc.property(anything, (value) => {
        expect(anyValueJson(value)).toBe(JSON.stringify(referenceAnyValue(value), wellFormed));
      }),
      { numRuns: 500 },
    );
    const cyclic: Record<string, unknown> = {};
    cyclic.self = [cyclic];
    const sparse: number[] = [];
    sparse[0] = 1;
    sparse[2] = 3;
    for (const value of [
      -0,
      2 ** 60,
      1e21,
      Number.NaN,
      -Infinity,
      2n ** 63n,
      new Date(Number.NaN),
      new Error('e', { cause: 'c' }),
      sparse,
      'line\nbreak "quoted" \ud800',
      Symbol('s'),
      cyclic,
    ]) {
      expect(anyValueJson(value)).toBe(JSON.stringify(referenceAnyValue(value), wellFormed));
    }
  });

  it('writes each value that throws when read as [Throws: message] in its place, and the rest as usual', () => {
    const fail = (message: string) => (): never => {
      throw new Error(message);
    };
    const hostile = Object.defineProperty({ a: 1 }, 'bad', { enumerable: true, get: fail('nope') });
    Object.assign(hostile, { after: 2 });
    const array = Object.defineProperty([1, 2, 3], 1, { get: fail('index') });
    const marker = (message: string): string => `{"stringValue":"[Throws: ${message}]"}`;
    const object = `{"kvlistValue":{"values":[{"key":"a","value":{"intValue":"1"}},{"key":"bad","value":${marker('nope')}},{"key":"after","value":{"intValue":"2"}}]}}`;
    expect(anyValueJson(hostile)).toBe(object);
    expect(anyValueJson({ nested: hostile })).toBe(`{"kvlistValue":{"values":[{"key":"nested","value":${object}}]}}`);
    expect(anyValueJson(array)).toBe(`{"arrayValue":{"values":[{"intValue":"1"},${marker('index')},{"intValue":"3"}]}}`);
    expect(anyValueJson(new Proxy([], { get: fail('length') }))).toBe(marker('length'));
    expect(keyValuesJson(hostile, 0, () => false)).toBe(object.slice('{"kvlistValue":{"values":['.length, -3));
    expect(toAnyValue(hostile)).toEqual(JSON.parse(object));
  });

  it('writes each readable property as it writes it alone, and each one that throws as its marker, for any mix', () => {
    fc.assert(
      fc.property(getterEntries, (entries) => {
        const properties: Record<string, unknown> = {};
        const expected = new Map<string, unknown[]>();
        for (const entry of entries) {
          const [key, value, throws] = entry;
          const alone = Object.defineProperty({}, key, { enumerable: true, value });
          defineGetter(properties, entry);
          const marker = thrownMarker(key);
          expected.set(
            key,
            throws
              ? [{ key, value: { stringValue: marker } }]
              : (JSON.parse(`[${keyValuesJson(alone, 0, noSkip)}]`) as unknown[]),
          );
        }
        // In the order Object.keys gives (integer-like keys first).
        expect(JSON.parse(`[${keyValuesJson(properties, 0, noSkip)}]`)).toEqual(
          Object.keys(properties).flatMap((key) => expected.get(key)),
        );
      }),
      { numRuns: 200 },
    );
  });

  it('leaves out the keys it is told to skip', () => {
    expect(JSON.parse(`[${keyValuesJson({ a: 1, b: 2, c: 3 }, 0, (key) => key === 'b')}]`)).toEqual([
      { key: 'a', value: { intValue: '1' } },
      { key: 'c', value: { intValue: '3' } },
    ]);
  });
});
