import { trimNewline } from '../../lib/formatting/trim-newline';

describe('trimNewline', () => {
  it('removes one trailing newline, and only one', () => {
    expect(trimNewline('{"a":1}\n')).toBe('{"a":1}');
    expect(trimNewline('a\n\n')).toBe('a\n');
    expect(trimNewline('a\r\n')).toBe('a\r');
  });

  it('keeps a text without a trailing newline as it is', () => {
    expect(trimNewline('a\nb')).toBe('a\nb');
    expect(trimNewline('')).toBe('');
  });
});
