import fc from 'fast-check';
import { utf8Length } from '../../../lib/sinks/http/http-utf8-length';

describe('utf8Length', () => {
  it('counts ASCII, two-, three- and four-byte characters', () => {
    expect(utf8Length('')).toBe(0);
    expect(utf8Length('abc')).toBe(3);
    expect(utf8Length('é')).toBe(2);
    expect(utf8Length('€')).toBe(3);
    expect(utf8Length('😀')).toBe(4);
  });

  it('counts a lone surrogate as the three bytes of U+FFFD', () => {
    expect(utf8Length('\ud800')).toBe(3);
    expect(utf8Length('\udc00a')).toBe(4);
    expect(utf8Length('\ud800\ud800')).toBe(6);
  });

  it('agrees with TextEncoder on any string', () => {
    const encoder = new TextEncoder();
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }), (binary, graphemes) => {
        expect(utf8Length(binary)).toBe(encoder.encode(binary).length);
        expect(utf8Length(graphemes)).toBe(encoder.encode(graphemes).length);
      }),
      { numRuns: 300 },
    );
  });
});
