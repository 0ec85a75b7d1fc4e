import fc from 'fast-check';
import { isBlankName } from '../../lib/core/blank-name';

describe('isBlankName', () => {
  it.each(['', ' ', '\t\n', '\u00a0', '\u3000', '\ufeff', '\u2028 '])('reads %j as blank', (name) => {
    expect(isBlankName(name)).toBe(true);
  });

  it.each(['A', ' A', 'A ', '\u00a0A', '\u0085', '\u200b', '@'])('reads %j as a name', (name) => {
    expect(isBlankName(name)).toBe(false);
  });

  // Its one-char-code shortcut must never disagree with trim, which forContext has always used.
  it('agrees with trim for any text, white space or not', () => {
    const spaces = fc.constantFrom(...' \t\n\v\f\r\u00a0\u1680\u2000\u200a\u2028\u2029\u202f\u205f\u3000\ufeff'.split(''));
    const text = fc
      .array(fc.oneof(spaces, fc.string({ maxLength: 1, unit: 'binary' })), { maxLength: 4 })
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(text, (name) => isBlankName(name) === (name.trim() === '')),
      { numRuns: 2000 },
    );
  });
});
