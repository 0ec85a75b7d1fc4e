import { createServer } from 'node:http';
import express from 'express';
import { createIngestHandler } from '../../../lib/node/ingest/create-ingest-handler';
import { exchangeRaw, listen, memoryLogger, within } from '../../helpers/node-http';
import { collectSelfLog } from '../../helpers/self-log';

async function post(url: string, body: Uint8Array | string): Promise<{ status: number; json: unknown }> {
  const response = await fetch(url, {
    method: 'POST',
    body: typeof body === 'string' ? body : new Uint8Array(body),
    headers: { 'Content-Type': 'application/vnd.serilog.clef' },
  });
  return { status: response.status, json: await response.json() };
}

// A request stream something set an encoding on emits strings: the handler copied each 'data'
// chunk as a Buffer, and a string's missing copy() threw inside Node's emit, which ended the process.
describe('createIngestHandler reading a body whose stream has an encoding set', () => {
  it('reads the body a middleware tees as text (req.setEncoding) before the handler, and keeps the process up', async () => {
    const { log, events } = memoryLogger();
    const ingest = createIngestHandler(log, { rateLimit: false });
    const app = express();
    const teed: string[] = [];
    // A raw-body capture for a signature check, reading along with whoever comes next.
    app.use((req, _res, next) => {
      let raw = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (raw += chunk));
      req.on('end', () => teed.push(raw));
      next();
    });
    app.post('/api/logs', ingest);
    const server = await listen(createServer(app));
    try {
      const body = ['Grüße {N}', 'Ready ✓ {N}'].map((template, n) => JSON.stringify({ '@mt': template, N: n })).join('\n');
      expect(await post(`${server.url}/api/logs`, body)).toEqual({ status: 200, json: { accepted: 2, rejected: 0 } });
      expect(events.map((event) => event.renderMessage())).toEqual(['Grüße 0', 'Ready ✓ 1']);
      expect(teed).toEqual([body]);
    } finally {
      await server.close();
      await log.close({ strategy: 'immediate', timeoutMs: 0 });
    }
  });

  it('reads the bytes as sent under any encoding: a line of invalid UTF-8 is still rejected as such, and its neighbours kept', async () => {
    const { log, events } = memoryLogger();
    const ingest = createIngestHandler(log, { rateLimit: false });
    const server = await listen(
      createServer((req, res) => {
        req.setEncoding('latin1');
        ingest(req, res);
      }),
    );
    try {
      const body = Buffer.concat([
        Buffer.from(`${JSON.stringify({ '@mt': 'Café' })}\n{"@mt":"`),
        Buffer.from([0xc3, 0x28]),
        Buffer.from(`"}\n${JSON.stringify({ '@mt': 'After' })}`),
      ]);
      expect(await post(server.url, body)).toEqual({
        status: 200,
        json: { accepted: 2, rejected: 1, error: 'line 2: invalid UTF-8' },
      });
      expect(events.map((event) => event.renderMessage())).toEqual(['Café', 'After']);
    } finally {
      await server.close();
      await log.close({ strategy: 'immediate', timeoutMs: 0 });
    }
  });
});

