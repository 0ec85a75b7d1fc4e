/**
 * `text` cut to at most `maxBytes` bytes of UTF-8, never inside a character: a character that
 * would straddle the limit is left out whole.
 *
 * @example syslogTruncateUtf8('añb', 2) // 'a'
 */
export function syslogTruncateUtf8(text: string, maxBytes: number): string {
  // Most messages are short ASCII: a UTF-16 unit is at most 3 UTF-8 bytes, so skip the encoding.
  if (text.length * 3 <= maxBytes) return text;
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  let end = Math.max(0, maxBytes);
  // Back up over continuation bytes (10xxxxxx) to the first byte of the straddling character.
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--;
  return bytes.toString('utf8', 0, end);
}
