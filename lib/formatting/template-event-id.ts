function mix(hash: number, byte: number): number {
  return Math.imul(hash ^ byte, 0x01000193);
}

/**
 * The CLEF event id (`@i`) of a template: the FNV-1a 32-bit hash of the template text's UTF-8
 * bytes (a lone surrogate counts as U+FFFD), as 8 lower-case hex digits. Deterministic, so events
 * of one template share an id across processes and languages that use the same hash.
 *
 * @example templateEventId('') // '811c9dc5'
 */
export function templateEventId(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    let cp = text.charCodeAt(i);
    if (cp >= 0xd800 && cp <= 0xdfff) {
      const next = text.charCodeAt(i + 1);
      if (cp <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (next - 0xdc00);
        i++;
      } else {
        cp = 0xfffd;
      }
    }
    if (cp < 0x80) {
      hash = mix(hash, cp);
    } else if (cp < 0x800) {
      hash = mix(mix(hash, 0xc0 | (cp >> 6)), 0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
      hash = mix(mix(mix(hash, 0xe0 | (cp >> 12)), 0x80 | ((cp >> 6) & 0x3f)), 0x80 | (cp & 0x3f));
    } else {
      hash = mix(
        mix(mix(mix(hash, 0xf0 | (cp >> 18)), 0x80 | ((cp >> 12) & 0x3f)), 0x80 | ((cp >> 6) & 0x3f)),
        0x80 | (cp & 0x3f),
      );
    }
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}
