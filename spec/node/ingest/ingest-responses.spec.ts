import { createServer, IncomingMessage, ServerResponse, STATUS_CODES } from 'node:http';
import { connect as connectHttp2, createServer as createHttp2Server } from 'node:http2';
import { connect, Socket } from 'node:net';
import { createIngestHandler } from '../../../lib/node/ingest/create-ingest-handler';
import { failed, respond } from '../../../lib/node/ingest/ingest-responses';
import { exchangeRaw, listen, memoryLogger, within } from '../../helpers/node-http';

function response(): { res: ServerResponse; written: string[] } {
  const req = new IncomingMessage(new Socket());
  req.complete = true;
  const res = new ServerResponse(req);
  const written: string[] = [];
  const socket = new Socket();
  socket.write = (chunk: string | Buffer) => written.push(String(chunk)) > 0;
  res.assignSocket(socket);
  return { res, written };
}

describe('respond', () => {
  it('answers JSON with its length and no-store, once: a second answer is not attempted', () => {
    const { res, written } = response();
    respond(res, 200, { accepted: 1, rejected: 0 });
    respond(res, 500, { accepted: 0 });
    const text = written.join('');
    expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(text).toMatch(/Content-Type: application\/json\r\nContent-Length: 27\r\nCache-Control: no-store/);
    expect(text).not.toContain('500');
  });
});

describe('failed', () => {
  it('answers 500 when it still can, and destroys the response when even that throws, never throwing itself', () => {
    const { res, written } = response();
    failed(res.req, res, new Error('bug'));
    expect(written.join('')).toMatch(/^HTTP\/1\.1 500 Internal Server Error\r\n/);
    const broken = response().res;
    broken.writeHead = () => {
      throw new Error('cannot write');
    };
    expect(() => failed(broken.req, broken, new Error('bug'))).not.toThrow();
    expect(broken.destroyed).toBe(true);
  });
});

// A refused body is discarded only for a moment, so the answer reaches the client: a client that
// keeps sending after it (a body that never ends) must not hold the connection, or the stream,
// with the server reading on. Over HTTP/2 the server only ends its half of the stream, and Node
// reads and discards what the client sends for as long as it sends.
describe('refuse, against a client that keeps sending after its answer', () => {
  const limitBytes = 65_536;

  it('closes an HTTP/1.1 connection whose chunked body never ends, once the 413 is sent', async () => {
    const { log } = memoryLogger();
    const server = await listen(createServer(createIngestHandler(log, { rateLimit: false, maxBodyBytes: limitBytes })));
    try {
      const { answer, sent } = await within(
        'the connection closing',
        new Promise<{ answer: string; sent: number }>((resolve) => {
          const socket = connect(Number(new URL(server.url).port), '127.0.0.1');
          let answer = '';
          let sent = 0;
          socket.setEncoding('latin1').on('data', (chunk: string) => (answer += chunk));
          socket.on('error', () => undefined);
          socket.on('close', () => resolve({ answer, sent }));
          socket.write(
            'POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/vnd.serilog.clef\r\nTransfer-Encoding: chunked\r\n\r\n',
          );
          const chunk = `1000\r\n${'a'.repeat(4096)}\r\n`;
          const pump = (): void => {
            if (socket.destroyed) return;
            sent += chunk.length;
            socket.write(chunk, () => setImmediate(pump));
          };
          pump();
        }),
      );
      expect(answer).toMatch(/^HTTP\/1\.1 413 .*\r\nConnection: close\r\n/s);
      expect(sent).toBeLessThan(64 * limitBytes);
    } finally {
      await server.close();
      await log.close({ strategy: 'immediate', timeoutMs: 0 });
    }
  });

  it.each([
    ['declares a length over maxBodyBytes', { 'content-length': '100000000' }],
    ['declares no length', {}],
    ['sends a type it refuses unread', { 'content-type': 'text/html' }],
  ])('resets the HTTP/2 stream of a client that %s once its answer is sent', async (_, headers: Record<string, string>) => {
    const { log } = memoryLogger();
    const server = await listen(createHttp2Server(createIngestHandler(log, { rateLimit: false, maxBodyBytes: limitBytes })));
    const session = connectHttp2(server.url);
    session.on('error', () => undefined);
    try {
      const { status, sent } = await within(
        'the stream closing',
        new Promise<{ status: number; sent: number }>((resolve) => {
          const stream = session.request({
            ':method': 'POST',
            ':path': '/',
            'content-type': 'application/vnd.serilog.clef',
            ...headers,
          });
          let status = 0;
          let sent = 0;
          stream.on('response', (answer) => (status = Number(answer[':status'])));
          stream.on('error', () => undefined);
          stream.on('close', () => resolve({ status, sent }));
          stream.resume();
          const chunk = 'a'.repeat(4096);
          const pump = (): void => {
            if (stream.destroyed) return;
            sent += chunk.length;
            stream.write(chunk, () => setImmediate(pump));
          };
          pump();
        }),
      );
      expect(status).toBe(headers['content-type'] === undefined ? 413 : 415);
      expect(sent).toBeLessThan(64 * limitBytes);
    } finally {
      session.destroy();
      await server.close();
      await log.close({ strategy: 'immediate', timeoutMs: 0 });
    }
  });
});

// RFC 9110 renamed 413 `Content Too Large` (RFC 7231 said `Payload Too Large`). The status line
// keeps Node's own text, as every other answer of a Node or Express server does (Express's
// `sendStatus` and the `statuses` package say the same): a reason phrase carries no meaning, a
// client SHOULD ignore it (RFC 9112 §4) and HTTP/2 sends none. The body's `error` says RFC 9110's
// name.
describe("createIngestHandler's 413", () => {
  it("keeps Node's status text on the status line and says RFC 9110's name in the body", async () => {
    const { log } = memoryLogger();
    const server = await listen(createServer(createIngestHandler(log, { maxBodyBytes: 61_440 })));
    try {
      const head = 'POST / HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n';
      const answer = await exchangeRaw(Number(new URL(server.url).port), head, (received) => received.endsWith('}'));
      expect(answer.split('\r\n')[0]).toBe(`HTTP/1.1 413 ${STATUS_CODES[413]}`);
      expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toEqual({
        accepted: 0,
        rejected: 0,
        error: 'Content Too Large',
      });
    } finally {
      await server.close();
      await log.close({ strategy: 'immediate', timeoutMs: 0 });
    }
  });
});
