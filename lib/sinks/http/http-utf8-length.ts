/**
 * The number of bytes `text` takes as UTF-8, counted without encoding it (a lone surrogate
 * counts as the 3 bytes of U+FFFD, as `TextEncoder` writes it).
 */
export function utf8Length(text: string): number {
  // Hot path: one pass over char codes, no allocation; ASCII costs one comparison per char.
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) {
      bytes += 1;
    } else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        // A surrogate pair: two UTF-16 units, four UTF-8 bytes.
        bytes += 2;
        i++;
      } else {
        bytes += 2;
      }
    } else {
      bytes += 2;
    }
  }
  return bytes;
}
