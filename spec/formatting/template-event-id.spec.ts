import fc from 'fast-check';
import { templateEventId } from '../../lib/formatting/template-event-id';

describe('templateEventId', () => {
  it('is the FNV-1a 32-bit hash of the UTF-8 bytes, as 8 hex digits', () => {
    // Published FNV-1a 32-bit test vectors.
    expect(templateEventId('')).toBe('811c9dc5');
    expect(templateEventId('a')).toBe('e40c292c');
    expect(templateEventId('foobar')).toBe('bf9cf968');
  });

  it('hashes the UTF-8 encoding of non-ASCII text', () => {
    // 'é' is the two bytes c3 a9; '😀' the four bytes f0 9f 98 80.
    expect(templateEventId('é')).toBe(fnv([0xc3, 0xa9]));
    expect(templateEventId('😀')).toBe(fnv([0xf0, 0x9f, 0x98, 0x80]));
    expect(templateEventId('\ud800')).toBe(fnv([0xef, 0xbf, 0xbd]));
  });

  it('always gives 8 lower-case hex digits', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        expect(templateEventId(text)).toMatch(/^[0-9a-f]{8}$/);
      }),
      { numRuns: 200 },
    );
  });
});

function fnv(bytes: number[]): string {
  let hash = 0x811c9dc5;
  for (const byte of bytes) hash = Math.imul(hash ^ byte, 0x01000193);
  return (hash >>> 0).toString(16).padStart(8, '0');
}
