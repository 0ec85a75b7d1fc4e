import { utf16AsUtf8 } from '../../lib/cli/utf16-as-utf8';

async function read(chunks: Array<Buffer | string>): Promise<string> {
  async function* source(): AsyncGenerator<Buffer | string> {
    for (const chunk of chunks) yield chunk;
  }
  const out: Buffer[] = [];
  for await (const chunk of utf16AsUtf8(source())) out.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
  return Buffer.concat(out).toString('utf8');
}

const TEXT = '{"@t":"2026-11-22T12:00:00Z","@mt":"Grüße {N} 😀","N":1}\r\nnext\r\n';

function utf16(text: string, encoding: 'le' | 'be'): Buffer {
  const le = Buffer.from(text, 'utf16le');
  if (encoding === 'le') return Buffer.concat([Buffer.from([0xff, 0xfe]), le]);
  const be = Buffer.from(le);
  be.swap16();
  return Buffer.concat([Buffer.from([0xfe, 0xff]), be]);
}

describe('utf16AsUtf8', () => {
  it.each(['le', 'be'] as const)('decodes UTF-16%s after its byte order mark, the mark left out', async (encoding) => {
    expect(await read([utf16(TEXT, encoding)])).toBe(TEXT);
  });

  it('joins characters cut across chunks, down to one byte a chunk (the mark too)', async () => {
    const bytes = utf16(TEXT, 'le');
    expect(await read([...bytes].map((byte) => Buffer.from([byte])))).toBe(TEXT);
  });

  it('passes UTF-8 through as it is, a UTF-8 mark included, and a lone byte', async () => {
    const utf8 = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(TEXT, 'utf8')]);
    expect(await read([utf8.subarray(0, 1), utf8.subarray(1)])).toBe(utf8.toString('utf8'));
    expect(await read(['x'])).toBe('x');
    expect(await read([Buffer.from([0xff])])).toBe(Buffer.from([0xff]).toString('utf8'));
    expect(await read([])).toBe('');
  });

  it('gives U+FFFD for a UTF-16 file cut inside a character', async () => {
    expect(await read([utf16('ab', 'le').subarray(0, 5)])).toBe('a\uFFFD');
  });
});