// A middleware before the handler that paused the request (while it awaited an auth lookup, or as
// raw-body leaves a stream it stopped reading) left a stream that a 'data' listener no longer
// starts: the handler waited for a body that never came and answered 408 once bodyGracePeriodMs passed.
describe('createIngestHandler reading a body a middleware before it paused', () => {
  it('resumes the request and reads the body, as a stream consumer does', async () => {
    const { log, events } = memoryLogger();
    const ingest = createIngestHandler(log, { rateLimit: false, bodyTimeoutMs: 2_000 });
    const app = express();
    app.use((req, _res, next) => {
      req.pause();
      setImmediate(next);
    });
    app.post('/api/logs', ingest);
    const server = await listen(createServer(app));
    try {
      const body = JSON.stringify({ '@mt': 'Paused {N}', N: 1 });
      expect(await post(`${server.url}/api/logs`, body)).toEqual({ status: 200, json: { accepted: 1, rejected: 0 } });
      expect(events.map((event) => event.renderMessage())).toEqual(['Paused 1']);
    } finally {
      await server.close();
      await log.close({ strategy: 'immediate', timeoutMs: 0 });
    }
  });

  // The bytes it read are events the handler never sees: a 200 for the rest (or a 400 for a first
  // line cut in two) would tell the client they were taken. Told by the declared Content-Length.
  it.each([
    ['paused it', true],
    ['left it flowing', false],
  ])(
    'answers 500 and tells SelfLog when the middleware read part of the body first and %s, as when it read all of it',
    async (_, pause) => {
      const { log, events } = memoryLogger();
      const ingest = createIngestHandler(log, { rateLimit: false, bodyTimeoutMs: 2_000 });
      const app = express();
      const sniffed: Buffer[] = [];
      app.use((req, _res, next) => {
        req.once('data', (chunk: Buffer) => {
          sniffed.push(chunk);
          if (pause) req.pause();
          next();
        });
      });
      app.post('/api/logs', ingest);
      const server = await listen(createServer(app));
      const self = collectSelfLog();
      try {
        const body = [1, 2, 3].map((n) => JSON.stringify({ '@mt': 'Sniffed {N}', N: n })).join('\n');
        expect(await post(`${server.url}/api/logs`, body)).toEqual({
          status: 500,
          json: { accepted: 0, rejected: 0, error: 'Internal Server Error' },
        });
        expect(sniffed.length).toBeGreaterThan(0);
        expect(events).toEqual([]);
        expect(self.diagnostics.map((d) => d.message).join('\n')).toContain('the request body was already read by a middleware');
        expect(ingest.metrics().responses).toEqual({ 500: 1 });
      } finally {
        self.stop();
        await server.close();
        await log.close({ strategy: 'immediate', timeoutMs: 0 });
      }
    },
  );
});

// Without a Content-Length (chunked) or under an encoding a middleware set, fewer bytes than
// declared cannot tell a sniffed chunk: the handler answered 200 for the lines it still got (none
// under an encoding), and the browser counted the sniffed ones delivered.
describe('createIngestHandler reading a chunked or encoded body a middleware read part of first', () => {
  const lines = [1, 2, 3].map((n) => `${JSON.stringify({ '@mt': 'Sniffed {N}', N: n })}\n`);
  const head = 'POST /api/logs HTTP/1.1\r\nHost: x\r\nContent-Type: application/vnd.serilog.clef\r\n';
  // One HTTP chunk a line, sent at once: the parser hands each over as a 'data' chunk of its own.
  const chunked = `${head}Transfer-Encoding: chunked\r\n\r\n${lines
    .map((line) => `${Buffer.byteLength(line).toString(16)}\r\n${line}\r\n`)
    .join('')}0\r\n\r\n`;
  const sized = `${head}Content-Length: ${Buffer.byteLength(lines.join(''))}\r\n\r\n${lines.join('')}`;

  async function exchange(
    request: string,
    middleware: express.RequestHandler,
  ): Promise<{ answer: string; messages: string[]; notices: string; responses: Readonly<Record<string, number>> }> {
    const { log, events } = memoryLogger();
    const ingest = createIngestHandler(log, { rateLimit: false, bodyTimeoutMs: 2_000 });
    const app = express();
    app.use(middleware);
    app.post('/api/logs', ingest);
    const server = await listen(createServer(app));
    const self = collectSelfLog();
    try {
      const answer = await exchangeRaw(Number(new URL(server.url).port), request, (received) => received.endsWith('}'));
      return {
        answer,
        messages: events.map((event) => event.renderMessage()),
        notices: self.diagnostics.map((d) => d.message).join('\n'),
        responses: ingest.metrics().responses,
      };
    } finally {
      self.stop();
      await server.close();
      await log.close({ strategy: 'immediate', timeoutMs: 0 });
    }
  }

  it.each([
    ['chunked', chunked, undefined],
    ['chunked and read under an encoding', chunked, 'utf8'],
    ['sized by Content-Length and read under an encoding', sized, 'utf8'],
  ] as const)('answers 500 and tells SelfLog when the body is %s', async (_, request, encoding) => {
    const sniffed: unknown[] = [];
    const { answer, messages, notices, responses } = await exchange(request, (req, _res, next) => {
      if (encoding !== undefined) req.setEncoding(encoding);
      req.once('data', (chunk: unknown) => {
        sniffed.push(chunk);
        next();
      });
    });
    expect(answer).toMatch(/^HTTP\/1\.1 500 /);
    expect(answer).toContain('{"accepted":0,"rejected":0,"error":"Internal Server Error"}');
    expect(sniffed).toHaveLength(1);
    expect(messages).toEqual([]);
    expect(notices).toContain('the request body was already read by a middleware');
    expect(responses).toEqual({ 500: 1 });
  });

  it.each([
    ['chunked', chunked, undefined],
    ['chunked and read under an encoding', chunked, 'latin1'],
  ] as const)('takes a body %s that a middleware only reads along with', async (_, request, encoding) => {
    let teed = '';
    const { answer, messages } = await exchange(request, (req, _res, next) => {
      if (encoding !== undefined) req.setEncoding(encoding);
      req.on('data', (chunk: Buffer | string) => (teed += chunk.toString()));
      next();
    });
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(answer).toContain('{"accepted":3,"rejected":0}');
    expect(messages).toEqual(['Sniffed 1', 'Sniffed 2', 'Sniffed 3']);
    expect(teed).toBe(lines.join(''));
  });
});

