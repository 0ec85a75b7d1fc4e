import { isSpanIdText, isTraceIdText, isZeroId } from '../../lib/core/trace-context';

describe('trace context ids', () => {
  it('accepts W3C ids: lower-case hex of 32 (trace) and 16 (span) digits', () => {
    expect(isTraceIdText('1befc31e94b01d1a473f63a7905f6c9b')).toBe(true);
    expect(isSpanIdText('bb1111820570b80e')).toBe(true);
    expect(isTraceIdText('1BEFC31E94B01D1A473F63A7905F6C9B')).toBe(false);
    expect(isTraceIdText('bb1111820570b80e')).toBe(false);
    expect(isSpanIdText(42)).toBe(false);
  });

  it('tells all-zero ids, which W3C and OTLP define as invalid', () => {
    expect(isZeroId('0000000000000000')).toBe(true);
    expect(isZeroId('0000000000000001')).toBe(false);
  });
});
