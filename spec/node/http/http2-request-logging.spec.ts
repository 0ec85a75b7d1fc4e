import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import type { LogEvent } from '../../../lib/core/log-event';
import { fastifyRequestLogging } from '../../../lib/node/http/fastify-request-logging';
import { requestLogging } from '../../../lib/node/http/request-logging';
import { eventsArrive, memoryLogger, requestHttp2 } from '../../helpers/node-http';

// Node's HTTP/2 compatibility response emits 'finish' and reads `writableFinished` true once its
// stream is reset, without the handler having ended it: a client that left read as a completed
// 200. Each outcome is checked over a real HTTP/2 connection on 127.0.0.1.

const closers: (() => unknown)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

type Outcome = [level: string, aborted: unknown, status: unknown, exception: string | undefined];
const outcome = (e: LogEvent): Outcome => [e.level, e.properties.Aborted, e.properties.StatusCode, e.exception?.name];

/** Answers /done in full; /slow and /cut write headers and a first chunk, then /cut is destroyed by the server. */
function handle(
  res: { writeHead(status: number): unknown; write(chunk: string): unknown; end(chunk: string): unknown; destroy(): unknown },
  path: string,
): void {
  res.writeHead(200);
  if (path === '/done') {
    res.end('whole');
    return;
  }
  res.write('first');
  if (path === '/cut') setTimeout(() => res.destroy(), 5);
}

/** Requests /done, abandons /slow and has /cut destroyed, one after another, and checks the three completion events. */
async function expectOutcomes(url: string, events: LogEvent[]): Promise<void> {
  await requestHttp2(url, '/done');
  await eventsArrive(events, 1);
  await requestHttp2(url, '/slow', { cancel: true });
  await eventsArrive(events, 2);
  await requestHttp2(url, '/cut');
  await eventsArrive(events, 3);
  expect(events.map((e) => [e.properties.RequestPath, ...outcome(e)])).toEqual([
    ['/done', 'information', undefined, 200, undefined],
    ['/slow', 'warning', true, undefined, undefined],
    ['/cut', 'error', undefined, 200, 'ResponseDestroyed'],
  ]);
}

describe('request logging over HTTP/2', () => {
  it('requestLogging on a node:http2 server: completed, abandoned by the client, destroyed by the server', async () => {
    const { log, events } = memoryLogger();
    const middleware = requestLogging(log);
    const server = createServer((req: Http2ServerRequest, res: Http2ServerResponse) =>
      middleware(req as unknown as IncomingMessage, res as unknown as ServerResponse, () => handle(res, req.url)),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(
      () => new Promise((resolve) => server.close(resolve)),
      () => log.close({ strategy: 'immediate', timeoutMs: 0 }),
    );
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    await expectOutcomes(url, events);
  });

  it('fastifyRequestLogging on a Fastify server with http2: true: an abandoned request is aborted, not a 200', async () => {
    const { log, events } = memoryLogger();
    const app = Fastify({ http2: true });
    await app.register(fastifyRequestLogging(log));
    for (const path of ['/done', '/slow', '/cut'])
      app.get(path, (_request, reply) => {
        reply.hijack();
        handle(reply.raw, path);
      });
    await app.listen({ port: 0, host: '127.0.0.1' });
    closers.push(
      () => app.close(),
      () => log.close({ strategy: 'immediate', timeoutMs: 0 }),
    );
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

    await expectOutcomes(url, events);
  });

  it("requestHeaders: ['*'] logs the :path pseudo-header without its query string, as RequestPath is (node:http2 and Fastify)", async () => {
    const { log, events } = memoryLogger();
    const middleware = requestLogging(log, { requestHeaders: ['*'] });
    const server = createServer((req: Http2ServerRequest, res: Http2ServerResponse) =>
      middleware(req as unknown as IncomingMessage, res as unknown as ServerResponse, () => res.end('ok')),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const app = Fastify({ http2: true });
    await app.register(fastifyRequestLogging(log, { requestHeaders: ['*'] }));
    app.get('/login', async () => 'ok');
    await app.listen({ port: 0, host: '127.0.0.1' });
    closers.push(
      () => new Promise((resolve) => server.close(resolve)),
      () => app.close(),
      () => log.close({ strategy: 'immediate', timeoutMs: 0 }),
    );

    for (const port of [(server.address() as AddressInfo).port, (app.server.address() as AddressInfo).port])
      await requestHttp2(`http://127.0.0.1:${port}`, '/login?token=s3cret&password=hunter2#top');
    await eventsArrive(events, 2);

    expect(
      events.map((e) => [e.properties.RequestPath, (e.properties.RequestHeaders as Record<string, string>)[':path']]),
    ).toEqual([
      ['/login', '/login'],
      ['/login', '/login'],
    ]);
    expect(JSON.stringify(events.map((e) => e.properties))).not.toMatch(/s3cret|hunter2/);
  });
});