// RFC 9112 §6.1 and §6.3: a Transfer-Encoding overrides a Content-Length, and the server must close
// the connection after answering such a request (a proxy before it may have framed the body by the
// other header: what follows could be a smuggled request). Node's parser refuses both with 400
// itself, unless the server takes them (insecureHTTPParser), when it reads the body chunked.
describe('createIngestHandler reading a body sent with both Content-Length and Transfer-Encoding', () => {
  const lines = [1, 2].map((n) => `${JSON.stringify({ '@mt': 'Framed {N}', N: n })}\n`).join('');
  const chunked = (length: string): string =>
    'POST /api/logs HTTP/1.1\r\nHost: x\r\nContent-Type: application/vnd.serilog.clef\r\n' +
    `Content-Length: ${length}\r\nTransfer-Encoding: chunked\r\n\r\n` +
    `${Buffer.byteLength(lines).toString(16)}\r\n${lines}\r\n0\r\n\r\n`;
  // Pipelined behind it: answered only if the connection were kept.
  const next = 'POST /api/logs HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 0\r\n\r\n';

  it.each([
    ['a Content-Length above the body', '1000'],
    ['a Content-Length above maxBodyBytes', '99999999'],
    ['a Content-Length below the body', '5'],
  ])('reads it by its chunks, with %s, and closes the connection after answering', async (_name, length) => {
    const { log, events } = memoryLogger();
    const ingest = createIngestHandler(log, { rateLimit: false, maxBodyBytes: 65_536 });
    const server = await listen(createServer({ insecureHTTPParser: true }, (req, res) => ingest(req, res)));
    const self = collectSelfLog();
    try {
      const received = await within(
        'the server closing the connection',
        exchangeRaw(Number(new URL(server.url).port), chunked(length) + next, () => false),
      );
      const answers = received.split(/(?=HTTP\/1\.1 )/);
      expect(answers.map((answer) => answer.split('\r\n')[0])).toEqual(['HTTP/1.1 200 OK']);
      expect(answers[0]).toMatch(/\r\nConnection: close\r\n/i);
      expect(answers[0]).toMatch(/\r\n\r\n\{"accepted":2,"rejected":0\}$/);
      expect(events.map((event) => event.renderMessage())).toEqual(['Framed 1', 'Framed 2']);
      expect(self.diagnostics).toEqual([]);
    } finally {
      self.stop();
      await server.close();
      await log.close({ strategy: 'immediate', timeoutMs: 0 });
    }
  });
});
