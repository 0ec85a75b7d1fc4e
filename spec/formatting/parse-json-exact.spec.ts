import fc from 'fast-check';
import { MAX_EXACT_INTEGER_DIGITS, parseJsonExact } from '../../lib/formatting/parse-json-exact';
import { writeJson } from '../../lib/templates/safe-json';

describe('parseJsonExact', () => {
  it('reads an integer a number cannot hold exactly as a bigint, anywhere in the value', () => {
    expect(
      parseJsonExact('{"Id":12345678901234567890,"L":[-9007199254740993,{"x":18446744073709551615},1152921504606846976]}'),
    ).toEqual({
      Id: 12345678901234567890n,
      L: [-9007199254740993n, { x: 18446744073709551615n }, 1152921504606846976n],
    });
  });

  it('reads every other number as JSON.parse does (a number whose shortest form is the literal, as rxlog writes numbers)', () => {
    const text = '[9007199254740991,9007199254740992,1152921504606847000,1e21,1.5,12345678901234567890.5,1E400,-0,0.1]';
    expect(parseJsonExact(text)).toEqual(JSON.parse(text));
  });

  it('leaves digits inside strings and keys alone', () => {
    const text =
      '{"12345678901234567890":"12345678901234567890","a\\"12345678901234567890":"\\\\","b":"x\\"1234567890123456789"}';
    expect(parseJsonExact(text)).toEqual(JSON.parse(text));
  });

  it('reads an integer exactly when a string holds the noncharacter it marks integers with, first or not', () => {
    // A string value (a user name) holding U+FDD0 rounded every long id of its line: 12345678901234567000.
    expect(parseJsonExact('["\\uFDD012",12345678901234567890]')).toEqual(['\ufdd012', 12345678901234567890n]);
    expect(parseJsonExact('["\ufdd012",12345678901234567890]')).toEqual(['\ufdd012', 12345678901234567890n]);
    expect(parseJsonExact('{"a":"\ufdd0","b":"\ufdd0\ufdd0x","c":" \\ufdd0 ","n":-12345678901234567890}')).toEqual({
      a: '\ufdd0',
      b: '\ufdd0\ufdd0x',
      c: ' \ufdd0 ',
      n: -12345678901234567890n,
    });
    // Keys are no values: the reviver never sees them, so they are read as they are.
    expect(parseJsonExact('{"\ufdd0k" : "\ufdd0v", "\\ufdd0" :12345678901234567890}')).toEqual({
      '\ufdd0k': '\ufdd0v',
      '\ufdd0': 12345678901234567890n,
    });
  });

  it('reads back what writeJson wrote, strings holding the noncharacter it marks integers with included', () => {
    // What parseJsonExact gives for a value writeJson wrote: a bigint a number holds exactly is that number.
    const asRead = (item: unknown): unknown => {
      if (typeof item === 'bigint') return String(Number(item)) === String(item) ? Number(item) : item;
      if (Array.isArray(item)) return item.map(asRead);
      if (typeof item !== 'object' || item === null) return item;
      return Object.fromEntries(Object.entries(item).map(([key, x]) => [key, asRead(x)]));
    };
    const mark = fc.constantFrom('\ufdd0', '\ufdd0\ufdd0', 'a', '1', '-', '"', '\\', 'u');
    const text = fc.array(mark, { maxLength: 4 }).map((parts) => parts.join(''));
    const value = fc.array(fc.oneof(text, fc.bigInt(), fc.dictionary(text, fc.oneof(text, fc.bigInt()), { maxKeys: 3 })), {
      maxLength: 5,
    });
    fc.assert(
      fc.property(value, (v) => {
        const written = writeJson(v);
        expect(writeJson(parseJsonExact(written))).toBe(written);
        expect(parseJsonExact(written)).toEqual(asRead(v));
      }),
      { numRuns: 500 },
    );
  });

  it('throws a SyntaxError on text that is not JSON', () => {
    expect(() => parseJsonExact('{"a":12345678901234567890')).toThrow(SyntaxError);
  });

  // CPython caps int <-> str conversion at 4300 digits for the same reason (CVE-2020-10735; Doc/library/stdtypes.rst,
  // "Integer string conversion length limitation"): json.loads rejects a longer integer with a ValueError.
  it('reads an integer of up to 4300 digits exactly, either sign', () => {
    const digits = '9'.repeat(MAX_EXACT_INTEGER_DIGITS);
    expect(MAX_EXACT_INTEGER_DIGITS).toBe(4300);
    expect(parseJsonExact(`{"N":${digits},"M":-${digits}}`)).toEqual({ N: BigInt(digits), M: -BigInt(digits) });
  });

  it('rejects a longer integer with a RangeError, without converting its digits (V8 takes seconds on millions)', () => {
    const spy = jest.spyOn(globalThis, 'BigInt');
    try {
      for (const literal of ['9'.repeat(4301), `-${'1'.repeat(100_000)}`]) {
        const digits = literal.replace('-', '').length;
        expect(() => parseJsonExact(`{"Id":12345678901234567890,"N":[${literal}]}`)).toThrow(
          new RangeError(`an integer of ${digits} digits, past the 4300 read exactly`),
        );
      }
      expect(spy.mock.calls.filter(([digits]) => String(digits).length > 4301)).toEqual([]);
    } finally {
      spy.mockRestore();
    }
    // Even next to a string holding the mark, and whatever the number's neighbours.
    expect(() => parseJsonExact(`["\\ufdd0",${'1'.repeat(5000)}]`)).toThrow(RangeError);
    // A fraction or an exponent makes it a number, as JSON.parse reads it (1e999999999 is Infinity).
    const numbers = `[${'1'.repeat(5000)}.5,${'1'.repeat(5000)}e-5000,1e999999999]`;
    expect(parseJsonExact(numbers)).toEqual(JSON.parse(numbers));
  });

  it('reads a structure nested deeper than the stack can walk', () => {
    const deep = `${'['.repeat(100_000)}12345678901234567890${']'.repeat(100_000)}`;
    expect(Array.isArray(parseJsonExact(deep))).toBe(true);
  });

  it('reads back what writeJson wrote, bigints included', () => {
    const value = fc.jsonValue().chain((json) =>
      fc.oneof(
        fc.constant(json),
        fc.bigInt().map((n) => ({ n, json })),
        fc.array(fc.oneof(fc.bigInt(), fc.string(), fc.double({ noNaN: true, noDefaultInfinity: true })), { maxLength: 5 }),
      ),
    );
    fc.assert(
      fc.property(value, (v) => {
        const text = writeJson(v);
        expect(writeJson(parseJsonExact(text))).toBe(text);
      }),
      { numRuns: 500 },
    );
  });
});
