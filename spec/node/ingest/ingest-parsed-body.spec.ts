import { createServer } from 'node:http';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import express, { type RequestHandler } from 'express';
import Fastify from 'fastify';
import type { AddressInfo } from 'node:net';
import { createIngestHandler } from '../../../lib/node/ingest/create-ingest-handler';
import { listen, memoryLogger } from '../../helpers/node-http';

interface Answer {
  status: number;
  json: unknown;
  acceptEncoding: string | null;
}

async function post(url: string, body: Uint8Array | string, headers: Record<string, string>): Promise<Answer> {
  const response = await fetch(url, { method: 'POST', body: typeof body === 'string' ? body : new Uint8Array(body), headers });
  const text = await response.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text) as unknown;
  } catch {
    // Not the handler's answer (body-parser's own error page): kept as text.
  }
  return { status: response.status, json, acceptEncoding: response.headers.get('accept-encoding') };
}

const lines = `${JSON.stringify({ '@mt': 'Zipped {N}', N: 1 })}\n${JSON.stringify({ '@mt': 'Zipped {N}', N: 2 })}\n`;
const clef = 'application/vnd.serilog.clef';

/** Mounts the handler behind `parsers` on a real Express 5 app; resolves with its URL, its events and a close. */
async function expressApp(...parsers: RequestHandler[]) {
  const { log, events } = memoryLogger();
  const ingest = createIngestHandler(log, { rateLimit: false });
  const app = express();
  app.post('/api/logs', ...parsers, ingest);
  const server = await listen(createServer(app));
  return {
    url: `${server.url}/api/logs`,
    ingest,
    messages: () => events.map((e) => e.renderMessage()),
    close: async () => {
      await server.close();
      await log.close({ strategy: 'immediate', timeoutMs: 0 });
    },
  };
}

// express.text() and express.raw() (body-parser) inflate gzip, deflate and br bodies under their
// own `limit`; the handler then got the inflated text and still answered 415 for the header.
describe('createIngestHandler given a body an Express body parser inflated', () => {
  it.each([
    ['gzip', 'express.text()', gzipSync(lines)],
    ['deflate', 'express.text()', deflateSync(lines)],
    ['br', 'express.text()', brotliCompressSync(lines)],
    ['gzip', 'express.raw()', gzipSync(lines)],
  ] as const)('takes a %s body %s inflated, as the lines it holds', async (encoding, parser, body) => {
    const app = await expressApp(parser === 'express.text()' ? express.text({ type: clef }) : express.raw({ type: clef }));
    try {
      const answer = await post(app.url, body, { 'Content-Type': clef, 'Content-Encoding': encoding });
      expect(answer).toMatchObject({ status: 200, json: { accepted: 2, rejected: 0 } });
      expect(app.messages()).toEqual(['Zipped 1', 'Zipped 2']);
    } finally {
      await app.close();
    }
  });

  it("takes a gzip body express.json() inflated and parsed, under the parser's limit", async () => {
    const app = await expressApp(express.json());
    try {
      const body = gzipSync(JSON.stringify([{ '@mt': 'Zipped {N}', N: 1 }]));
      const answer = await post(app.url, body, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' });
      expect(answer).toMatchObject({ status: 200, json: { accepted: 1, rejected: 0 } });
      expect(app.messages()).toEqual(['Zipped 1']);
    } finally {
      await app.close();
    }
  });

  it('still refuses a coded body nothing inflated: read by the handler itself, or past a parser of another type', async () => {
    const app = await expressApp(express.text({ type: 'text/plain' }));
    try {
      const answer = await post(app.url, gzipSync(lines), { 'Content-Type': clef, 'Content-Encoding': 'gzip' });
      expect(answer).toMatchObject({ status: 415, acceptEncoding: 'identity' });
      expect(app.messages()).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it("leaves a parser's inflate: false to the parser, which answers 415 itself", async () => {
    const app = await expressApp(express.text({ type: clef, inflate: false }));
    try {
      const answer = await post(app.url, gzipSync(lines), { 'Content-Type': clef, 'Content-Encoding': 'gzip' });
      expect(answer.status).toBe(415);
      expect(app.ingest.metrics().responses).toEqual({});
    } finally {
      await app.close();
    }
  });

  it('refuses a body a middleware kept still coded in req.body (gzip or zlib bytes), writing none of it', async () => {
    // A raw-body capture that keeps the bytes as they came: not inflated, whatever it is called.
    const keepRaw: RequestHandler = (req, _res, next) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        (req as { body?: unknown }).body = Buffer.concat(chunks);
        next();
      });
    };
    const app = await expressApp(keepRaw);
    try {
      for (const [encoding, body] of [
        ['gzip', gzipSync(lines)],
        ['deflate', deflateSync(lines)],
      ] as const) {
        const answer = await post(app.url, body, { 'Content-Type': clef, 'Content-Encoding': encoding });
        expect(answer).toMatchObject({ status: 415, acceptEncoding: 'identity' });
      }
      expect(app.messages()).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it("still refuses a text body Fastify's own parser read still coded (Fastify inflates nothing)", async () => {
    const { log, events } = memoryLogger();
    const ingest = createIngestHandler(log, { rateLimit: false });
    const app = Fastify();
    app.post('/api/logs', (request, reply) => ingest(request, reply));
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/api/logs`;
      const answer = await post(url, gzipSync(lines), { 'Content-Type': 'text/plain', 'Content-Encoding': 'gzip' });
      expect(answer).toMatchObject({ status: 415, acceptEncoding: 'identity' });
      expect(events).toEqual([]);
    } finally {
      await app.close();
      await log.close({ strategy: 'immediate', timeoutMs: 0 });
    }
  });
});

// An item JSON.stringify cannot write back was answered "not a JSON object": counted right, worded wrong.
describe('createIngestHandler given items a parser read that cannot be written back as JSON', () => {
  it('rejects an item holding a bigint (an app parser that reads big integers) for that, keeping the others', async () => {
    const bigintParser: RequestHandler = (req, _res, next) => {
      let text = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (text += chunk));
      req.on('end', () => {
        (req as { body?: unknown }).body = [{ '@mt': 'Kept' }, { '@mt': 'Big {Id}', Id: BigInt(text.length) }];
        next();
      });
    };
    const app = await expressApp(bigintParser);
    try {
      const answer = await post(app.url, '[]', { 'Content-Type': 'application/json' });
      expect(answer).toMatchObject({
        status: 200,
        json: { accepted: 1, rejected: 1, error: 'line 2: holds a value JSON cannot write (a bigint or a cycle)' },
      });
      expect(app.messages()).toEqual(['Kept']);
    } finally {
      await app.close();
    }
  });
});
