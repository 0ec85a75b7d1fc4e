import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import express from 'express';
import Fastify from 'fastify';
import type { LogEvent } from '../../../lib/core/log-event';
import { fastifyRequestLogging } from '../../../lib/node/http/fastify-request-logging';
import { requestLogging } from '../../../lib/node/http/request-logging';
import { eventsArrive, get, listen, memoryLogger } from '../../helpers/node-http';

// Node emits 'error' on a response written after its end (`res.end()` twice with a body, a write
// after end). With no listener that ends the process, with request logging or without; pino-http
// and Fastify's reply listen for it while the request is in flight and log it ('request errored').

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

const ticks = (n: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, n));

/** Level, message up to its elapsed time, request id and the exception's code, of each event. */
const rows = (events: readonly LogEvent[]): unknown[][] =>
  events.map((e) => [
    e.level,
    e.renderMessage().replace(/ in \d.*/, ''),
    e.properties.RequestId,
    (e.exception as { code?: string } | undefined)?.code,
  ]);

/** `res.end()` twice with a body on `/twice`, `res.write()` after `res.end()` on `/write`; anything else answered 'ok'. */
function writeAfterEnd(req: IncomingMessage, res: ServerResponse): void {
  if (req.url === '/twice') {
    res.end('first');
    res.end('second');
  } else if (req.url === '/write') {
    res.end('done');
    res.write('too late');
  } else {
    res.end('ok');
  }
}

// Node emits the response's 'finish' (queued by the first end) before the 'error' (queued by the
// second write): the completion event is written, and the error is an event of its own.
async function expectLoggedAndServing(url: string, events: LogEvent[]): Promise<void> {
  expect((await get(`${url}/twice`, { 'x-request-id': 'twice-1' })).body).toBe('first');
  expect((await get(`${url}/write`, { 'x-request-id': 'write-1' })).body).toBe('done');
  await eventsArrive(events, 4);
  // The process still serves: the write after end reached no uncaughtException.
  expect((await get(url, { 'x-request-id': 'next-1' })).status).toBe(200);
  await eventsArrive(events, 5);
  await ticks(20);
  expect(rows(events)).toEqual([
    ['information', 'HTTP GET /twice responded 200', 'twice-1', undefined],
    ['error', 'HTTP GET /twice failed after its response completed', 'twice-1', 'ERR_STREAM_WRITE_AFTER_END'],
    ['information', 'HTTP GET /write responded 200', 'write-1', undefined],
    ['error', 'HTTP GET /write failed after its response completed', 'write-1', 'ERR_STREAM_WRITE_AFTER_END'],
    ['information', 'HTTP GET / responded 200', 'next-1', undefined],
  ]);
}

describe("a response's 'error' event (a write after end)", () => {
  it('is logged once on the request with node:http, never thrown into the process', async () => {
    const { log, events } = memoryLogger();
    const logRequests = requestLogging(log);
    const server = await listen(createServer((req, res) => logRequests(req, res, () => writeAfterEnd(req, res))));
    closers.push(server.close, () => log.close({ strategy: 'immediate', timeoutMs: 0 }));
    await expectLoggedAndServing(server.url, events);
  });

  it('is logged once on the request with Express 5, never thrown into the process', async () => {
    const { log, events } = memoryLogger();
    const logRequests = requestLogging(log);
    const app = express();
    app.use(logRequests);
    app.use((req, res) => writeAfterEnd(req, res));
    const server = await listen(createServer(app));
    closers.push(server.close, () => log.close({ strategy: 'immediate', timeoutMs: 0 }));
    await expectLoggedAndServing(server.url, events);
  });

  // A handler that writes reply.raw itself never reaches Fastify's reply listeners: Fastify has none on it.
  it('is logged once on the request with Fastify 5, never thrown into the process', async () => {
    const { log, events } = memoryLogger();
    const app = Fastify();
    await app.register(fastifyRequestLogging(log));
    app.get('/*', (request, reply) => {
      writeAfterEnd(request.raw, reply.raw);
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    closers.push(
      () => app.close(),
      () => log.close({ strategy: 'immediate', timeoutMs: 0 }),
    );
    const { port } = app.server.address() as { port: number };
    await expectLoggedAndServing(`http://127.0.0.1:${port}`, events);
  });
});
