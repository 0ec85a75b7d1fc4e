import fc from 'fast-check';
import { syslogHeaderField } from '../../../lib/node/syslog/syslog-header-field';

describe('syslogHeaderField', () => {
  it('replaces characters outside printable US-ASCII with _', () => {
    expect(syslogHeaderField('my app\tö', 48)).toBe('my_app__');
  });

  it('replaces the forbidden characters too', () => {
    expect(syslogHeaderField('a[b]:c', 32, '[]:')).toBe('a_b__c');
  });

  it('cuts to maxLength characters', () => {
    expect(syslogHeaderField('abcdef', 4)).toBe('abcd');
  });

  it('writes the NILVALUE for an empty value', () => {
    expect(syslogHeaderField('', 48)).toBe('-');
  });

  it('always returns 1 to maxLength printable US-ASCII characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.integer({ min: 1, max: 64 }), (value, max) => {
        const field = syslogHeaderField(value, max);
        expect(field.length).toBeGreaterThanOrEqual(1);
        expect(field.length).toBeLessThanOrEqual(max);
        expect(field).toMatch(/^[!-~]+$/);
      }),
      { numRuns: 300 },
    );
  });
});
