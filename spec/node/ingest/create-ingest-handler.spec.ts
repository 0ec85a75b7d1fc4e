import { spawnSync } from 'node:child_process';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { connect as connectHttp2, createServer as createHttp2Server } from 'node:http2';
import { type AddressInfo, connect, type Socket } from 'node:net';
import * as path from 'node:path';
import { deflateSync, gzipSync } from 'node:zlib';
import express from 'express';
import Fastify from 'fastify';
import { LoggerConfiguration } from '../../../lib/configuration/logger-configuration';
import type { LogEvent } from '../../../lib/core/log-event';
import { SelfLog } from '../../../lib/core/self-log';
import { NdjsonFormatter } from '../../../lib/formatting/ndjson-formatter';
import { createIngestHandler, type IngestHandler } from '../../../lib/node/ingest/create-ingest-handler';
import type { IngestHandlerOptions } from '../../../lib/node/ingest/ingest-handler-options';
import { HttpSink } from '../../../lib/sinks/http/http-sink';
import { SeqSink } from '../../../lib/sinks/http/seq-sink';
import { startNestApp } from '../../nest/fixtures/run-nest-app';
import type { Logger } from '../../../lib/pipeline/logger';
import { MemorySink } from '../../../lib/sinks/memory-sink';
import { cpuMs } from '../../helpers/cpu-time';
import { exchangeRaw, listen, signal } from '../../helpers/node-http';
import { useRegisteredTracer } from '../../helpers/registered-tracer';
import { CompactJsonFormatter } from '../../../lib/formatting/compact-json-formatter';
import { TextFormatter } from '../../../lib/formatting/text-formatter';
import { traceContextEnricher } from '../../../lib/otel/trace-context-enricher';
import { childStdout } from '../../helpers/child-stdout';
import { fakeClocksOnly } from '../../helpers/fake-date';

interface Ingest {
  url: string;
  /** Requests the server has handed to the handler so far. */
  readonly received: number;
  events: LogEvent[];
  handler: IngestHandler;
  log: Logger;
  close(): Promise<void>;
}

const servers: Ingest[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function startIngest(options: IngestHandlerOptions = {}): Promise<Ingest> {
  const memory = new MemorySink();
  const log = new LoggerConfiguration().minimumLevel.verbose().writeTo.sink(memory).createLogger();
  const handler = createIngestHandler(log, options);
  const sockets = new Set<Socket>();
  let received = 0;
  const server: Server = createServer((req, res) => {
    received++;
    if (req.url?.startsWith('/ingest')) handler(req, res);
    else res.writeHead(404).end();
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const ingest: Ingest = {
    url: `http://127.0.0.1:${port}/ingest`,
    get received() {
      return received;
    },
    events: memory.events,
    handler,
    log,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await log.close({ strategy: 'immediate', timeoutMs: 0 });
    },
  };
  servers.push(ingest);
  return ingest;
}

async function post(
  url: string,
  body: string | Uint8Array,
  contentType = 'application/vnd.serilog.clef',
  headers: Record<string, string> = {},
) {
  const response = await fetch(url, {
    method: 'POST',
    body: typeof body === 'string' ? body : new Uint8Array(body),
    headers: { 'Content-Type': contentType, ...headers },
  });
  return { status: response.status, headers: response.headers, json: (await response.json()) as Record<string, unknown> };
}

/** Sends headers and the first chunk, then keeps the body open (or streams `total` bytes); resolves with the response status. */
function rawPost(
  url: string,
  options: { contentLength?: number; first: string; total?: number; contentType?: string },
): Promise<{ status: number; sent: number }> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    const headers: Record<string, string> = { 'Content-Type': options.contentType ?? 'application/vnd.serilog.clef' };
    if (options.contentLength !== undefined) headers['Content-Length'] = String(options.contentLength);
    const req = request(url, { method: 'POST', headers });
    req.on('response', (res: IncomingMessage) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, sent }));
    });
    req.on('error', reject);
    req.write(options.first);
    sent += options.first.length;
    if (options.total === undefined) return;
    const chunk = 'x'.repeat(64 * 1024);
    const pump = (): void => {
      while (sent < options.total! && !req.destroyed) {
        sent += chunk.length;
        if (!req.write(chunk)) {
          req.once('drain', pump);
          return;
        }
      }
      req.end();
    };
    pump();
  }).then(
    (result) => result as { status: number; sent: number },
    (error: unknown) => Promise.reject(error instanceof Error ? error : new Error(String(error))),
  );
}

/**
 * A POST of `declared` bytes from `localAddress` (a loopback address: a client of its own) that
 * sends `first` at once and the rest (spaces) only on `rest()`, or at once when `first` is all of it.
 */
function slowPost(
  url: string,
  localAddress: string,
  first: string,
  declared: number,
  headers: Record<string, string> = {},
): { answer: Promise<{ status: number; retryAfter: string | undefined; json: unknown }>; rest(): void } {
  const req = request(url, {
    method: 'POST',
    localAddress,
    agent: false,
    headers: { 'Content-Type': 'text/plain', 'Content-Length': String(declared), ...headers },
  });
  const answer = new Promise<{ status: number; retryAfter: string | undefined; json: unknown }>((resolve, reject) => {
    req.on('response', (res: IncomingMessage) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        const retryAfter = res.headers['retry-after'];
        resolve({ status: res.statusCode ?? 0, retryAfter, json: JSON.parse(text) as unknown });
      });
    });
    req.on('error', reject);
  });
  req.write(first);
  const rest = (): void => {
    req.end(' '.repeat(declared - first.length));
  };
  if (first.length === declared) req.end();
  return { answer, rest };
}

/** Waits (at most 10 s, a bound for loaded machines, not a sleep) until `done()`. */
const until = async (done: () => boolean): Promise<void> => {
  const end = Date.now() + 10_000;
  while (!done() && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 5));
};

const clef = (value: Record<string, unknown>): string => JSON.stringify({ '@t': '2026-11-30T10:00:00.000Z', ...value });

