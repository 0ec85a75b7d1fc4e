import fc from 'fast-check';
import { templateEventId } from '../../lib/formatting/template-event-id';

/** Serilog's EventIdHash.Compute, transcribed with BigInt arithmetic modulo 2^32 (an independent check of the 32-bit wrapping). */
function serilogEventIdHash(text: string): string {
  const mask = 0xffffffffn;
  let hash = 0n;
  for (let i = 0; i < text.length; i++) {
    hash = (hash + BigInt(text.charCodeAt(i))) & mask;
    hash = (hash + (hash << 10n)) & mask;
    hash ^= hash >> 6n;
  }
  hash = (hash + (hash << 3n)) & mask;
  hash ^= hash >> 11n;
  hash = (hash + (hash << 15n)) & mask;
  return hash.toString(16).padStart(8, '0');
}

describe('templateEventId', () => {
  it("is Jenkins' one-at-a-time 32-bit hash, as 8 hex digits (Serilog's EventIdHash)", () => {
    // Published one-at-a-time test vectors.
    expect(templateEventId('a')).toBe('ca2e9442');
    expect(templateEventId('The quick brown fox jumps over the lazy dog')).toBe('519e91f5');
    expect(templateEventId('')).toBe('00000000');
  });

  it('hashes UTF-16 code units, as .NET strings are: a surrogate pair is two units, a lone surrogate one', () => {
    for (const text of ['é', '😀', '\ud800', 'User {UserId} logged in from {@Location}'])
      expect(templateEventId(text)).toBe(serilogEventIdHash(text));
    expect(templateEventId('😀')).not.toBe(templateEventId('\ud83d'));
  });

  it('matches the transcription for any text, and always gives 8 lower-case hex digits', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const id = templateEventId(text);
        expect(id).toMatch(/^[0-9a-f]{8}$/);
        expect(id).toBe(serilogEventIdHash(text));
      }),
      { numRuns: 300 },
    );
  });

  it('gives distinct templates distinct ids (Serilog’s own test)', () => {
    expect(templateEventId('Template 1')).toBe(templateEventId('Template 1'));
    expect(templateEventId('Template 1')).not.toBe(templateEventId('Template 2'));
  });
});
