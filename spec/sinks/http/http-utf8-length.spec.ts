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

  it('counts texts longer than its 16 KiB chunk, with pairs and lone surrogates across chunk edges', () => {
    const encoder = new TextEncoder();
    for (const unit of ['a', 'é', '€', '😀', '\ud800', 'a😀\udc00é']) {
      for (const extra of [0, 1, 2, 3]) {
        const text = 'x'.repeat(extra) + unit.repeat(Math.ceil(40_000 / unit.length));
        expect(utf8Length(text)).toBe(encoder.encode(text).length);
      }
    }
  });
});
