import { createServer } from 'node:http';
import fc from 'fast-check';
import { createIngestHandler } from '../../../lib/node/ingest/create-ingest-handler';
import { readMediaType } from '../../../lib/node/ingest/media-type';
import { cpuMs } from '../../helpers/cpu-time';
import { listen, memoryLogger } from '../../helpers/node-http';

describe('readMediaType', () => {
  // RFC 9110 §5.6.6: a parameter value is a token or a quoted-string, and a quoted-string may hold
  // `;`, `=` and a quoted-pair (`\"`). Split on `;`, such a value read as parameters of its own.
  it.each([
    'application/json; x="a;b"; charset=utf-8',
    'application/json; x="a;charset=latin1"',
    'application/json; x="a\\";charset=latin1"',
    'text/plain; profile="urn:x; charset=utf-16"; charset=UTF-8',
  ])('reads a quoted value holding ";" as one value: %s', (header) => {
    expect(readMediaType(header)).toBe('accepted');
  });

  it.each([
    ['quoted', 'text/plain; charset="utf-8"'],
    ['in capitals', 'TEXT/PLAIN; CHARSET=UTF-8'],
    ['quoted, in capitals', 'application/vnd.serilog.clef; Charset="UTF-8"'],
    ['with a quoted-pair (RFC 9110 §5.6.4)', 'text/plain; charset="utf\\-8"'],
    ['without the hyphen', 'text/plain;charset=utf8'],
    ['given twice, both UTF-8', 'text/plain; charset=utf-8; charset="UTF-8"'],
    ['after empty parameters', 'text/plain; ; charset=utf-8;'],
    ['with spaces around "=" (as Express reads it)', 'text/plain; charset = utf-8'],
    ['left out', 'application/x-ndjson'],
  ])('accepts a UTF-8 charset %s', (_, header) => {
    expect(readMediaType(header)).toBe('accepted');
  });

  it.each([
    ['another charset', 'text/plain; charset=latin1'],
    ['another charset, quoted', 'text/plain; charset="utf-16"'],
    ['a quoted charset holding ";" after UTF-8', 'application/json; charset="utf-8;latin1"'],
    ['a second charset that is not UTF-8', 'text/plain; charset=utf-8; charset=latin1'],
    ['a first charset that is not UTF-8', 'text/plain; charset=latin1; charset=utf-8'],
    ['an empty quoted charset', 'text/plain; charset=""'],
    ['another type', 'text/html; charset=utf-8'],
    ['a list of types', 'text/plain, application/json'],
    ['no header', undefined],
  ])('refuses %s as unsupported', (_, header) => {
    expect(readMediaType(header)).toBe('unsupported');
  });

  it.each([
    ['an unterminated quoted charset', 'application/json; charset="utf-8'],
    ['a quote after a token', 'application/json; charset=utf-8"'],
    ['text after a quoted value', 'application/json; charset="utf-8"x'],
    ['a parameter without "="', 'application/json; utf-8'],
    ['an "=" inside a token value', 'application/json; charset=utf-8=x'],
    ['an empty value', 'application/json; charset='],
    ['a control character in a quoted value', 'application/json; x="a\u0001"'],
  ])('refuses %s as malformed: which charset was meant is unknown', (_, header) => {
    expect(readMediaType(header)).toBe('malformed');
  });

  it('never throws, on any header', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', ';', '=', '"', '\\', ' ', '\t', 'charset', 'utf-8', 'text/plain') }),
        (tail) => {
          expect(['accepted', 'unsupported', 'malformed']).toContain(readMediaType(`text/plain${tail}`));
        },
      ),
    );
  });

  it('reads a header as long as Node takes in one pass, not quadratically', async () => {
    const headers = [
      `text/plain; x="${'\\;'.repeat(8_000)}`,
      `text/plain${' '.repeat(16_000)}x`,
      `text/plain${';'.repeat(16_000)}`,
      `text/plain; x="${' '.repeat(16_000)}`,
    ];
    const used = await cpuMs(() => {
      for (let round = 0; round < 20; round++) for (const header of headers) readMediaType(header);
    });
    expect(used).toBeLessThan(1_000);
  });
});

describe('createIngestHandler, by Content-Type', () => {
  async function answer(contentType: string): Promise<{ status: number; error: unknown }> {
    const { log, events } = memoryLogger();
    const server = await listen(createServer(createIngestHandler(log)));
    try {
      const response = await fetch(server.url, {
        method: 'POST',
        body: `${JSON.stringify({ '@t': new Date().toISOString(), '@mt': 'Hello' })}\n`,
        headers: { 'Content-Type': contentType },
      });
      const json = (await response.json()) as { error?: unknown };
      expect(events).toHaveLength(response.status === 200 ? 1 : 0);
      return { status: response.status, error: json.error };
    } finally {
      await server.close();
      await log.close({ strategy: 'immediate', timeoutMs: 0 });
    }
  }

  it('writes a body whose Content-Type has a quoted parameter holding ";" (RFC 9110 §5.6.6)', async () => {
    expect(await answer('application/json; x="a;charset=latin1"; charset=utf-8')).toEqual({ status: 200, error: undefined });
  });

  it('answers 415 to a charset other than UTF-8 hidden behind a quoted ";"', async () => {
    expect(await answer('application/json; charset="utf-8;latin1"')).toEqual({ status: 415, error: 'Unsupported Media Type' });
  });

  it('answers 415 to a Content-Type it cannot read, and says so', async () => {
    expect(await answer('application/json; charset="utf-8')).toEqual({
      status: 415,
      error: 'Unsupported Media Type: malformed Content-Type',
    });
  });
});
