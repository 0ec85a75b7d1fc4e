import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttp2Server, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify from 'fastify';
import type { LogEvent } from '../../../lib/core/log-event';
import { fastifyRequestLogging } from '../../../lib/node/http/fastify-request-logging';
import { requestLogging } from '../../../lib/node/http/request-logging';
import type { RequestLoggingOptions } from '../../../lib/node/http/request-logging-options';
import { eventsArrive, get, listen, memoryLogger, requestHttp2 } from '../../helpers/node-http';

// requestHeaders: ['*'] and responseHeaders: ['*'] redacted only authorization, proxy-authorization,
// cookie and set-cookie: an API key, a session id, a CSRF token or a webhook's signature was
// written in clear to every sink. Each server here is a real one on 127.0.0.1.

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** Credential headers as clients send them, each with a value the log must not hold. */
const CREDENTIALS = [
  'authorization',
  'cookie',
  'x-api-key',
  'x-auth-token',
  'x-csrf-token',
  'x-amz-security-token',
  'x-goog-api-key',
  'apikey',
  'x-access-token',
  'x-refresh-token',
  'x-session-id',
  'x-hub-signature-256',
  'x-upstream-proxy-authorization',
];
const sent = Object.fromEntries(CREDENTIALS.map((name) => [name, `s3cret-${name}`]));
const plain = { accept: 'application/json', 'user-agent': 'spec', 'x-request-id': 'req-1', 'x-tenant': 'acme' };

/** Answers with a CSRF token and a session cookie beside headers that are no credentials. */
function answer(res: ServerResponse): void {
  res.setHeader('x-csrf-token', 's3cret-csrf');
  res.setHeader('set-cookie', 'sid=s3cret-sid');
  res.setHeader('access-control-allow-credentials', 'true');
  res.setHeader('content-type', 'text/plain');
  res.end('ok');
}

type Kind = 'node:http' | 'Express' | 'Fastify';

async function serve(kind: Kind, options: RequestLoggingOptions): Promise<{ url: string; events: LogEvent[] }> {
  const { log, events } = memoryLogger();
  closers.push(() => log.close({ strategy: 'immediate', timeoutMs: 0 }));
  if (kind === 'Fastify') {
    const app = Fastify();
    await app.register(fastifyRequestLogging(log, options));
    app.get('/orders', (_request, reply) => {
      reply.hijack();
      answer(reply.raw);
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    closers.push(() => app.close());
    return { url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, events };
  }
  const logRequests = requestLogging(log, options);
  const handler =
    kind === 'Express'
      ? express()
          .use(logRequests)
          .get('/orders', (_req, res) => answer(res))
      : (req: IncomingMessage, res: ServerResponse) => logRequests(req, res, () => answer(res));
  const server = await listen(createServer(handler));
  closers.push(server.close);
  return { url: server.url, events };
}

describe("requestHeaders: ['*'] and responseHeaders: ['*']", () => {
  it.each<Kind>(['node:http', 'Express', 'Fastify'])(
    'redact every header whose name looks like a credential, and log the others in clear (%s)',
    async (kind) => {
      const { url, events } = await serve(kind, { requestHeaders: ['*'], responseHeaders: ['*'] });
      const { status } = await get(`${url}/orders`, { ...sent, ...plain });
      await eventsArrive(events, 1);

      expect(status).toBe(200);
      const requestHeaders = events[0].properties.RequestHeaders as Record<string, string>;
      const responseHeaders = events[0].properties.ResponseHeaders as Record<string, string>;
      expect(Object.fromEntries(CREDENTIALS.map((name) => [name, requestHeaders[name]]))).toEqual(
        Object.fromEntries(CREDENTIALS.map((name) => [name, '[Redacted]'])),
      );
      expect(requestHeaders).toMatchObject(plain);
      expect(responseHeaders).toMatchObject({
        'x-csrf-token': '[Redacted]',
        'set-cookie': '[Redacted]',
        'access-control-allow-credentials': 'true',
        'content-type': 'text/plain',
      });
      expect(JSON.stringify(events.map((e) => e.properties))).not.toContain('s3cret');
    },
  );

  it.each<Kind>(['node:http', 'Express', 'Fastify'])(
    'log a header the list names beside them in clear, but never one of redactHeaders or the four always redacted (%s)',
    async (kind) => {
      const { url, events } = await serve(kind, {
        requestHeaders: ['*', 'X-Auth-Token', 'Authorization'],
        redactHeaders: ['X-Tenant'],
      });
      await get(`${url}/orders`, { ...sent, ...plain });
      await eventsArrive(events, 1);

      expect(events[0].properties.RequestHeaders).toMatchObject({
        'x-auth-token': 's3cret-x-auth-token',
        authorization: '[Redacted]',
        'x-session-id': '[Redacted]',
        'x-api-key': '[Redacted]',
        'x-tenant': '[Redacted]',
        'user-agent': 'spec',
      });
    },
  );

  it("keep HTTP/2's :authority in clear while redacting credentials (node:http2)", async () => {
    const { log, events } = memoryLogger();
    const middleware = requestLogging(log, { requestHeaders: ['*'] });
    const server = createHttp2Server((req: Http2ServerRequest, res: Http2ServerResponse) =>
      middleware(req as unknown as IncomingMessage, res as unknown as ServerResponse, () => res.end('ok')),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(
      () => new Promise((resolve) => server.close(resolve)),
      () => log.close({ strategy: 'immediate', timeoutMs: 0 }),
    );
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    await requestHttp2(url, '/orders', { headers: { 'x-api-key': 's3cret-key', 'x-session-id': 's3cret-session' } });
    await eventsArrive(events, 1);

    expect(events[0].properties.RequestHeaders).toMatchObject({
      ':authority': new URL(url).host,
      ':path': '/orders',
      'x-api-key': '[Redacted]',
      'x-session-id': '[Redacted]',
    });
  });
});
