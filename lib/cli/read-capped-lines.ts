/** One line of input, or the size of a line that was too long to keep. */
export type CappedLine =
  { readonly kind: 'line'; readonly text: string } | { readonly kind: 'oversized'; readonly bytes: number };

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/**
 * Splits a byte stream into lines (ended by `\n` or `\r\n`; a last line without one counts, as it is:
 * a `\r` that ends the input is its text, as a bare `\r` anywhere else is),
 * decoding each as UTF-8, in memory bounded by `maxLineBytes`: a line longer than that, its line
 * ending not counted, is not kept; its bytes are skipped until the next newline and it is yielded
 * as `oversized` with its length (without the `\r` of a `\r\n`), so the caller can report it and
 * go on with the next line. A line exactly as long as the cap is kept whole, whatever its ending.
 *
 * @param maxLineBytes Longest line kept, in bytes (without its line ending).
 * @example for await (const line of readCappedLines(process.stdin, 16 * 1024 * 1024)) …
 */
export async function* readCappedLines(
  input: AsyncIterable<Buffer | string>,
  maxLineBytes: number,
): AsyncGenerator<CappedLine, void, undefined> {
  let parts: Buffer[] = [];
  let size = 0;
  let oversized = false;
  let pending = false;
  let last = -1;
  const finish = (newline: boolean): CappedLine => {
    // The \r of a \r\n is the line's ending, not its text: a line of the cap and its \r\n is kept whole. A \r that
    // ends the input is text: no \n follows it, and the line would otherwise lose a byte it holds.
    const crlf = newline && last === CARRIAGE_RETURN;
    const bytes = crlf ? size - 1 : size;
    const line: CappedLine =
      oversized || bytes > maxLineBytes ? { kind: 'oversized', bytes } : { kind: 'line', text: decode(parts, bytes) };
    parts = [];
    size = 0;
    oversized = false;
    pending = false;
    last = -1;
    return line;
  };
  for await (const chunk of input) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    let start = 0;
    while (start <= buffer.length) {
      const newline = buffer.indexOf(NEWLINE, start);
      const end = newline === -1 ? buffer.length : newline;
      if (end > start) {
        pending = true;
        // One byte more than the cap is kept, for the \r of a \r\n whose \n may come in the next chunk.
        if (!oversized && size + (end - start) > maxLineBytes + 1) {
          // Past the cap: let go of what was kept and only count the rest.
          oversized = true;
          parts = [];
        }
        // A copy, so a kept piece does not pin the whole chunk it came from.
        if (!oversized) parts.push(Buffer.from(buffer.subarray(start, end)));
        size += end - start;
        last = buffer[end - 1];
      }
      if (newline === -1) break;
      yield finish(true);
      start = newline + 1;
    }
  }
  if (pending) yield finish(false);
}

/** The first `length` bytes of `parts` as UTF-8 text (a \r\n's \r, kept last, left out). */
function decode(parts: readonly Buffer[], length: number): string {
  const bytes = parts.length === 1 ? parts[0] : Buffer.concat(parts);
  return bytes.toString('utf8', 0, length);
}
