import fc from 'fast-check';
import { syslogTruncateUtf8 } from '../../../lib/node/syslog/syslog-truncate-utf8';

describe('syslogTruncateUtf8', () => {
  it('leaves text within the limit as it is', () => {
    expect(syslogTruncateUtf8('héllo', 6)).toBe('héllo');
  });

  it('never cuts inside a character', () => {
    expect(syslogTruncateUtf8('aé', 2)).toBe('a');
    expect(syslogTruncateUtf8('a€b', 3)).toBe('a');
    expect(syslogTruncateUtf8('a😀', 4)).toBe('a');
    expect(syslogTruncateUtf8('a😀', 5)).toBe('a😀');
  });

  it('returns the longest prefix of whole characters that fits', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 80 }), fc.integer({ min: 0, max: 200 }), (text, max) => {
        const cut = syslogTruncateUtf8(text, max);
        const bytes = Buffer.byteLength(cut);
        expect(bytes).toBeLessThanOrEqual(max);
        expect(text.startsWith(cut)).toBe(true);
        if (cut !== text) {
          const next = String.fromCodePoint(text.codePointAt(cut.length) as number);
          expect(bytes + Buffer.byteLength(next)).toBeGreaterThan(max);
        }
      }),
      { numRuns: 400 },
    );
  });
});
