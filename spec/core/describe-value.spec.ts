import { describeValue } from '../../lib/core/describe-value';

describe('describeValue', () => {
  it('names null and undefined', () => {
    expect(describeValue(null)).toBe('null');
    expect(describeValue(undefined)).toBe('undefined');
  });

  it('quotes strings and names functions', () => {
    expect(describeValue('x')).toBe('"x"');
    expect(describeValue(function emit() {})).toBe('function emit');
    expect(describeValue(() => undefined)).toBe('function (anonymous)');
  });

  it('names an object by its class, and one without a prototype as "object"', () => {
    expect(describeValue(new Map())).toBe('Map');
    expect(describeValue({})).toBe('Object');
    expect(describeValue(Object.create(null))).toBe('object');
  });

  // Found by review: an anonymous class's instance was described as '' ("got " and nothing), one
  // of a class whose name is a Symbol threw a TypeError out of the check meant to refuse it, and a
  // class named by a megabyte made a megabyte message.
  it('names an object or function whose name is not a usable string as "object" or "(anonymous)", and cuts a long name', () => {
    const named = (name: unknown): new () => object => Object.defineProperty(class {}, 'name', { value: name });
    expect(describeValue(new (class {})())).toBe('object');
    expect(describeValue(new (named(Symbol('name')))())).toBe('object');
    expect(describeValue(new (named(() => 'Named'))())).toBe('object');
    expect(describeValue({ constructor: { name: Symbol('name') } })).toBe('object');
    expect(describeValue(named(Symbol('name')))).toBe('function (anonymous)');
    expect(describeValue(new (named('N'.repeat(1_000_000)))())).toBe(`${'N'.repeat(100)}… (1000000 characters)`);
    expect(describeValue(named('f'.repeat(1_000_000)))).toBe(`function ${'f'.repeat(100)}… (1000000 characters)`);
    expect(describeValue(new (named('Mine'))())).toBe('Mine');
  });

  it('gives the type and value of other primitives', () => {
    expect(describeValue(0)).toBe('number 0');
    expect(describeValue(true)).toBe('boolean true');
    expect(describeValue(Symbol('s'))).toBe('symbol Symbol(s)');
  });

  // Found by review: a 1 MB string given as a level made a 1 MB error message.
  it('quotes the start of a long string and gives its length', () => {
    expect(describeValue('x'.repeat(120))).toBe(JSON.stringify('x'.repeat(120)));
    expect(describeValue('y'.repeat(1_000_000))).toBe(`"${'y'.repeat(100)}"… (1000000 characters)`);
  });
});
