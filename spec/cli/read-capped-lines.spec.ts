import { type CappedLine, readCappedLines } from '../../lib/cli/read-capped-lines';

async function lines(chunks: Array<Buffer | string>, max = 1024): Promise<CappedLine[]> {
  const result: CappedLine[] = [];
  async function* source(): AsyncGenerator<Buffer | string> {
    for (const chunk of chunks) yield chunk;
  }
  for await (const line of readCappedLines(source(), max)) result.push(line);
  return result;
}

const line = (text: string): CappedLine => ({ kind: 'line', text });

describe('readCappedLines', () => {
  it('splits on \\n and \\r\\n, keeps empty lines and a last line without a newline', async () => {
    expect(await lines(['a\r\nb\n\nc'])).toEqual([line('a'), line('b'), line(''), line('c')]);
  });

  it('decodes a UTF-8 character split across two chunks', async () => {
    const bytes = Buffer.from('grüße\n', 'utf8');
    expect(await lines([bytes.subarray(0, 3), bytes.subarray(3)])).toEqual([line('grüße')]);
  });

  it('yields a line longer than the cap as oversized with its length, then goes on', async () => {
    expect(await lines(['ok\n', 'x'.repeat(6), 'x'.repeat(6), '\nnext\n'], 10)).toEqual([
      line('ok'),
      { kind: 'oversized', bytes: 12 },
      line('next'),
    ]);
  });

  it('keeps a line exactly as long as the cap', async () => {
    expect(await lines(['1234567890\n'], 10)).toEqual([line('1234567890')]);
  });

  it('keeps a line exactly as long as the cap when it ends with \\r\\n, whole and without the \\r', async () => {
    expect(await lines(['1234567890\r\n', 'next\r\n'], 10)).toEqual([line('1234567890'), line('next')]);
    // The \r ends one chunk and the \n starts the next; the \r\n of a last line is not followed by an empty one.
    expect(await lines(['1234567890\r', '\nnext\r', '\n'], 10)).toEqual([line('1234567890'), line('next')]);
  });

  // The line endings are \n and \r\n; a bare \r is text wherever it is, the end of the input included (as Rust's
  // BufRead::lines and jq -R read it), so a last line keeps it: passed through, it shows as `\r`, as one mid-line does.
  it('keeps a \\r that ends the input as the last line’s text, since no \\n follows it', async () => {
    expect(await lines(['a\r'])).toEqual([line('a\r')]);
    expect(await lines(['a\rb\r'])).toEqual([line('a\rb\r')]);
    expect(await lines(['a\r\nb\r'])).toEqual([line('a'), line('b\r')]);
    expect(await lines(['a\r', '\n', 'b', '\r'])).toEqual([line('a'), line('b\r')]);
    expect(await lines(['\r'])).toEqual([line('\r')]);
    expect(await lines(['12345', '6789\r'], 10)).toEqual([line('123456789\r')]);
    expect(await lines(['12345', '67890\r'], 10)).toEqual([{ kind: 'oversized', bytes: 11 }]);
  });

  it('counts a line one byte past the cap as oversized, with its \\r\\n or without, and its length without the \\r', async () => {
    expect(await lines(['12345678901\r\nnext\n', '1234567890x\n', '123456789\r\r\n'], 10)).toEqual([
      { kind: 'oversized', bytes: 11 },
      line('next'),
      { kind: 'oversized', bytes: 11 },
      line('123456789\r'),
    ]);
    expect(await lines(['1234567890', '\r', 'x\n', '1234567890', 'x'], 10)).toEqual([
      { kind: 'oversized', bytes: 12 },
      { kind: 'oversized', bytes: 11 },
    ]);
  });
});
