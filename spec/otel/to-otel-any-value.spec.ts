import { toOtelAnyValue, toOtelAttributes } from '../../lib/otel/to-otel-any-value';

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
