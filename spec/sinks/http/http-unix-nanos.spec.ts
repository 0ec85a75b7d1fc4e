import fc from 'fast-check';
import { unixNanos } from '../../../lib/sinks/http/http-unix-nanos';

describe('unixNanos', () => {
  it('writes milliseconds since the epoch as nanoseconds, in decimal', () => {
    expect(unixNanos(new Date(1_700_000_000_123))).toBe('1700000000123000000');
    expect(unixNanos(new Date(0))).toBe('0');
    expect(unixNanos(new Date(-1))).toBe('-1000000');
  });

  it('gives 0 for an invalid date', () => {
    expect(unixNanos(new Date(Number.NaN))).toBe('0');
  });

  it('is exact for every valid date', () => {
    fc.assert(
      fc.property(fc.date({ noInvalidDate: true }), (date) => {
        expect(BigInt(unixNanos(date))).toBe(BigInt(date.getTime()) * 1_000_000n);
      }),
      { numRuns: 300 },
    );
  });
});