describe('createIngestHandler', () => {
  it('receives what a real HttpSink sends and logs each event with the client data kept apart', async () => {
    const ingest = await startIngest({ clientAddress: true });
    const browser = new LoggerConfiguration().minimumLevel
      .verbose()
      .writeTo.sink(new HttpSink({ url: ingest.url }), { batch: { size: 10, maxDelayMs: 10 } })
      .createLogger();
    browser.information('Clicked {Button} on {@Page}', 'buy', { path: '/cart' });
    browser.error(new TypeError('bad'), 'Render of {Component} failed', 'Cart');
    browser.fatal('Everything is on fire');
    await browser.close({ strategy: 'flush', timeoutMs: 5_000 });
    expect(browser.metrics().sinks.http).toMatchObject({ delivered: 3, failed: 0 });

    expect(ingest.events.map((e) => [e.level, e.renderMessage()])).toEqual([
      ['information', 'Clicked buy on {"path":"/cart"}'],
      ['error', 'Render of Cart failed'],
      ['error', 'Everything is on fire'],
    ]);
    const [first, second, third] = ingest.events;
    expect(first.messageTemplate.text).toBe('{ClientMessage}');
    expect(first.properties).toMatchObject({
      Origin: 'browser',
      ClientAddress: '127.0.0.1',
      ClientTemplate: 'Clicked {Button} on {@Page}',
      Client: { Button: 'buy', Page: { path: '/cart' } },
    });
    expect(typeof first.properties.UserAgent).toBe('string');
    expect(typeof first.properties.ClientTimestamp).toBe('string');
    expect(second.exception?.stack).toContain('TypeError: bad');
    expect(third.properties.ClientLevel).toBe('fatal');
  });

  it.each([
    ['http', (url: string) => new HttpSink({ url })],
    ['seq', (url: string) => new SeqSink({ serverUrl: url.replace(/\/ingest$/, '/ingest/seq') })],
  ])('has a real %s sink count failed the lines a 200 rejected, and delivered only those it accepted', async (name, make) => {
    const ingest = await startIngest({ maxEvents: 2 }); // later lines of a batch are rejected
    const browser = new LoggerConfiguration().writeTo
      .sink(make(ingest.url), { batch: { size: 3, maxDelayMs: 10 } })
      .createLogger();
    for (let n = 0; n < 3; n++) browser.information('Event {N}', n);
    await browser.close({ strategy: 'flush', timeoutMs: 5_000 });
    expect(ingest.events.map((e) => (e.properties.Client as Record<string, unknown>).N)).toEqual([0, 1]);
    expect(ingest.handler.metrics()).toMatchObject({ accepted: 2, rejected: 1 });
    expect(browser.metrics().sinks[name]).toMatchObject({ received: 3, delivered: 2, failed: 1 });
  });

  it('receives a real SeqSink, an NDJSON body and a beacon body sent as text/plain', async () => {
    const ingest = await startIngest();
    const seq = new LoggerConfiguration().writeTo
      .sink(new SeqSink({ serverUrl: ingest.url.replace(/\/ingest$/, '/ingest/seq'), apiKey: 'k' }))
      .createLogger();
    seq.information('From {Sink}', 'seq');
    await seq.close({ strategy: 'flush', timeoutMs: 5_000 });
    const ndjson = new LoggerConfiguration().writeTo
      .sink(new HttpSink({ url: ingest.url, formatter: new NdjsonFormatter(), contentType: 'application/x-ndjson' }))
      .createLogger();
    ndjson.warning('From {Sink}', 'ndjson');
    await ndjson.close({ strategy: 'flush', timeoutMs: 5_000 });
    const beacon = await post(ingest.url, clef({ '@mt': 'From {Sink}', Sink: 'beacon' }), 'text/plain;charset=UTF-8');
    expect(beacon).toMatchObject({ status: 200, json: { accepted: 1, rejected: 0 } });
    expect(ingest.events.map((e) => [e.level, e.renderMessage()])).toEqual([
      ['information', 'From seq'],
      ['warning', 'From ndjson'],
      ['information', 'From beacon'],
    ]);
  });

  it('keeps a browser from forging server-side properties or polluting prototypes', async () => {
    const ingest = await startIngest();
    const body = clef({
      '@mt': 'Forged {Origin}',
      Origin: 'server',
      UserAgent: 'forged',
      RequestId: 'r-1',
      ClientMessage: 'forged message',
      __proto__: { isAdmin: true },
    }).replace('"Origin"', '"__proto__":{"isAdmin":true},"Origin"');
    const answer = await post(ingest.url, body, 'text/plain', { 'User-Agent': 'real-agent' });
    expect(answer.json).toEqual({ accepted: 1, rejected: 0 });
    const event = ingest.events[0];
    expect(event.renderMessage()).toBe('Forged server');
    expect(event.properties).toMatchObject({ Origin: 'browser', UserAgent: 'real-agent', ClientMessage: 'Forged server' });
    expect(event.properties.RequestId).toBeUndefined();
    expect(event.properties.Client).toMatchObject({ Origin: 'server', UserAgent: 'forged', RequestId: 'r-1' });
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect((event.properties as Record<string, unknown>).isAdmin).toBeUndefined();
  });

  it('rejects a line whose timestamp is not ISO 8601, though Date.parse reads a date in it, so ClientTimestamp holds only dates', async () => {
    const ingest = await startIngest();
    const lines = [
      '2026-11-30T10:00:00.000Z',
      '2026-11-30 10:00:00+01:00',
      'Error: db down 1',
      'admin 2',
      'Mon, 30 Nov 2026 10:00:00 GMT',
    ].map((timestamp) => JSON.stringify({ '@t': timestamp, '@mt': 'at {T}', T: timestamp }));
    expect(await post(ingest.url, lines.join('\n'))).toMatchObject({ status: 200, json: { accepted: 2, rejected: 3 } });
    expect(ingest.events.map((e) => e.properties.ClientTimestamp)).toEqual([
      '2026-11-30T10:00:00.000Z',
      '2026-11-30 10:00:00+01:00',
    ]);
  });

  it('lowers client levels to maxLevel', async () => {
    const ingest = await startIngest({ maxLevel: 'warning' });
    await post(
      ingest.url,
      [clef({ '@mt': 'a', '@l': 'Fatal' }), clef({ '@mt': 'b', '@l': 'Error' }), clef({ '@mt': 'c', '@l': 'Debug' })].join('\n'),
    );
    expect(ingest.events.map((e) => e.level)).toEqual(['warning', 'warning', 'debug']);
  });

  it('answers with the counts: bad lines rejected, the rest kept; 400 when nothing was usable', async () => {
    const ingest = await startIngest({ maxEvents: 5, maxEventBytes: 1_000 });
    const lines = [
      clef({ '@mt': 'ok 1' }),
      '{"@mt": 12}',
      clef({ '@mt': 'long', P: 'x'.repeat(2_000) }),
      clef({ '@mt': 'ok 2', Wide: Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`p${i}`, i])) }),
      '{ not json',
      clef({ '@mt': 'past maxEvents' }),
    ];
    expect(await post(ingest.url, lines.join('\n'))).toMatchObject({ status: 200, json: { accepted: 2, rejected: 4 } });
    expect(ingest.events.map((e) => e.renderMessage())).toEqual(['ok 1', 'ok 2']);
    expect(await post(ingest.url, 'garbage\n[]\n"x"')).toMatchObject({ status: 400, json: { accepted: 0, rejected: 3 } });
    expect(await post(ingest.url, '')).toMatchObject({ status: 200, json: { accepted: 0, rejected: 0 } });
  });

  // Seq's ingestion API answers a bad payload 400 with the reason; the handler answered the counts
  // only and told SelfLog nothing, so a browser build sending an `@l` of its own or a comma in `@t` left
  // its developer guessing which line failed and why.
  it('says why the first rejected line was rejected, with its number, never quoting it', async () => {
    const ingest = await startIngest({ maxEvents: 3, maxEventBytes: 200, maxDepth: 2, maxProperties: 3 });
    const reasonOf = async (body: string): Promise<unknown> => (await post(ingest.url, body)).json.error;
    expect(await post(ingest.url, `${clef({ '@mt': 'ok' })}\n\n{ "secret": hunter2`)).toMatchObject({
      status: 200,
      json: { accepted: 1, rejected: 1, error: 'line 3: invalid JSON' },
    });
    expect(await post(ingest.url, 'garbage hunter2\n[]')).toEqual({
      status: 400,
      headers: expect.anything() as unknown,
      json: { accepted: 0, rejected: 2, error: 'line 1: invalid JSON' },
    });
    expect(await reasonOf('[]')).toBe('line 1: not a JSON object');
    expect(await reasonOf(clef({ '@mt': 'x', '@l': 'Loud' }))).toBe(
      'line 1: @l is not a level (Verbose, Debug, Information, Warning, Error, Fatal)',
    );
    expect(await reasonOf(clef({ '@mt': 'x', '@t': '2026-11-30T10:00:00,5Z' }))).toBe(
      'line 1: @t is not an ISO 8601 date and time',
    );
    expect(await reasonOf(JSON.stringify({ level: 'Error', timestamp: 'now', message: 'x' }))).toBe(
      'line 1: timestamp is not an ISO 8601 date and time',
    );
    expect(await reasonOf(clef({ '@mt': 5 }))).toBe('line 1: @mt is not a string');
    expect(await reasonOf(clef({ '@x': 'Error' }))).toBe('line 1: no message (@mt or @m)');
    expect(await reasonOf(clef({ '@mt': 'x', A: { B: { C: { D: 1 } } } }))).toBe('line 1: nested deeper than maxDepth (2)');
    expect(await reasonOf(clef({ '@mt': 'x', A: 1, B: 2, C: 3, D: 4 }))).toBe('line 1: more than maxProperties (3) values');
    expect(await reasonOf(clef({ '@mt': 'x'.repeat(300) }))).toMatch(/^line 1: \d+ bytes, longer than maxEventBytes \(200\)$/);
    expect(
      await reasonOf(
        Array<string>(4)
          .fill(clef({ '@mt': 'x' }))
          .join('\n'),
      ),
    ).toBe('line 4: past maxEvents (3 events a request)');
    expect(await reasonOf(clef({ '@mt': 'ok' }))).toBeUndefined();
  });

  it('survives hostile bodies: invalid UTF-8, deep nesting, thousands of properties, wrong types', async () => {
    const ingest = await startIngest({ maxEventBytes: 256 * 1024, maxBodyBytes: 1024 * 1024 });
    const body = Buffer.concat([
      Buffer.from(`${clef({ '@mt': 'first' })}\n{"@mt":"bad \xff`, 'latin1'),
      Buffer.from([0xed, 0xa0, 0x80]),
      Buffer.from(`"}\n{"@mt":"deep","D":${'['.repeat(100_000)}${']'.repeat(100_000)}}\n`),
      Buffer.from(
        `${JSON.stringify(Object.fromEntries([['@mt', 'wide'], ...Array.from({ length: 5_000 }, (_, i) => [`P${i}`, i])]))}\n`,
      ),
      Buffer.from(`${clef({ '@mt': ['array'] })}\n${clef({ '@mt': 'x', '@l': 7 })}\n${clef({ '@mt': 'last' })}`),
    ]);
    expect(await post(ingest.url, body)).toMatchObject({ status: 200, json: { accepted: 2, rejected: 5 } });
    expect(ingest.events.map((e) => e.renderMessage())).toEqual(['first', 'last']);
  });

  // During a server's shutdown its logger closes before the HTTP server stops taking requests: a
  // batch that arrives then reaches a closed logger, which only counts it (rejectedAfterClose).
  it('bounds what a short line renders to, so repeated and padded holes cannot make the server log hundreds of times what the client sent', async () => {
    const ingest = await startIngest({ rateLimit: false });
    // 55 bytes a line, 1 000 lines: a 54 KB body. Each line asks for 40 000 characters of padding.
    const amplifier = JSON.stringify({ '@mt': '{A,10000}{A,10000}{A,10000}{A,10000}', A: 1 });
    const body = Array<string>(1_000).fill(amplifier).join('\n');
    expect(await post(ingest.url, body)).toMatchObject({ status: 200, json: { accepted: 1_000 } });
    // Cut at twice the line's length, at least 1 024 characters (it was maxEventBytes: 32 768, so
    // this body wrote 33 MB of log, about 600 times its size).
    const messages = ingest.events.map((e) => e.renderMessage());
    expect(messages.every((message) => message === `${' '.repeat(1_024)}…`)).toBe(true);
    // A line that renders to less than twice its length keeps its whole message.
    const from = ingest.events.length;
    const long = clef({ '@mt': '{A} and {A}', A: 'y'.repeat(10_000) });
    expect(await post(ingest.url, long)).toMatchObject({ status: 200, json: { accepted: 1 } });
    expect(ingest.events[from].renderMessage()).toBe(`${'y'.repeat(10_000)} and ${'y'.repeat(10_000)}`);
  });

  it('answers 503 with Retry-After once the server logger is closed, so the client keeps its events and sends them again', async () => {
    const ingest = await startIngest();
    await ingest.log.close();
    const answer = await post(ingest.url, [clef({ '@mt': 'a' }), clef({ '@mt': 'b' })].join('\n'));
    expect(answer).toMatchObject({ status: 503, json: { accepted: 0 } });
    expect(answer.headers.get('retry-after')).toBe('1');
    expect(ingest.handler.metrics()).toMatchObject({ accepted: 0, responses: { 503: 1 } });
  });

  it('answers 503 once the server logger is closed also when some events of the batch are below its minimum level', async () => {
    const memory = new MemorySink();
    // The default minimum level (information): a browser's debug event is below it.
    const log = new LoggerConfiguration().writeTo.sink(memory).createLogger();
    const ingest = createIngestHandler(log, { rateLimit: false });
    const server = await listen(createServer((req, res) => ingest(req, res)));
    try {
      await log.close();
      const answer = await post(server.url, [clef({ '@mt': 'paid' }), clef({ '@mt': 'chatty', '@l': 'Debug' })].join('\n'));
      expect(answer).toMatchObject({ status: 503, json: { accepted: 0 } });
      expect(ingest.metrics()).toMatchObject({ accepted: 0, responses: { 503: 1 } });
      expect(memory.events).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('refuses a declared body over maxBodyBytes with 413 before reading it', async () => {
    const ingest = await startIngest({ maxBodyBytes: 1_000 });
    const answer = await rawPost(ingest.url, { contentLength: 50 * 1024 * 1024, first: clef({ '@mt': 'x' }) });
    expect(answer.status).toBe(413);
    expect(ingest.events).toHaveLength(0);
  });

  it('stops reading a streamed body once it passes maxBodyBytes (413) and closes the connection', async () => {
    const ingest = await startIngest({ maxBodyBytes: 10_000 });
    const answer = await rawPost(ingest.url, { first: clef({ '@mt': 'x' }), total: 256 * 1024 * 1024 }).catch((error: Error) => ({
      status: -1,
      sent: 0,
      error,
    }));
    // The server answers 413 and closes; the client never gets to push its 256 MiB through.
    expect([413, -1]).toContain(answer.status);
    expect(answer.sent).toBeLessThan(256 * 1024 * 1024);
    expect(ingest.events).toHaveLength(0);
  });

  it('answers 413 to an over-long body sent in one piece (a fetch, a beacon)', async () => {
    const ingest = await startIngest({ maxBodyBytes: 1_000 });
    expect(await post(ingest.url, clef({ '@mt': 'x', P: 'y'.repeat(5_000) }))).toMatchObject({ status: 413 });
  });

  it('answers 408 and disconnects a client that sends its body too slowly', async () => {
    const ingest = await startIngest({ bodyTimeoutMs: 200 });
    const answer = await rawPost(ingest.url, { contentLength: 5_000, first: '{"@mt":' });
    expect(answer.status).toBe(408);
    expect(ingest.events).toHaveLength(0);
  });

  it('bounds the body bytes held across concurrent requests: past maxPendingBytes a request is answered 503 with Retry-After, and gets in once others finish', async () => {
    const ingest = await startIngest({ rateLimit: false, maxBodyBytes: 10_000, maxPendingBytes: 15_000 });
    const line = `${clef({ '@mt': 'held' })}\n`;
    /**
     * Starts a POST declaring 9 000 bytes and sends 8 000 of them (bytes count as they arrive);
     * `rest()` sends the remainder. From 127.0.0.2, a client of its own: the others come from
     * 127.0.0.1, so what is refused here is the shared bound, not one client's share of it.
     */
    const holding = () => {
      const req = request(ingest.url, {
        method: 'POST',
        localAddress: '127.0.0.2',
        headers: { 'Content-Type': 'text/plain', 'Content-Length': '9000' },
      });
      const status = new Promise<number>((resolve) => {
        req.on('response', (res: IncomingMessage) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', () => resolve(-1));
      });
      req.write(line.padEnd(8_000, ' '));
      return { status, rest: () => req.end(' '.repeat(1_000)), abort: () => req.destroy() };
    };
    const first = holding();
    // Waits for the server to hold the 8 000 bytes, not for a time a loaded machine can outlast.
    const holds = (bytes: number) => () => ingest.handler.metrics().pendingBytes === bytes;
    await until(holds(8_000));
    const declared = await post(ingest.url, line.padEnd(9_000, ' '), 'text/plain');
    expect([declared.status, declared.headers.get('retry-after'), declared.json.error]).toEqual([
      503,
      '1',
      'Service Unavailable',
    ]);
    // Chunked (no Content-Length): refused once what arrived would go past the bound.
    const chunked = await rawPost(ingest.url, { first: line.padEnd(7_500, ' '), contentType: 'text/plain' });
    expect(chunked.status).toBe(503);
    first.rest();
    expect(await first.status).toBe(200);
    // The bytes are given back when a body was read, refused or abandoned.
    const abandoned = holding();
    await until(holds(8_000));
    abandoned.abort();
    await abandoned.status;
    await until(holds(0));
    expect(await post(ingest.url, line.padEnd(9_000, ' '), 'text/plain')).toMatchObject({ status: 200, json: { accepted: 1 } });
    expect(ingest.events).toHaveLength(2);
  });

  it("keeps one client to a quarter of maxPendingBytes: past its share it is answered 429 with Retry-After, and another client's body still gets in", async () => {
    // Before, one client trickling bodies could hold all of maxPendingBytes and every other client got 503.
    const ingest = await startIngest({ rateLimit: false, maxBodyBytes: 10_000, maxPendingBytes: 40_000 });
    const line = `${clef({ '@mt': 'held' })}\n`;
    const first = slowPost(ingest.url, '127.0.0.2', line.padEnd(6_000, ' '), 7_000);
    await until(() => ingest.handler.metrics().pendingBytes === 6_000);
    // The same client's second body would take it to 12 000, past its share (10 000).
    const second = slowPost(ingest.url, '127.0.0.2', line.padEnd(6_000, ' '), 7_000);
    expect(await second.answer).toEqual({
      status: 429,
      retryAfter: '1',
      json: { accepted: 0, rejected: 0, error: 'Too Many Requests: this client already holds its share of maxPendingBytes' },
    });
    // Another client (another address) has the rest of the budget.
    const other = slowPost(ingest.url, '127.0.0.3', line.padEnd(9_000, ' '), 9_000);
    expect(await other.answer).toMatchObject({ status: 200, json: { accepted: 1, rejected: 0 } });
    // Given back when a body is read: the first client may send again.
    first.rest();
    expect(await first.answer).toMatchObject({ status: 200, json: { accepted: 1 } });
    const again = slowPost(ingest.url, '127.0.0.2', line.padEnd(9_000, ' '), 9_000);
    expect(await again.answer).toMatchObject({ status: 200, json: { accepted: 1 } });
    await until(() => Object.values(ingest.handler.metrics().responses).reduce((sum, n) => sum + n, 0) === 4);
    expect(ingest.handler.metrics()).toEqual({
      responses: { '200': 3, '429': 1 },
      aborted: 0,
      accepted: 3,
      rejected: 0,
      pendingBytes: 0,
    });
  });

  it('counts a client by rateLimit.key for its share of maxPendingBytes, so clients the key tells apart do not share one', async () => {
    const ingest = await startIngest({
      maxBodyBytes: 10_000,
      maxPendingBytes: 40_000,
      rateLimit: { key: (req) => String(req.headers['x-tenant']) },
    });
    const line = `${clef({ '@mt': 'held' })}\n`;
    const a = slowPost(ingest.url, '127.0.0.1', line.padEnd(6_000, ' '), 7_000, { 'X-Tenant': 'a' });
    await until(() => ingest.handler.metrics().pendingBytes === 6_000);
    const b = slowPost(ingest.url, '127.0.0.1', line.padEnd(6_000, ' '), 7_000, { 'X-Tenant': 'b' });
    await until(() => ingest.handler.metrics().pendingBytes === 12_000);
    expect(await slowPost(ingest.url, '127.0.0.1', line.padEnd(6_000, ' '), 7_000, { 'X-Tenant': 'a' }).answer).toMatchObject({
      status: 429,
    });
    a.rest();
    b.rest();
    expect([(await a.answer).status, (await b.answer).status]).toEqual([200, 200]);
  });

  it('lets idle connections that declare a Content-Length and send nothing hold none of maxPendingBytes', async () => {
    // Two clients declaring bodies they never send (each under maxBodyBytes, within the rate
    // limit) used to reserve maxPendingBytes until bodyTimeoutMs: every other client got 503.
    const ingest = await startIngest({ maxBodyBytes: 10_000, maxPendingBytes: 15_000, bodyTimeoutMs: 30_000 });
    const idle = ['9000', '6000'].map((length) => {
      const req = request(ingest.url, { method: 'POST', headers: { 'Content-Type': 'text/plain', 'Content-Length': length } });
      req.on('error', () => undefined);
      req.flushHeaders();
      return req;
    });
    try {
      await until(() => ingest.received === 2);
      expect(await post(ingest.url, clef({ '@mt': 'legit' }), 'text/plain')).toMatchObject({
        status: 200,
        json: { accepted: 1 },
      });
    } finally {
      for (const req of idle) req.destroy();
    }
  });

  it('counts what it did in metrics(): answers by status, clients that left, events accepted and lines rejected, bytes held', async () => {
    const ingest = await startIngest({ maxBodyBytes: 1_000, rateLimit: { perSecond: 0.1, burst: 6 } });
    expect(ingest.handler.metrics()).toEqual({ responses: {}, aborted: 0, accepted: 0, rejected: 0, pendingBytes: 0 });
    await post(ingest.url, [clef({ '@mt': 'one' }), clef({ '@mt': 'two' }), '{bad'].join('\n'));
    await post(ingest.url, 'garbage');
    await post(ingest.url, 'x'.repeat(2_000));
    await fetch(ingest.url);
    // A client that sends half its body and leaves once the server holds that half (not after a
    // time: on a loaded machine the leaving could come before the server had seen the request).
    await new Promise<void>((resolve) => {
      const req = request(ingest.url, { method: 'POST', headers: { 'Content-Type': 'text/plain', 'Content-Length': '500' } });
      req.on('error', () => resolve());
      req.write('{"@mt":');
      void until(() => ingest.handler.metrics().pendingBytes > 0).then(() => req.destroy());
    });
    await post(ingest.url, clef({ '@mt': 'three' }));
    await post(ingest.url, clef({ '@mt': 'limited' }));
    // Until the server has seen all seven requests end (the last answer counts once sent).
    await until(() => {
      const { responses, aborted } = ingest.handler.metrics();
      return Object.values(responses).reduce((sum, n) => sum + n, 0) + aborted >= 7;
    });
    const metrics = ingest.handler.metrics();
    expect(metrics).toEqual({
      responses: { '200': 2, '400': 1, '405': 1, '413': 1, '429': 1 },
      aborted: 1,
      accepted: 3,
      rejected: 2,
      pendingBytes: 0,
    });
    expect(JSON.parse(JSON.stringify(metrics))).toEqual(metrics);
  });

  it('refuses wrong methods (405) and content types (415)', async () => {
    const ingest = await startIngest();
    const get = await fetch(ingest.url);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    for (const type of [
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'image/png',
      'text/plain; charset=latin1',
    ]) {
      expect((await post(ingest.url, clef({ '@mt': 'x' }), type)).status).toBe(415);
    }
    const none = await rawPost(ingest.url, { first: '', contentType: '' });
    expect(none.status).toBe(415);
    expect(ingest.events).toHaveLength(0);
  });

  // A page on another origin (a dev server on another port) sends CLEF with fetch after a CORS
  // preflight, and its fetch reads the answer only with Access-Control-Allow-Origin: the handler
  // answers both for the origins it allows (Fetch standard, CORS protocol), and for no other.
  it('answers CORS for the origins in allowedOrigins: the preflight (204) and the POST, with credentials, and for no other origin', async () => {
    const page = 'http://127.0.0.1:5173';
    const ingest = await startIngest({ allowedOrigins: [page] });
    const preflight = (origin: string, method = 'POST', requested = 'content-type, authorization') =>
      fetch(ingest.url, {
        method: 'OPTIONS',
        headers: { Origin: origin, 'Access-Control-Request-Method': method, 'Access-Control-Request-Headers': requested },
      });
    const allowed = await preflight(page);
    expect(allowed.status).toBe(204);
    const names = [
      'access-control-allow-origin',
      'access-control-allow-credentials',
      'access-control-allow-methods',
      'access-control-allow-headers',
      'access-control-max-age',
      'vary',
    ];
    expect(Object.fromEntries(names.map((name) => [name, allowed.headers.get(name)]))).toEqual({
      'access-control-allow-origin': page,
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'POST',
      'access-control-allow-headers': 'content-type, authorization',
      'access-control-max-age': '600',
      vary: 'Origin',
    });
    // Header names only: anything else asked for is not echoed.
    expect((await preflight(page, 'POST', 'content-type, <x>')).headers.get('access-control-allow-headers')).toBe('Content-Type');
    const posted = await post(ingest.url, clef({ '@mt': 'From the page' }), 'application/vnd.serilog.clef', { Origin: page });
    expect(posted.status).toBe(200);
    expect(posted.headers.get('access-control-allow-origin')).toBe(page);
    expect(posted.headers.get('access-control-allow-credentials')).toBe('true');
    // Retry-After is no CORS-safelisted response header: the page's HttpSink reads it on a 429 or
    // 503 only when exposed (before, it retried on its own backoff, possibly sooner than asked).
    expect(posted.headers.get('access-control-expose-headers')).toBe('Retry-After');
    const foreignPreflight = await preflight('https://evil.example');
    expect(foreignPreflight.status).toBe(403);
    expect(foreignPreflight.headers.get('access-control-allow-origin')).toBeNull();
    const foreignPost = await post(ingest.url, clef({ '@mt': 'Forged' }), 'text/plain', { Origin: 'https://evil.example' });
    expect(foreignPost.status).toBe(403);
    expect(foreignPost.headers.get('access-control-allow-origin')).toBeNull();
    // The 403 depends on Origin as much as the CORS answers do.
    expect([foreignPreflight.headers.get('vary'), foreignPost.headers.get('vary')]).toEqual(['Origin', 'Origin']);
    expect(ingest.events.map((e) => e.properties.ClientTemplate)).toEqual(['From the page']);
  });

  it('adds Origin to a Vary header a middleware before it set (a string or a list), once, and answers an Express preflight mounted with app.all', async () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().writeTo.sink(memory).createLogger();
    const page = 'http://127.0.0.1:5173';
    const ingest = createIngestHandler(log, { allowedOrigins: [page] });
    const app = express();
    app.use((req, res, next) => {
      const asked = req.headers['x-vary'];
      // A list is set as one header line each (compression and cors set a string, an app may set an array).
      if (asked === 'list') res.setHeader('Vary', ['Accept-Encoding', 'Accept-Language']);
      else if (asked === 'list-origin') res.setHeader('Vary', ['Accept-Encoding', 'Origin']);
      else if (asked === 'any') res.setHeader('Vary', '*');
      else res.setHeader('Vary', asked === 'origin' ? 'Accept-Encoding, origin' : 'Accept-Encoding');
      next();
    });
    app.all('/api/logs', ingest);
    const server = await listen(createServer(app));
    try {
      const ask = (vary?: string) =>
        fetch(`${server.url}/api/logs`, {
          method: 'OPTIONS',
          headers: { Origin: page, 'Access-Control-Request-Method': 'POST', ...(vary === undefined ? {} : { 'X-Vary': vary }) },
        });
      const first = await ask();
      expect(first.status).toBe(204);
      expect(first.headers.get('vary')).toBe('Accept-Encoding, Origin');
      expect((await ask('origin')).headers.get('vary')).toBe('Accept-Encoding, origin');
      expect((await ask('list')).headers.get('vary')).toBe('Accept-Encoding, Accept-Language, Origin');
      expect((await ask('list-origin')).headers.get('vary')).toBe('Accept-Encoding, Origin');
      // `*` varies on everything already (RFC 9110, 12.5.5): nothing to add.
      expect((await ask('any')).headers.get('vary')).toBe('*');
    } finally {
      await server.close();
      await log.close({ strategy: 'immediate', timeoutMs: 0 });
    }
  });

  it('answers no CORS without allowedOrigins: a preflight is 405, as any method but POST', async () => {
    const ingest = await startIngest();
    const response = await fetch(ingest.url, {
      method: 'OPTIONS',
      headers: { Origin: 'http://127.0.0.1:5173', 'Access-Control-Request-Method': 'POST' },
    });
    expect(response.status).toBe(405);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers 403 to a page of another site (its Origin) when allowedOrigins is set, spending none of the rate limit, on node:http and Express 5', async () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().writeTo.sink(memory).createLogger();
    const ingest = createIngestHandler(log, {
      allowedOrigins: ['https://app.example.com'],
      rateLimit: { burst: 6, perSecond: 0.001 },
    });
    const app = express();
    app.post('/api/logs', ingest);
    const servers = [await listen(createServer((req, res) => ingest(req, res))), await listen(createServer(app))];
    try {
      // What another site's page makes its visitors' browsers send: a beacon needs no CORS preflight.
      const beacon = (origin: string | undefined, site?: string) =>
        Promise.all(
          [`${servers[0].url}/api/logs`, `${servers[1].url}/api/logs`].map(
            async (url) =>
              (
                await post(url, clef({ '@mt': 'Refund {Order} approved' }), 'text/plain;charset=UTF-8', {
                  ...(origin === undefined ? {} : { Origin: origin }),
                  ...(site === undefined ? {} : { 'Sec-Fetch-Site': site }),
                })
              ).status,
          ),
        );
      for (let n = 0; n < 5; n++) expect(await beacon('https://evil.example')).toEqual([403, 403]);
      // A sandboxed frame, or a page hiding its origin (Referrer-Policy: no-referrer), sends 'null'.
      expect(await beacon('null')).toEqual([403, 403]);
      expect(await beacon('null', 'cross-site')).toEqual([403, 403]);
      expect(await beacon('https://app.example.com.evil.example')).toEqual([403, 403]);
      expect(memory.events).toEqual([]);
      // The app's own pages, and a client that is no browser page, keep their whole burst (6: both servers share the handler).
      expect(await beacon('https://app.example.com')).toEqual([200, 200]);
      expect(await beacon(undefined)).toEqual([200, 200]);
      // The app's own page under Referrer-Policy: no-referrer: its beacon's Origin is 'null', the browser says same-origin.
      expect(await beacon('null', 'same-origin')).toEqual([200, 200]);
      expect(memory.events).toHaveLength(6);
      expect(ingest.metrics().responses).toEqual({ 200: 6, 403: 16 });
    } finally {
      await Promise.all(servers.map((server) => server.close()));
      await log.close({ strategy: 'immediate', timeoutMs: 0 });
    }
  });

  /**
   * Sends `first` and, pipelined behind it on the same connection, a POST of one event; resolves
   * with the statuses answered, once the POST's is read, after checking no answer closed the
   * connection and the POST's event was logged.
   */
  async function pipelinedBehind(first: string): Promise<number[]> {
    const ingest = await startIngest();
    const { port } = new URL(ingest.url);
    const line = `${clef({ '@mt': 'pipelined' })}\n`;
    const post = `POST /ingest HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: ${line.length}\r\n\r\n${line}`;
    const answers = await exchangeRaw(Number(port), `${first}${post}`, (received) => /"accepted":1/.test(received));
    expect(answers).not.toMatch(/connection: close/i);
    expect(ingest.events.map((e) => e.renderMessage())).toEqual(['pipelined']);
    return [...answers.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((match) => Number(match[1]));
  }

  it('keeps a keep-alive connection open after refusing a request without a body, so a pipelined request behind it gets its answer', async () => {
    expect(await pipelinedBehind('GET /ingest HTTP/1.1\r\nHost: x\r\n\r\nOPTIONS /ingest HTTP/1.1\r\nHost: x\r\n\r\n')).toEqual([
      405, 405, 200,
    ]);
  });

  // RFC 9110 §8.6 writes Content-Length as 1*DIGIT, and Node's parser reads `00` as no body: a
  // refusal of such a request has nothing to discard, so it keeps the connection as for `0`.
  it.each(['00', '000'])(
    'keeps a keep-alive connection open after refusing a request with Content-Length: %s, so a pipelined request behind it gets its answer',
    async (zero) => {
      const first = `POST /ingest HTTP/1.1\r\nHost: x\r\nContent-Type: application/xml\r\nContent-Length: ${zero}\r\n\r\n`;
      expect(await pipelinedBehind(first)).toEqual([415, 200]);
    },
  );

  it('closes the stream of a refused HTTP/2 request whose body has no Content-Length (413, 408), counts it, and sends no Connection header', async () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().writeTo.sink(memory).createLogger();
    const handler = createIngestHandler(log, { rateLimit: false, maxBodyBytes: 100, bodyTimeoutMs: 1_000 });
    const sent: Record<string, unknown>[] = [];
    // node:http2's compatibility API, as Fastify's http2: true hands it over (request.raw, reply.raw).
    const server = createHttp2Server((req, res) => {
      const writeHead = res.writeHead.bind(res) as (status: number, headers?: Record<string, unknown>) => void;
      (res as unknown as { writeHead: typeof writeHead }).writeHead = (status, headers) => {
        sent.push({ ...headers });
        writeHead(status, headers);
      };
      handler(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const session = connectHttp2(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    session.on('error', () => undefined);
    try {
      // Resolves with the status once the stream closes (the client never ends a body it starts).
      const exchange = (method: string, body?: string): Promise<number> =>
        new Promise((resolve) => {
          const stream = session.request(
            { ':method': method, ':path': '/ingest', 'content-type': 'text/plain' },
            { endStream: body === undefined },
          );
          let status = 0;
          stream.on('response', (headers) => (status = Number(headers[':status'])));
          stream.on('error', () => undefined);
          stream.resume();
          stream.on('close', () => resolve(status));
          if (body !== undefined) stream.write(body);
        });
      expect(await exchange('POST', 'x'.repeat(200))).toBe(413);
      expect(await exchange('POST', '{"@mt":')).toBe(408);
      // Without a body nothing is left to discard: answered, and the session goes on.
      expect(await exchange('GET')).toBe(405);
      const ok = session.request({ ':method': 'POST', ':path': '/ingest', 'content-type': 'text/plain' });
      ok.end(clef({ '@mt': 'after the refusals' }));
      ok.resume();
      expect(await new Promise((resolve) => ok.on('response', (headers) => resolve(headers[':status'])))).toBe(200);
      await until(() => handler.metrics().responses['200'] === 1);
      expect(handler.metrics()).toMatchObject({ responses: { 200: 1, 405: 1, 408: 1, 413: 1 }, aborted: 0, pendingBytes: 0 });
      expect(memory.events.map((e) => e.renderMessage())).toEqual(['after the refusals']);
      // HTTP/2 has no Connection header: Node drops it with a process warning.
      expect(sent.filter((headers) => Object.keys(headers).some((name) => name.toLowerCase() === 'connection'))).toEqual([]);
    } finally {
      session.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await log.close({ strategy: 'immediate', timeoutMs: 0 });
    }
  });

  it('writes nothing of an HTTP/2 request whose client was lost mid-body, and counts it aborted', async () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().writeTo.sink(memory).createLogger();
    const handler = createIngestHandler(log, { rateLimit: false });
    const server = createHttp2Server((req, res) => handler(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const socket = connect(port, '127.0.0.1');
    const session = connectHttp2(`http://127.0.0.1:${port}`, { createConnection: () => socket });
    session.on('error', () => undefined);
    try {
      const stream = session.request({ ':method': 'POST', ':path': '/ingest', 'content-type': 'text/plain' });
      stream.on('error', () => undefined);
      // Whole lines, then the connection is lost before the body's end (END_STREAM never comes).
      stream.write(`${clef({ '@mt': 'half a batch' })}\n`);
      await until(() => handler.metrics().pendingBytes > 0);
      socket.destroy();
      const counted = (): number => handler.metrics().aborted + Object.keys(handler.metrics().responses).length;
      await until(() => counted() > 0);
      expect(handler.metrics()).toMatchObject({ responses: {}, aborted: 1, accepted: 0, pendingBytes: 0 });
      expect(memory.events).toEqual([]);
    } finally {
      session.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await log.close({ strategy: 'immediate', timeoutMs: 0 });
    }
  });

  describe("gives each hostile request of the docs' outcomes table its outcome", () => {
    /** Sends raw bytes on a fresh connection; `abort` destroys the socket once they are written. Resolves with what came back when the connection closes. */
    const raw = (url: string, bytes: Buffer | string, abort = false): Promise<string> =>
      new Promise((resolve) => {
        const { port } = new URL(url);
        const socket = connect(Number(port), '127.0.0.1');
        let received = '';
        socket.setEncoding('latin1');
        socket.on('data', (chunk: string) => (received += chunk));
        socket.on('error', () => undefined);
        socket.on('close', () => resolve(received));
        socket.write(bytes, () => {
          if (abort) socket.destroy();
        });
      });
    const head = (method: string, headers: Record<string, string | number>): string =>
      `${method} /ingest HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${Object.entries(headers)
        .map(([name, value]) => `${name}: ${value}\r\n`)
        .join('')}\r\n`;
    const statusOf = (answer: string): number => Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1]);

    it('methods, content types, lying lengths, bodies never ended, clients that leave', async () => {
      const ingest = await startIngest({ rateLimit: false, bodyTimeoutMs: 1_000 });
      const clefType = { 'Content-Type': 'application/vnd.serilog.clef' };
      for (const method of ['HEAD', 'TRACE', 'DELETE']) expect(statusOf(await raw(ingest.url, head(method, {})))).toBe(405);
      const line = clef({ '@mt': 'a line' });
      expect(statusOf(await raw(ingest.url, head('POST', { 'Content-Length': line.length }) + line))).toBe(415);
      // Content-Length smaller than the body: the declared bytes are the body; Node answers the rest, which is no HTTP, 400.
      const two = `${clef({ '@mt': 'declared' })}\n${clef({ '@mt': 'past the length' })}`;
      const short = await raw(ingest.url, head('POST', { ...clefType, 'Content-Length': two.indexOf('\n') + 1 }) + two);
      expect(statusOf(short)).toBe(400);
      // Content-Length larger than the body, and a chunked body never ended: 408.
      expect(statusOf(await raw(ingest.url, head('POST', { ...clefType, 'Content-Length': 500 }) + line))).toBe(408);
      const chunked =
        head('POST', { ...clefType, 'Transfer-Encoding': 'chunked' }) + `${line.length.toString(16)}\r\n${line}\r\n`;
      expect(statusOf(await raw(ingest.url, chunked))).toBe(408);
      // A client that leaves after whole lines but before the body's end: nothing is written.
      await raw(ingest.url, head('POST', { ...clefType, 'Content-Length': 1_000 }) + `${clef({ '@mt': 'left half' })}\n`, true);
      await until(() => ingest.handler.metrics().aborted === 1);
      expect(ingest.events.map((e) => e.renderMessage())).toEqual(['declared']);
      expect(ingest.handler.metrics()).toMatchObject({
        responses: { 405: 3, 408: 2, 415: 1 },
        aborted: 1,
        accepted: 1,
        rejected: 0,
        pendingBytes: 0,
      });
    });

    it('byte order marks, CRLF, blank lines, a last line without newline, lone surrogates, level aliases, malformed templates', async () => {
      const ingest = await startIngest({ rateLimit: false });
      const body = Buffer.concat([
        Buffer.from([0xef, 0xbb, 0xbf]),
        Buffer.from(`${clef({ '@mt': 'after a BOM' })}\r\n \t \r\n\n`),
        Buffer.from([0xef, 0xbb, 0xbf]),
        Buffer.from(`${clef({ '@mt': 'a line with a BOM' })}\n`),
        Buffer.from(`{"@mt":"lone {A}","A":"\\ud800"}\n`),
        Buffer.from(`${clef({ '@mt': 'aliased', '@l': 'WARN' })}\n`),
        Buffer.from(`${clef({ '@mt': '{A,-} {B:} {C,99999999} {A', A: 1, C: 2 })}\n`),
        Buffer.from(clef({ '@mt': 'last, no newline' })),
      ]);
      expect(await post(ingest.url, body, 'text/plain;charset=UTF-8')).toMatchObject({
        status: 200,
        json: { accepted: 6, rejected: 0 },
      });
      const [bom, bomLine, lone, aliased, malformed, last] = ingest.events;
      expect([bom, bomLine, last].map((e) => e.renderMessage())).toEqual([
        'after a BOM',
        'a line with a BOM',
        'last, no newline',
      ]);
      expect(lone.properties.Client).toEqual({ A: '\ud800' });
      expect(aliased.level).toBe('warning');
      expect(malformed.properties.ClientTemplate).toBe('{A,-} {B:} {C,99999999} {A');
      expect(String(malformed.properties.ClientMessage).length).toBeLessThanOrEqual(1_025);
    });

    it("an exception text that holds a forged log line: in the server's text output no line of it starts a line", async () => {
      const ingest = await startIngest({ rateLimit: false });
      const forged = '[06:00:00 FTL] Database dropped by admin';
      const text = `${forged}\n${forged}\r\nTypeError: x\n    at pay (https://app.example.com/main.js:1:2)`;
      expect(await post(ingest.url, clef({ '@mt': 'Checkout failed', '@l': 'Error', '@x': text }))).toMatchObject({
        status: 200,
        json: { accepted: 1 },
      });
      const [event] = ingest.events;
      // What ConsoleSink and a text file write: the event's line, then the exception's lines.
      const lines = new TextFormatter().format(event).split('\n').slice(0, -1);
      expect(lines[0]).toMatch(/^\[\d\d:\d\d:\d\d ERR\] Checkout failed$/);
      expect(lines.slice(1)).toEqual([
        `  ${forged}`,
        `  ${forged}`,
        '  TypeError: x',
        '      at pay (https://app.example.com/main.js:1:2)',
      ]);
      expect(lines.filter((line) => line.startsWith('['))).toHaveLength(1);
      // The error still says what the browser sent: its first line is the message, the text comes back unindented.
      expect(event.exception).toMatchObject({ name: 'ClientError', message: forged });
      expect(event.exception?.stack?.replace(/^ {2}/gm, '')).toBe(text);
    });

    it('a million tiny events in one body: maxEvents read, the rest counted unparsed', async () => {
      const ingest = await startIngest({ rateLimit: false, maxBodyBytes: 16_000_000 });
      const answer = await post(ingest.url, '{"@m":"t"}\n'.repeat(1_000_000));
      expect(answer).toMatchObject({ status: 200, json: { accepted: 1_000, rejected: 999_000 } });
      expect(ingest.events).toHaveLength(1_000);
    });

    it('a logger that throws for one event: that event counted rejected, the others written', async () => {
      const written: unknown[] = [];
      const log = {
        child: (properties: Record<string, unknown>) => {
          if ((properties.Client as { Boom?: boolean }).Boom === true) throw new Error('sink exploded');
          return { write: (...args: unknown[]) => void written.push(args[2]) };
        },
      } as unknown as Logger;
      const handler = createIngestHandler(log, { rateLimit: false });
      const server = await listen(createServer((req, res) => handler(req, res)));
      try {
        const body = [clef({ '@mt': 'before' }), clef({ '@mt': 'boom', Boom: true }), clef({ '@mt': 'after' })].join('\n');
        expect(await post(`${server.url}/ingest`, body)).toMatchObject({ status: 200, json: { accepted: 2, rejected: 1 } });
        expect(written).toEqual(['before', 'after']);
        expect(handler.metrics()).toMatchObject({ accepted: 2, rejected: 1 });
      } finally {
        await server.close();
      }
    });
  });

  it('refuses compressed bodies with 415 and Accept-Encoding: identity, decompressing nothing (no gzip or deflate bomb)', async () => {
    const ingest = await startIngest();
    const line = `${clef({ '@mt': 'zipped' })}\n`;
    for (const [encoding, body] of [
      ['gzip', gzipSync(line)],
      ['deflate', deflateSync(line)],
      ['br', Buffer.from(line)],
      ['gzip, identity', gzipSync(line)],
    ] as const) {
      const answer = await post(ingest.url, body, undefined, { 'Content-Encoding': encoding });
      expect([encoding, answer.status, answer.headers.get('accept-encoding'), answer.json.error]).toEqual([
        encoding,
        415,
        'identity',
        'Unsupported Media Type',
      ]);
    }
    expect(await post(ingest.url, line, undefined, { 'Content-Encoding': 'Identity' })).toMatchObject({
      status: 200,
      json: { accepted: 1 },
    });
    expect(ingest.events.map((e) => e.renderMessage())).toEqual(['zipped']);
  });

  // Node's parser takes `Transfer-Encoding: gzip, chunked` and hands over the chunks still gzipped:
  // the handler split them into garbage lines and answered 400, losing the batch as "rejected".
  // RFC 9112 §6.1: a transfer coding the server does not understand is answered 501.
  it('answers 501 to a transfer coding other than chunked (gzip, deflate), decoding nothing, and closes the connection', async () => {
    const ingest = await startIngest();
    const port = Number(new URL(ingest.url).port);
    const zipped = gzipSync(`${clef({ '@mt': 'zipped' })}\n`);
    const chunked = (coding: string, body: Buffer): string =>
      `POST /ingest HTTP/1.1\r\nHost: x\r\nContent-Type: application/vnd.serilog.clef\r\nTransfer-Encoding: ${coding}\r\n\r\n` +
      `${body.length.toString(16)}\r\n${body.toString('latin1')}\r\n0\r\n\r\n`;
    for (const coding of ['gzip, chunked', 'deflate,chunked', 'x-custom , chunked']) {
      const answer = await exchangeRaw(port, chunked(coding, zipped), (text) => text.includes('}'));
      expect([coding, answer.split('\r\n')[0]]).toEqual([coding, 'HTTP/1.1 501 Not Implemented']);
      expect(answer).toContain('Connection: close');
      expect(answer).toContain('"error":"Not Implemented: transfer coding"');
    }
    const plain = Buffer.from(`${clef({ '@mt': 'plain' })}\n`);
    const answer = await exchangeRaw(port, chunked('Chunked', plain), (text) => text.includes('}'));
    expect(answer).toContain('{"accepted":1,"rejected":0}');
    expect(ingest.events.map((e) => e.renderMessage())).toEqual(['plain']);
    expect(ingest.handler.metrics().responses).toEqual({ 200: 1, 501: 3 });
  });

  it('reads a Content-Encoding of padded codings, and one of 16 000 spaces in linear time', async () => {
    const ingest = await startIngest({ rateLimit: false });
    const line = `${clef({ '@mt': 'padded' })}\n`;
    expect((await post(ingest.url, line, undefined, { 'Content-Encoding': ' identity ,  ' })).status).toBe(200);
    // A regex with \s* on both sides of an optional word took 320 ms a request here (quadratic);
    // ten requests took over 3 s. Linear, they take a few milliseconds each. CPU time (the server
    // runs in this process), which a loaded machine does not stretch.
    const statuses: number[] = [];
    const used = await cpuMs(async () => {
      for (let n = 0; n < 10; n++)
        statuses.push(
          (await post(ingest.url, line, undefined, { 'Content-Encoding': `identity,${' '.repeat(16_000)}x` })).status,
        );
    });
    expect(statuses).toEqual(Array(10).fill(415));
    expect(used).toBeLessThan(1_500);
    expect(ingest.events.map((e) => e.renderMessage())).toEqual(['padded']);
  });

  it('limits each client with a token bucket: 429 with Retry-After, other clients unaffected', async () => {
    const ingest = await startIngest({ rateLimit: { perSecond: 0.5, burst: 3, key: (req) => String(req.headers['x-client']) } });
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let n = 0; n < 20; n++) {
      const answer = await post(ingest.url, clef({ '@mt': 'flood {N}', N: n }), undefined, { 'X-Client': 'flooder' });
      statuses.push(answer.status);
      retryAfter ??= answer.headers.get('retry-after');
    }
    expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
    expect(statuses.slice(3).every((status) => status === 429)).toBe(true);
    expect(retryAfter).toBe('2');
    expect((await post(ingest.url, clef({ '@mt': 'other' }), undefined, { 'X-Client': 'other' })).status).toBe(200);
    expect(ingest.events).toHaveLength(4);
  });

  it('keys the rate limit on the socket address by default: X-Forwarded-For is not trusted unless a key function reads it', async () => {
    const ingest = await startIngest({ rateLimit: { perSecond: 0.01, burst: 2 } });
    const diagnostics: string[] = [];
    const subscription = SelfLog.events$.subscribe((event) => diagnostics.push(event.message));
    const statuses: number[] = [];
    for (let n = 0; n < 4; n++)
      statuses.push(
        (await post(ingest.url, clef({ '@mt': 'spoof {N}', N: n }), undefined, { 'X-Forwarded-For': `10.0.0.${n}` })).status,
      );
    subscription.unsubscribe();
    expect(statuses).toEqual([200, 200, 429, 429]);
    // Behind a real proxy every client would share this one bucket: said once, for the operator;
    // but here the client forged the header, so the notice must not only tell the operator to trust it.
    const notices = diagnostics.filter((text) => text.includes('shares one bucket'));
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain('If it is no proxy of yours, a client sent the header itself: trust nothing');
    const proxied = await startIngest({
      rateLimit: { perSecond: 0.01, burst: 2, key: (req) => String(req.headers['x-forwarded-for']).split(',').pop()!.trim() },
      clientAddress: (req) => String(req.headers['x-forwarded-for']).split(',').pop()!.trim(),
    });
    for (const client of ['10.0.0.1', '10.0.0.1', '10.0.0.1', '10.0.0.2'])
      statuses.push(
        (await post(proxied.url, clef({ '@mt': 'via proxy' }), undefined, { 'X-Forwarded-For': `1.2.3.4, ${client}` })).status,
      );
    expect(statuses.slice(4)).toEqual([200, 200, 429, 200]);
    expect(proxied.events.map((e) => e.properties.ClientAddress)).toEqual(['10.0.0.1', '10.0.0.1', '10.0.0.2']);
  });

  // A reverse proxy as nginx's `proxy_add_x_forwarded_for` is: it appends the address of the client
  // it serves to X-Forwarded-For and connects to the app from 127.0.0.1.
  async function startProxy(target: string): Promise<{ url: string; close(): Promise<void> }> {
    return listen(
      createServer((req, res) => {
        const forwarded = [req.headers['x-forwarded-for'], req.socket.remoteAddress].filter(Boolean).join(', ');
        const upstream = request(
          `${target}${req.url ?? '/'}`,
          {
            method: req.method,
            headers: { ...req.headers, 'x-forwarded-for': forwarded },
            localAddress: '127.0.0.1',
            agent: false,
          },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          },
        );
        upstream.on('error', () => res.destroy());
        req.pipe(upstream);
      }),
    );
  }

  /** POSTs one event through `url` from the local address `from` (127.0.0.x), with extra headers; resolves with the status. */
  function postFrom(url: string, from: string, headers: Record<string, string> = {}): Promise<number> {
    return new Promise((resolve, reject) => {
      const body = clef({ '@mt': 'from {Client}', Client: from });
      const req = request(url, {
        method: 'POST',
        localAddress: from,
        agent: false,
        headers: { 'Content-Type': 'application/vnd.serilog.clef', 'Content-Length': String(body.length), ...headers },
      });
      req.on('response', (res: IncomingMessage) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  // Express's `trust proxy: true` trusts every hop: req.ip is the first X-Forwarded-For entry, which
  // any client writes, so each forged value got a bucket of its own and the limit was no limit, with
  // nothing said (express-rate-limit refuses this setting for the same reason: ERR_ERL_PERMISSIVE_TRUST_PROXY).
  it("tells SelfLog once when Express's trust proxy is true, under which a client forging X-Forwarded-For gets a bucket per forged address", async () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().writeTo.sink(memory).createLogger();
    const ingest = createIngestHandler(log, { rateLimit: { perSecond: 0.001, burst: 1 } });
    const expressApp = express();
    expressApp.set('trust proxy', true);
    expressApp.post('/api/logs', ingest);
    const app = await listen(createServer(expressApp));
    const diagnostics: string[] = [];
    const subscription = SelfLog.events$.subscribe((event) => diagnostics.push(event.message));
    try {
      const statuses: number[] = [];
      for (const forged of ['203.0.113.1', '203.0.113.2', '203.0.113.3'])
        statuses.push(await postFrom(`${app.url}/api/logs`, '127.0.0.2', { 'X-Forwarded-For': forged }));
      // What the setting does (the handler keys on the app's req.ip): said, not silently taken.
      expect(statuses).toEqual([200, 200, 200]);
      const notices = diagnostics.filter((text) => text.includes("'trust proxy' is true"));
      expect(notices).toHaveLength(1);
      expect(notices[0]).toContain('any client can forge');
    } finally {
      subscription.unsubscribe();
      await app.close();
      await log.close({ strategy: 'immediate', timeoutMs: 0 });
    }
  });

  it.each(['express', 'fastify'] as const)(
    "behind a reverse proxy, limits each client by the address the app's trust-proxy setting resolves, not the proxy's, and ignores what a client forges (%s)",
    async (framework) => {
      const memory = new MemorySink();
      const log = new LoggerConfiguration().writeTo.sink(memory).createLogger();
      const ingest = createIngestHandler(log, { rateLimit: { perSecond: 0.001, burst: 1 }, clientAddress: true });
      let app: { url: string; close(): Promise<void> };
      if (framework === 'express') {
        const expressApp = express();
        expressApp.set('trust proxy', '127.0.0.1');
        expressApp.post('/api/logs', ingest);
        app = await listen(createServer(expressApp));
      } else {
        const fastify = Fastify({ trustProxy: '127.0.0.1' });
        fastify.addContentTypeParser('application/vnd.serilog.clef', (_request, _payload, parsed) => parsed(null));
        fastify.post('/api/logs', (request, reply) => ingest(request, reply));
        await fastify.listen({ port: 0, host: '127.0.0.1' });
        app = { url: `http://127.0.0.1:${(fastify.server.address() as AddressInfo).port}`, close: () => fastify.close() };
      }
      const proxy = await startProxy(app.url);
      try {
        const url = `${proxy.url}/api/logs`;
        expect(await postFrom(url, '127.0.0.2')).toBe(200);
        expect(await postFrom(url, '127.0.0.2')).toBe(429);
        // Another client behind the same proxy has its own bucket.
        expect(await postFrom(url, '127.0.0.3')).toBe(200);
        // A forged X-Forwarded-For is kept in front of the address the proxy saw, which the app reads.
        expect(await postFrom(url, '127.0.0.2', { 'X-Forwarded-For': '203.0.113.9' })).toBe(429);
        expect(await postFrom(url, '127.0.0.3', { 'X-Forwarded-For': '127.0.0.4' })).toBe(429);
        expect(ingest.metrics().responses).toEqual({ 200: 2, 429: 3 });
        expect(memory.events.map((e) => e.properties.ClientAddress)).toEqual(['127.0.0.2', '127.0.0.3']);
      } finally {
        await proxy.close();
        await app.close();
        await log.close({ strategy: 'immediate', timeoutMs: 0 });
      }
    },
  );

  it('gets a rate-limited batch from HttpSink in on a later retry, losing nothing', async () => {
    const ingest = await startIngest({ rateLimit: { perSecond: 4, burst: 1 } });
    const browser = new LoggerConfiguration().writeTo
      .sink(new HttpSink({ url: ingest.url }), { retry: { attempts: 5, initialDelayMs: 50, maxDelayMs: 2_000 } })
      .createLogger();
    browser.information('one');
    await browser.flush();
    browser.information('two');
    await browser.close({ strategy: 'flush', timeoutMs: 8_000 });
    expect(ingest.events.map((e) => e.renderMessage())).toEqual(['one', 'two']);
  }, 15_000);
  it('takes a body express.json() already parsed instead of waiting bodyTimeoutMs for a stream that was read, then answering 408', async () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().writeTo.sink(memory).createLogger();
    const app = express();
    app.use(express.json());
    // Long, so that a loaded machine answers well within it: waiting it out, then 408, would not.
    app.post('/api/logs', createIngestHandler(log, { bodyTimeoutMs: 10_000 }));
    const server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/logs`;
    try {
      const started = Date.now();
      expect(await post(url, clef({ '@mt': 'parsed {By}', By: 'express' }), 'application/json')).toMatchObject({
        status: 200,
        json: { accepted: 1, rejected: 0 },
      });
      expect(
        await post(
          url,
          JSON.stringify([clef({ '@mt': 'a' }), 7].map((x) => (typeof x === 'string' ? (JSON.parse(x) as unknown) : x))),
          'application/json',
        ),
      ).toMatchObject({
        status: 200,
        json: { accepted: 1, rejected: 1 },
      });
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(memory.events.map((e) => e.renderMessage())).toEqual(['parsed express', 'a']);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await log.close({ strategy: 'immediate', timeoutMs: 0 });
    }
  });

  it('answers 500 (and tells SelfLog) when a middleware read the body and left nothing, instead of a 200 that loses the events', async () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().writeTo.sink(memory).createLogger();
    const ingest = createIngestHandler(log, { rateLimit: false });
    const diagnostics: string[] = [];
    const subscription = SelfLog.events$.subscribe((event) => diagnostics.push(event.message));
    const app = express();
    // A signature check that reads the raw body for itself and keeps it under its own name.
    app.use((req, _res, next) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        (req as { rawBody?: Buffer }).rawBody = Buffer.concat(chunks);
        next();
      });
    });
    app.post('/api/logs', ingest);
    const server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/logs`;
    try {
      const answer = await post(url, clef({ '@mt': 'lost?' }));
      expect(answer).toMatchObject({ status: 500, json: { accepted: 0, error: 'Internal Server Error' } });
      expect(diagnostics.some((text) => text.includes('already read'))).toBe(true);
      expect(await post(url, '', 'text/plain')).toMatchObject({ status: 200, json: { accepted: 0, rejected: 0 } });
      expect(ingest.metrics().responses).toEqual({ '500': 1, '200': 1 });
    } finally {
      subscription.unsubscribe();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await log.close({ strategy: 'immediate', timeoutMs: 0 });
    }
  });

  it('counts a client that left while a middleware before the handler was still working, at once, instead of waiting bodyTimeoutMs for its body', async () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().writeTo.sink(memory).createLogger();
    const ingest = createIngestHandler(log, { rateLimit: false, bodyTimeoutMs: 600_000 });
    const handled = signal();
    const app = express();
    // An authentication check that awaits something (a session store) while the client gives up:
    // here it goes on once the client is gone.
    app.post(
      '/api/logs',
      (req, _res, next) => void req.once('close', () => next()),
      (req, res) => {
        ingest(req, res);
        handled.resolve();
      },
    );
    const server = await listen(createServer(app));
    try {
      const socket = connect(Number(new URL(server.url).port), '127.0.0.1');
      socket.on('error', () => undefined);
      socket.write(
        'POST /api/logs HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\n{"@mt":"half',
        () => socket.destroy(),
      );
      await handled.promise;
      // Counted when the handler is called (it waited for the body until bodyTimeoutMs, then counted nothing).
      expect(ingest.metrics()).toEqual({ responses: {}, aborted: 1, accepted: 0, rejected: 0, pendingBytes: 0 });
    } finally {
      await server.close();
      await log.close({ strategy: 'immediate', timeoutMs: 0 });
    }
  });

  it('mounts as a plain route handler in Express 5 and (raw) in Fastify 5', async () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().writeTo.sink(memory).createLogger();
    const ingest = createIngestHandler(log);

    const app = express();
    app.post('/api/logs', ingest);
    const expressServer = createServer(app);
    await new Promise<void>((resolve) => expressServer.listen(0, '127.0.0.1', resolve));
    const expressUrl = `http://127.0.0.1:${(expressServer.address() as AddressInfo).port}/api/logs`;

    const fastify = Fastify();
    await fastify.register((scope, _options, done) => {
      // The handler reads the body itself: this scope's parser leaves the stream unread.
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', (_request, _payload, parsed) => parsed(null));
      scope.post('/api/logs', (request, reply) => {
        reply.hijack();
        ingest(request.raw, reply.raw);
      });
      done();
    });
    await fastify.listen({ port: 0, host: '127.0.0.1' });
    const fastifyUrl = `http://127.0.0.1:${(fastify.server.address() as AddressInfo).port}/api/logs`;
    try {
      expect(await post(expressUrl, clef({ '@mt': 'via {Framework}', Framework: 'express' }))).toMatchObject({
        status: 200,
        json: { accepted: 1 },
      });
      expect(await post(fastifyUrl, clef({ '@mt': 'via {Framework}', Framework: 'fastify' }), 'text/plain')).toMatchObject({
        status: 200,
        json: { accepted: 1 },
      });
      expect(await post(fastifyUrl, 'x'.repeat(2 * 1024 * 1024))).toMatchObject({ status: 413 });
      expect(memory.events.map((e) => e.renderMessage())).toEqual(['via express', 'via fastify']);
    } finally {
      await new Promise<void>((resolve) => expressServer.close(() => resolve()));
      await fastify.close();
      await log.close({ strategy: 'immediate', timeoutMs: 0 });
    }
  });

  it("takes Fastify's own request and reply (as Nest's FastifyAdapter and @Req()/@Res() pass them), with the body Fastify parsed or left unread", async () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().writeTo.sink(memory).createLogger();
    const ingest = createIngestHandler(log, { rateLimit: false });
    const fastify = Fastify();
    // Fastify parses text/plain and JSON itself; this parser leaves CLEF bodies unread for the handler.
    fastify.addContentTypeParser('application/vnd.serilog.clef', (_request, _payload, parsed) => parsed(null));
    fastify.post('/api/logs', (request, reply) => ingest(request, reply));
    await fastify.listen({ port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${(fastify.server.address() as AddressInfo).port}/api/logs`;
    try {
      const lines = (type: string): string => [clef({ '@mt': 'as {Type}', Type: type }), clef({ '@mt': 'second' })].join('\n');
      expect(await post(url, lines('beacon'), 'text/plain;charset=UTF-8')).toMatchObject({ status: 200, json: { accepted: 2 } });
      expect(await post(url, lines('clef'))).toMatchObject({ status: 200, json: { accepted: 2 } });
      expect(await post(url, clef({ '@mt': 'as {Type}', Type: 'json' }), 'application/json')).toMatchObject({
        status: 200,
        json: { accepted: 1 },
      });
      expect(await post(url, 'null', 'application/json')).toMatchObject({ status: 400, json: { accepted: 0, rejected: 1 } });
      expect(memory.events.map((e) => e.renderMessage())).toEqual(['as beacon', 'second', 'as clef', 'second', 'as json']);
    } finally {
      await fastify.close();
      await log.close({ strategy: 'immediate', timeoutMs: 0 });
    }
  });
});

// A real NestJS 12 app (spec/nest/fixtures/nest-ingest-app.ts) in a child process, with the handler
// mounted on the HTTP adapter and in a controller (@Req()/@Res()), on Express 5 and on Fastify 5.
describe.each(['express', 'fastify'])('createIngestHandler in NestJS on %s', (platform) => {
  it('receives CLEF, NDJSON and beacon bodies on the adapter and in a controller, attributed to their request, without ending the process', async () => {
    const app = await startNestApp('nest-ingest-app.ts', [platform]);
    const answers: [string, number, unknown][] = [];
    try {
      for (const path of ['/adapter/logs', '/controller/logs']) {
        for (const type of ['application/vnd.serilog.clef', 'text/plain;charset=UTF-8', 'application/x-ndjson']) {
          const body = [clef({ '@mt': '{Path} {Type}', Path: path, Type: type }), clef({ '@mt': 'second' })].join('\n');
          const answer = await post(`${app.url}${path}`, body, type, { 'X-Request-Id': `${path}-${type}` });
          answers.push([`${path} ${type}`, answer.status, answer.json.accepted]);
        }
      }
    } finally {
      const run = await app.stop();
      expect(run.code === 0 || run.signal === 'SIGTERM').toBe(true);
      const received = run.events.filter((e) => e.properties.Origin === 'browser');
      expect(received.map((e) => e.renderMessage())).toEqual(
        ['/adapter/logs', '/controller/logs'].flatMap((path) =>
          ['application/vnd.serilog.clef', 'text/plain;charset=UTF-8', 'application/x-ndjson'].flatMap((type) => [
            `${path} ${type}`,
            'second',
          ]),
        ),
      );
      // Nest's request context reaches the controller: its events carry the request's id.
      for (const event of received.filter((e) => (e.properties.Client as { Path?: string }).Path === '/controller/logs'))
        expect(event.properties.RequestId).toBe(`/controller/logs-${String((event.properties.Client as { Type: string }).Type)}`);
    }
    expect(answers.every(([, status, accepted]) => status === 200 && accepted === 2)).toBe(true);
  }, 120_000);
});

// The real OpenTelemetry SDK: NodeTracerProvider registers its AsyncLocalStorage context manager,
// and the server's HTTP handling runs inside a span, as an instrumented server's does.
describe('createIngestHandler inside a traced server request', () => {
  const tracer = useRegisteredTracer();

  it("gives browser events the browser's own trace ids, or none: never the server request's span", async () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().enrich.with(traceContextEnricher()).writeTo.sink(memory).createLogger();
    const ingest = createIngestHandler(log);
    const serverSpans: { traceId: string; spanId: string }[] = [];
    const server = await listen(
      createServer((req, res) =>
        tracer.startActiveSpan('POST /api/logs', (span) => {
          serverSpans.push(span.spanContext());
          res.on('close', () => span.end());
          ingest(req, res);
        }),
      ),
    );
    const browser = new LoggerConfiguration().writeTo
      .sink(new HttpSink({ url: `${server.url}/api/logs` }), { batch: { size: 10, maxDelayMs: 10 } })
      .createLogger();
    try {
      const browserTrace = { TraceId: '4bf92f3577b34da6a3ce929d0e0e4736', SpanId: '00f067aa0ba902b7', TraceFlags: 1 };
      browser.information('Untraced click');
      browser.child(browserTrace).information('Traced fetch');
      browser.child({ TraceId: 'not-a-trace', SpanId: '00f067aa0ba902b7' }).information('Malformed ids');
      await browser.close({ strategy: 'flush', timeoutMs: 5_000 });
      expect(browser.metrics().sinks.http).toMatchObject({ delivered: 3 });

      // The server's own logging inside the span still gets the span's ids.
      tracer.startActiveSpan('server work', (span) => {
        log.information('Server side');
        span.end();
      });
      expect(serverSpans.length).toBeGreaterThan(0);
      const [untraced, traced, malformed, serverSide] = memory.events;
      const clef = new CompactJsonFormatter();
      expect(untraced.properties.TraceId).toBeUndefined();
      expect(untraced.properties.SpanId).toBeUndefined();
      expect(clef.format(untraced)).not.toContain('"@tr"');
      expect(traced.properties).toMatchObject(browserTrace);
      expect(clef.format(traced)).toContain(`"@tr":"${browserTrace.TraceId}","@sp":"${browserTrace.SpanId}"`);
      expect(malformed.properties.TraceId).toBeUndefined();
      expect(malformed.properties.Client).toMatchObject({ TraceId: 'not-a-trace' });
      expect(serverSide.properties.TraceId).toMatch(/^[0-9a-f]{32}$/);
      for (const span of serverSpans)
        expect(JSON.stringify(memory.events.slice(0, 3).map((e) => e.properties))).not.toContain(span.traceId);
    } finally {
      await server.close();
      await log.close({ strategy: 'immediate', timeoutMs: 0 });
    }
  });
});

// Hostile bodies against the handler mounted as users mount it: on Express 5 (reading the body
// itself, or after express.json()) and on Fastify 5 (its own request and reply, with Fastify's
// parsers for JSON and text/plain and a pass-through one for CLEF and NDJSON).
describe('createIngestHandler under hostile bodies on Express 5 and Fastify 5', () => {
  interface Mounted {
    memory: MemorySink;
    ingest: IngestHandler;
    /** Mount name → URL. */
    urls: Record<'express' | 'express.json' | 'fastify', string>;
    close(): Promise<void>;
  }

  async function mount(options: IngestHandlerOptions = {}): Promise<Mounted> {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().minimumLevel.verbose().writeTo.sink(memory).createLogger();
    const ingest = createIngestHandler(log, { rateLimit: false, ...options });
    const app = express();
    app.post('/raw', ingest);
    app.post('/json', express.json({ limit: '10mb' }), ingest);
    const expressServer = await listen(createServer(app));
    const fastify = Fastify({ bodyLimit: 10 * 1024 * 1024 });
    fastify.addContentTypeParser(['application/vnd.serilog.clef', 'application/x-ndjson'], (_request, _payload, parsed) =>
      parsed(null),
    );
    fastify.post('/own', (request, reply) => ingest(request, reply));
    await fastify.listen({ port: 0, host: '127.0.0.1' });
    const fastifyUrl = `http://127.0.0.1:${(fastify.server.address() as AddressInfo).port}`;
    return {
      memory,
      ingest,
      urls: { express: `${expressServer.url}/raw`, 'express.json': `${expressServer.url}/json`, fastify: `${fastifyUrl}/own` },
      close: async () => {
        await expressServer.close();
        await fastify.close();
        await log.close({ strategy: 'immediate', timeoutMs: 0 });
      },
    };
  }

  let mounted: Mounted;
  beforeAll(async () => {
    mounted = await mount();
  });
  afterAll(() => mounted.close());

  const messages = (from: number): string[] => mounted.memory.events.slice(from).map((e) => e.renderMessage());

  const everywhere = ['express', 'express.json', 'fastify'] as const;

  it.each(everywhere)(
    'keeps __proto__ and constructor.prototype as data, top-level and nested, polluting nothing (%s)',
    async (where) => {
      const from = mounted.memory.events.length;
      const body =
        '{"@t":"2026-11-30T10:00:00Z","@mt":"Hi {A}","__proto__":{"isAdmin":true},"constructor":{"prototype":{"polluted":true}},' +
        '"A":{"__proto__":{"isAdmin":true},"constructor":{"prototype":{"polluted":true}},"B":[{"__proto__":{"isAdmin":true}}]}}';
      const type = where === 'express.json' ? 'application/json' : 'application/vnd.serilog.clef';
      expect(await post(mounted.urls[where], body, type)).toMatchObject({ status: 200, json: { accepted: 1, rejected: 0 } });
      const event = mounted.memory.events[from];
      const client = event.properties.Client as Record<string, Record<string, unknown>>;
      expect(Object.keys(client)).toEqual(['__proto__', 'constructor', 'A']);
      expect(client.A.isAdmin).toBeUndefined();
      expect(Object.getOwnPropertyNames(client.A)).toEqual(['__proto__', 'constructor', 'B']);
      expect((client.A.B as Record<string, unknown>[])[0].isAdmin).toBeUndefined();
      expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
      expect(event.properties.isAdmin).toBeUndefined();
    },
  );

  it.each(everywhere)(
    'keeps forged server-side fields of the client where they cannot pass for the server (%s)',
    async (where) => {
      const from = mounted.memory.events.length;
      const before = Date.now();
      const lines = [
        { '@t': '+275760-09-13T00:00:00.000Z', '@mt': 'far future', '@i': 'deadbeef', '@r': ['forged'], '@m': 'forged render' },
        { '@t': '0001-01-01T00:00:00Z', '@mt': 'far past {Origin}', Origin: 'server', ClientMessage: 'forged' },
        { '@t': '2026-11-30T10:00:00Z', '@mt': 'unknown level', '@l': 'Critical' },
        { '@t': '2026-11-30T10:00:00Z', '@mt': '{A}'.repeat(10_000), A: 'y' },
        { '@t': '2026-11-30T10:00:00Z', '@mt': 'huge exception', '@x': 'x'.repeat(40_000) },
      ];
      const json = lines.map((line) => JSON.stringify(line));
      // express.json() reads one JSON value: the lines go as an array, which it parses.
      const answer =
        where === 'express.json'
          ? await post(mounted.urls[where], `[${json.join(',')}]`, 'application/json')
          : await post(mounted.urls[where], json.join('\n'));
      expect(answer).toMatchObject({ status: 200, json: { accepted: 3, rejected: 2 } });
      const [future, past, holes] = mounted.memory.events.slice(from);
      expect(future.renderMessage()).toBe('far future');
      expect(future.properties).toMatchObject({ ClientTimestamp: '+275760-09-13T00:00:00.000Z', Client: {} });
      expect(future.timestamp.getTime()).toBeGreaterThanOrEqual(before);
      expect(future.timestamp.getTime()).toBeLessThanOrEqual(Date.now());
      expect(past.properties).toMatchObject({
        Origin: 'browser',
        ClientMessage: 'far past server',
        Client: { Origin: 'server' },
      });
      expect(past.timestamp.getTime()).toBeGreaterThanOrEqual(before);
      // 10 000 holes render 10 000 characters here, inside maxEventBytes (32 KiB).
      expect(holes.renderMessage()).toBe('y'.repeat(10_000));
    },
  );

  it.each(['express', 'fastify'] as const)(
    'reads NDJSON with a BOM, CRLF and blank lines, rejecting only an invalid UTF-8 line (%s)',
    async (where) => {
      const from = mounted.memory.events.length;
      const body = Buffer.concat([
        Buffer.from('\uFEFF{"timestamp":"2026-11-30T10:00:00Z","template":"first {N}","N":1}\r\n\r\n   \r\n'),
        Buffer.from('{"message":"bad '),
        Buffer.from([0xc3, 0x28]),
        Buffer.from('"}\r\n{"message":"second"}\r\n\n'),
      ]);
      expect(await post(mounted.urls[where], body, 'application/x-ndjson')).toMatchObject({
        status: 200,
        json: { accepted: 2, rejected: 1 },
      });
      expect(messages(from)).toEqual(['first 1', 'second']);
    },
  );

  it.each(['express', 'fastify'] as const)(
    'takes a body of exactly maxBodyBytes and answers 413 to one byte more (%s)',
    async (where) => {
      const limited = await mount({ maxBodyBytes: 1_000 });
      try {
        const line = (length: number): string => {
          const head = '{"@mt":"at the limit","P":"';
          return `${head}${'p'.repeat(length - head.length - 2)}"}`;
        };
        expect(Buffer.byteLength(line(1_000))).toBe(1_000);
        for (const type of ['application/vnd.serilog.clef', 'text/plain;charset=UTF-8']) {
          expect(await post(limited.urls[where], line(1_000), type)).toMatchObject({ status: 200, json: { accepted: 1 } });
          expect(await post(limited.urls[where], line(1_001), type)).toMatchObject({ status: 413 });
        }
        expect(limited.ingest.metrics().responses).toEqual({ 200: 2, 413: 2 });
      } finally {
        await limited.close();
      }
    },
  );

  it.each(['express', 'fastify'] as const)(
    'answers 408 to a client sending one byte a second, closes its connection and counts it (%s)',
    async (where) => {
      const slow = await mount({ bodyTimeoutMs: 1_500 });
      try {
        const outcome = await new Promise<string>((resolve) => {
          const req = request(slow.urls[where], {
            method: 'POST',
            headers: { 'Content-Type': 'application/vnd.serilog.clef', 'Content-Length': '1000' },
          });
          const drip = setInterval(() => req.write('x'), 1_000);
          req.on('response', (res) => {
            res.resume();
            res.on('end', () => resolve(`${res.statusCode}`));
          });
          req.on('error', (error) => resolve(error.message));
          req.on('close', () => clearInterval(drip));
        });
        expect(outcome).toBe('408');
        expect(slow.ingest.metrics()).toMatchObject({ responses: { 408: 1 }, pendingBytes: 0 });
      } finally {
        await slow.close();
      }
    },
  );

  it.each(['express', 'fastify'] as const)('refuses a gzip body with 415 without writing what it holds (%s)', async (where) => {
    const from = mounted.memory.events.length;
    // A 1 MiB bomb of zeros in 1 KiB, wrapping a valid event.
    const bomb = gzipSync(Buffer.concat([Buffer.from(clef({ '@mt': 'inflated' })), Buffer.alloc(1024 * 1024, 0x20)]));
    const answer = await post(mounted.urls[where], bomb, 'application/vnd.serilog.clef', { 'Content-Encoding': 'gzip' });
    expect(answer.status).toBe(415);
    expect(answer.headers.get('accept-encoding')).toBe('identity');
    expect(messages(from)).toEqual([]);
  });

  it("takes a gzip body express.json() inflated within its own limit (10mb here), which bounds the bomb's size", async () => {
    const from = mounted.memory.events.length;
    const bomb = gzipSync(Buffer.concat([Buffer.from(clef({ '@mt': 'inflated' })), Buffer.alloc(1024 * 1024, 0x20)]));
    const answer = await post(mounted.urls['express.json'], bomb, 'application/json', { 'Content-Encoding': 'gzip' });
    expect(answer.status).toBe(200);
    expect(messages(from)).toEqual(['inflated']);
  });

  it.each(['express', 'fastify'] as const)(
    'keeps limiting clients that rotate through more than rateLimit.maxKeys keys, in bounded memory (%s)',
    async (where) => {
      // The buckets refill in virtual time (the limiter's clock is performance.now) while the servers
      // run for real: nothing but the clocks is faked, so advanceTimersByTime moves only them.
      fakeClocksOnly(Date.UTC(2026, 11, 2, 8, 0, 0));
      // The key is what a reverse proxy vouches for (here a header the test sets for it).
      const limited = await mount({
        rateLimit: { perSecond: 1, burst: 1, maxKeys: 50, key: (req) => String(req.headers['x-client']) },
      });
      const diagnostics: string[] = [];
      const subscription = SelfLog.events$.subscribe((event) => diagnostics.push(event.message));
      try {
        const from = async (client: string): Promise<number> =>
          (await post(limited.urls[where], clef({ '@mt': 'from {C}', C: client }), undefined, { 'X-Client': client })).status;
        const round = async (first: number, last: number): Promise<number[]> => {
          const statuses: number[] = [];
          for (let n = first; n <= last; n++) statuses.push(await from(`c${n}`));
          return statuses;
        };
        expect(await round(0, 0)).toEqual([200]);
        expect(await round(0, 0)).toEqual([429]);
        // c1..c49 get their own buckets; past maxKeys, c50..c60 share one (its one token goes to c50).
        expect(await round(1, 60)).toEqual([...Array<number>(50).fill(200), ...Array<number>(10).fill(429)]);
        // Rotating again forgets no spent bucket: every key is still limited.
        expect(await round(0, 60)).toEqual(Array<number>(61).fill(429));
        expect(diagnostics.filter((text) => text.includes('share one bucket'))).toHaveLength(1);
        // A second later every bucket has refilled: c0's own, and full ones make room for new keys.
        jest.advanceTimersByTime(1_000);
        expect(await round(0, 0)).toEqual([200]);
        expect(await round(61, 61)).toEqual([200]);
        expect(await round(61, 61)).toEqual([429]);
        expect(limited.ingest.metrics().responses).toEqual({ 200: 53, 429: 73 });
      } finally {
        subscription.unsubscribe();
        jest.useRealTimers();
        await limited.close();
      }
    },
  );

  it('writes a batch twice when the client sends it again after losing the answer: the handler does not de-duplicate', async () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().writeTo.sink(memory).createLogger();
    const ingest = createIngestHandler(log);
    let answers = 0;
    // The first answer is lost (the connection drops after the server wrote the batch), as when a
    // proxy times out or the network fails on the way back.
    const server = await listen(
      createServer((req, res) => {
        if (answers++ === 0) res.end = (() => res.destroy()) as typeof res.end;
        ingest(req, res);
      }),
    );
    const browser = new LoggerConfiguration().writeTo
      .sink(new HttpSink({ url: `${server.url}/api/logs` }), {
        batch: { size: 2, maxDelayMs: 10 },
        retry: { attempts: 2, initialDelayMs: 10 },
      })
      .createLogger();
    try {
      browser.information('Paid {Order}', 1);
      browser.information('Paid {Order}', 2);
      await browser.close({ strategy: 'flush', timeoutMs: 5_000 });
      expect(browser.metrics().sinks.http).toMatchObject({ delivered: 2, retried: 1 });
      expect(memory.events.map((e) => e.renderMessage())).toEqual(['Paid 1', 'Paid 2', 'Paid 1', 'Paid 2']);
      expect(ingest.metrics()).toMatchObject({ accepted: 4 });
    } finally {
      await server.close();
      await log.close({ strategy: 'immediate', timeoutMs: 0 });
    }
  });

  it.each(['express', 'express.json', 'fastify'] as const)(
    'counts every item of a JSON array a framework parsed, also one too deep to serialise again, rejected for that (%s)',
    async (where) => {
      const from = mounted.memory.events.length;
      const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
      const body = `[{"@mt":"kept"},{"@mt":"deep","D":${deep}}]`;
      const answer = await post(mounted.urls[where], body, 'application/json');
      // Unparsed (Express without a JSON parser) the array is one line, not an object: rejected whole.
      if (where === 'express') expect(answer).toMatchObject({ status: 400, json: { accepted: 0, rejected: 1 } });
      else {
        // Said as what happened to it: it was an object, too deep to write back, not "not a JSON object".
        expect(answer).toMatchObject({
          status: 200,
          json: { accepted: 1, rejected: 1, error: 'line 2: nested too deep to be written back as JSON' },
        });
        expect(messages(from)).toEqual(['kept']);
      }
    },
  );
});

describe('createIngestHandler memory, in a child process', () => {
  it('holds a body of one-byte chunks in about its own size, not a Buffer object per chunk', () => {
    const child = spawnSync(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', path.join(__dirname, '..', 'fixtures', 'ingest-chunk-memory.ts')],
      { cwd: path.resolve(__dirname, '../../..'), encoding: 'utf8', timeout: 110_000 },
    );
    expect(child.stderr).toBe('');
    const result = JSON.parse(childStdout(child)) as {
      gc: boolean;
      heapBefore: number;
      heapHolding: number;
      pendingBytes: number;
    };
    expect(result).toMatchObject({ gc: true, pendingBytes: 200_000 });
    // 200 000 bytes counted against maxPendingBytes. Kept as one Buffer per chunk they took about
    // 190 bytes of heap each (38 MiB), so a client's share of maxPendingBytes (16 MiB by default)
    // sent in one-byte chunks could hold gigabytes.
    expect(result.heapHolding - result.heapBefore).toBeLessThan(2);
  }, 120_000);
});
