/** UTF-16 byte order marks: little-endian (what Windows PowerShell 5.1's `>` writes) and big-endian. */
const UTF16_ENCODINGS: readonly [first: number, second: number, encoding: 'utf-16le' | 'utf-16be'][] = [
  [0xff, 0xfe, 'utf-16le'],
  [0xfe, 0xff, 'utf-16be'],
];

function bytesOf(chunk: Buffer | string): Buffer {
  return typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
}

/**
 * The input as it is, or, when it starts with a UTF-16 byte order mark, decoded from UTF-16 and
 * given as UTF-8 (the mark left out), chunk by chunk: a log file Windows PowerShell 5.1 wrote with
 * `>` reads as its text, not as NUL-riddled bytes (Serilog's `clef` tool reads such files too).
 * A chunk cut inside a character is joined with the next, as a streaming TextDecoder does; bytes
 * that are no UTF-16 become U+FFFD.
 */
export async function* utf16AsUtf8(input: AsyncIterable<Buffer | string>): AsyncGenerator<Buffer | string, void, undefined> {
  /** The first bytes, until there are two to tell a mark by; then undefined. */
  let head: Buffer | undefined = Buffer.alloc(0);
  let decoder: TextDecoder | undefined;
  for await (const chunk of input) {
    if (head === undefined) {
      yield decoder === undefined ? chunk : Buffer.from(decoder.decode(bytesOf(chunk), { stream: true }), 'utf8');
      continue;
    }
    const bytes: Buffer = head.length === 0 ? bytesOf(chunk) : Buffer.concat([head, bytesOf(chunk)]);
    // The mark is two bytes: a first chunk of one byte waits for the next.
    if (bytes.length < 2) {
      head = bytes;
      continue;
    }
    head = undefined;
    const found = UTF16_ENCODINGS.find(([first, second]) => bytes[0] === first && bytes[1] === second);
    if (found === undefined) {
      yield bytes;
      continue;
    }
    decoder = new TextDecoder(found[2]);
    yield Buffer.from(decoder.decode(bytes.subarray(2), { stream: true }), 'utf8');
  }
  if (head !== undefined && head.length > 0) yield head;
  const rest = decoder?.decode() ?? '';
  if (rest !== '') yield Buffer.from(rest, 'utf8');
}
