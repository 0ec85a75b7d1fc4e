import { spawnSync } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import Fastify, { type FastifyServerOptions } from 'fastify';
import { ConfigurationError } from '../../../lib/core/errors/configuration-error';
import type { LogEvent } from '../../../lib/core/log-event';
import { diagnosticContext } from '../../../lib/node/http/diagnostic-context';
import { fastifyLogger } from '../../../lib/node/http/fastify-logger';
import { fastifyRequestLogging } from '../../../lib/node/http/fastify-request-logging';
import { abandon, eventsArrive, exchangeRaw, get, memoryLogger, signal } from '../../helpers/node-http';

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

const completions = (events: LogEvent[]): LogEvent[] => events.filter((e) => e.properties.Elapsed !== undefined);
const ticks = (n: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, n));

/** A Fastify app (with fastifyLogger or not) whose own onError hook, added before the plugin, throws. */
async function afterThrowingOnError(withLogger: boolean) {
  const { log, events } = memoryLogger();
  const app = Fastify(withLogger ? { loggerInstance: fastifyLogger(log) } : {});
  app.addHook('onError', async () => {
    throw new Error('alerting is down');
  });
  await app.register(fastifyRequestLogging(log));
  return { events, app };
}

async function fastifyApp() {
  const { log, events } = memoryLogger();
  const started = signal();
  const app = Fastify({ forceCloseConnections: true });
  await app.register(fastifyRequestLogging(log, { requestHeaders: ['authorization', 'user-agent'] }));
  app.get<{ Params: { id: string }; Querystring: { wait?: string } }>('/orders/:id', async (request) => {
    log.information('Loading order {OrderId}', request.params.id);
    await ticks(Number(request.query.wait ?? 0));
    diagnosticContext.set('OrderId', request.params.id);
    log.information('Loaded order {OrderId}', request.params.id);
    return { id: request.params.id };
  });
  app.post<{ Body: { name: string } }>('/orders', async (request, reply) => {
    await ticks(1);
    log.information('Creating {Name}', request.body.name);
    return reply.code(201).send({ ok: true });
  });
  // Validation runs after the body is read, before preHandler: a hook of the app's logs there.
  app.post<{ Body: { name: string } }>(
    '/validated',
    {
      preValidation: async (request) => {
        log.information('Validating {Name}', request.body.name);
      },
    },
    async () => 'ok',
  );
  app.addContentTypeParser('text/x-order', { parseAs: 'string' }, (_request, body, done) => {
    log.information('Parsing {Length}', String(body).length);
    done(null, body);
  });
  app.post('/parsed', async () => 'ok');
  app.get('/boom', async () => {
    await ticks(1);
    throw new Error('fastify handler exploded');
  });
  // Writes its headers and a first chunk to the Node response, then fails: Fastify's error handler
  // can only set a status nobody receives.
  app.get('/late-failure', async (_request, reply) => {
    reply.raw.writeHead(200, { 'content-type': 'text/plain' });
    reply.raw.write('partial');
    await ticks(1);
    throw new Error('failed after the headers');
  });
  // Destroys the Node response mid-body, without an error: the server cut it, not the client.
  app.get('/cut', (_request, reply) => {
    reply.raw.writeHead(200, { 'content-type': 'text/plain' });
    reply.raw.write('partial');
    setImmediate(() => reply.raw.destroy());
  });
  // Destroys the Node response before anything was sent: the client gets no status.
  app.get('/cut-first', (_request, reply) => {
    setImmediate(() => reply.raw.destroy());
  });
  // A streamed body (reply.send(stream)) that fails once its headers went out: Fastify destroys the
  // response without the stream's error, which its own logger writes.
  app.get('/stream-fails', (_request, reply) => {
    let chunks = 0;
    const body = new Readable({
      read() {
        if (++chunks > 3) this.destroy(new Error('disk gone'));
        else setTimeout(() => this.push('x'.repeat(1024)), 1);
      },
    });
    return reply.type('text/plain').send(body);
  });
  // One that never ends, for a client that leaves mid-body.
  app.get('/stream-endless', (_request, reply) => {
    const body = new Readable({
      read() {
        setTimeout(() => this.push('x'.repeat(1024)), 1);
      },
    });
    return reply.type('text/plain').send(body);
  });
  // One that fails before anything was sent: Fastify answers it 500 through its error handling.
  app.get('/stream-fails-first', (_request, reply) => {
    const body = new Readable({
      read() {
        this.destroy(new Error('no such file'));
      },
    });
    return reply.type('text/plain').send(body);
  });
  app.get('/slow', async (request) => {
    started.resolve();
    await new Promise((resolve) => request.raw.on('close', resolve));
    return 'late';
  });
  // Guards: a route preHandler that answers 403, one that throws, and an app onRequest hook that answers 401.
  app.get('/admin/:id', { preHandler: async (_request, reply) => reply.code(403).send({ denied: true }) }, async () => 'secret');
  app.get(
    '/private/:id',
    {
      preHandler: async () => {
        throw Object.assign(new Error('no token'), { statusCode: 401 });
      },
    },
    async () => 'secret',
  );
  app.register(async (scope) => {
    scope.addHook('onRequest', async (_request, reply) => reply.code(401).send({ login: true }));
    scope.get('/guarded/:id', async () => 'secret');
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address() as AddressInfo;
  closers.push(
    () => app.close(),
    () => log.close({ strategy: 'immediate', timeoutMs: 0 }),
  );
  return { url: `http://127.0.0.1:${address.port}`, events, started: started.promise };
}

describe('fastifyRequestLogging given no logger', () => {
  it('throws a ConfigurationError naming the value, instead of answering every request unlogged', () => {
    expect(() => fastifyRequestLogging(undefined as never)).toThrow(ConfigurationError);
    expect(() => fastifyRequestLogging(undefined as never)).toThrow(
      'fastifyRequestLogging log: expected a logger with a child method, got undefined',
    );
  });
});

describe('fastifyRequestLogging with Fastify 5', () => {
  it('writes the completion event with the route pattern and carries the request id into the handler', async () => {
    const { url, events } = await fastifyApp();
    const answer = await get(`${url}/orders/9?secret=1`, { 'x-request-id': 'fx-1', authorization: 'Basic secret' });
    expect(answer.status).toBe(200);
    expect(answer.headers['x-request-id']).toBe('fx-1');
    await eventsArrive(events, 3);
    expect(events.map((e) => e.properties.RequestId)).toEqual(['fx-1', 'fx-1', 'fx-1']);
    expect(events[2].renderMessage()).toMatch(/^HTTP GET \/orders\/9 responded 200 in \d+\.\d{4} ms$/);
    expect(events[2].properties).toMatchObject({
      RoutePattern: '/orders/:id',
      OrderId: '9',
      StatusCode: 200,
      RequestHeaders: { authorization: '[Redacted]' },
    });
  });

  // Fastify told to (useSemicolonDelimiter) reads `/orders;token=x` as the query `token=x`: the path carried it.
  it('logs the path without the query an app with useSemicolonDelimiter reads after a semicolon', async () => {
    const paths: unknown[] = [];
    // Fastify 5 reads the option under routerOptions (its types do not list it there yet) and, as before, at the top.
    const choices: unknown[] = [{ routerOptions: { useSemicolonDelimiter: true } }, { useSemicolonDelimiter: true }, {}];
    for (const options of choices) {
      const { log, events } = memoryLogger();
      const app = Fastify(options as FastifyServerOptions);
      await app.register(fastifyRequestLogging(log));
      app.get('/orders', async (request) => request.query);
      await app.listen({ port: 0, host: '127.0.0.1' });
      closers.push(
        () => app.close(),
        () => log.close({ strategy: 'immediate', timeoutMs: 0 }),
      );
      const { port } = app.server.address() as AddressInfo;
      const answer = await get(`http://127.0.0.1:${port}/orders;token=secret`);
      await eventsArrive(events, 1);
      paths.push([answer.status, answer.body, events[0].properties.RequestPath]);
    }
    expect(paths).toEqual([
      [200, '{"token":"secret"}', '/orders'],
      [200, '{"token":"secret"}', '/orders'],
      [404, expect.any(String), '/orders;token=secret'],
    ]);
  });

  it("takes Fastify's request.id as its RequestId: its own ids by default, the app's genReqId or requestIdHeader", async () => {
    const idsOf = async (options: FastifyServerOptions, headers: Record<string, string>): Promise<unknown[]> => {
      const { log, events } = memoryLogger();
      const app = Fastify(options);
      await app.register(fastifyRequestLogging(log));
      app.get('/id', async (request) => {
        log.information('Handling');
        return request.id;
      });
      await app.listen({ port: 0, host: '127.0.0.1' });
      closers.push(() => app.close());
      const answer = await get(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}/id`, headers);
      await eventsArrive(events, 2);
      return [answer.body, answer.headers['x-request-id'], ...events.map((e) => e.properties.RequestId)];
    };

    expect(await idsOf({}, { 'x-request-id': 'client-1' })).toEqual(Array(4).fill('client-1'));
    const [generated, ...same] = await idsOf({}, {});
    expect(generated).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(same).toEqual(Array(3).fill(generated));
    expect(await idsOf({ genReqId: () => 'app-7' }, { 'x-request-id': 'client-1' })).toEqual(Array(4).fill('app-7'));
    const headers = { 'x-correlation-id': 'corr-3', 'x-request-id': 'client-1' };
    expect(await idsOf({ requestIdHeader: 'x-correlation-id' }, headers)).toEqual(Array(4).fill('corr-3'));
  });

  it("bounds a requestIdHeader's id as requestLogging bounds x-request-id: one past them gets the plugin's id, request.id stays Fastify's", async () => {
    const { log, events } = memoryLogger();
    const app = Fastify({ requestIdHeader: 'x-request-id' });
    await app.register(fastifyRequestLogging(log));
    app.get('/id', async (request) => {
      log.information('Handling');
      return request.id;
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    closers.push(() => app.close());
    const { port } = app.server.address() as AddressInfo;
    // Raw bytes, as a hostile client sends them: Node reads bytes past 0x7f as latin1 (U+202E, a
    // bidi override, as three characters, one a C1 control), and answers 400 itself to a bare CR.
    const exchange = async (id: string) => {
      const answer = await exchangeRaw(
        port,
        `GET /id HTTP/1.1\r\nHost: x\r\nx-request-id: ${id}\r\nConnection: close\r\n\r\n`,
        () => false,
      );
      const [head = '', body = ''] = answer.split('\r\n\r\n');
      // Fastify sends the body as UTF-8.
      return {
        status: head.split(' ')[1],
        echoed: /\r\nx-request-id: ([^\r]*)/i.exec(head)?.[1],
        body: Buffer.from(body, 'latin1').toString(),
      };
    };
    const hostile = ['a'.repeat(10 * 1024), 'a"b\\c', 'id\tid', 'id-\u00e2\u0080\u00ae-di', 'x'.repeat(129)];
    for (const id of hostile) {
      const before = completions(events).length;
      const { status, echoed, body } = await exchange(id);
      await eventsArrive(events, before + 1, (e) => e.properties.Elapsed !== undefined);
      expect([status, body]).toEqual(['200', id]);
      expect(echoed).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(events.slice(-2).map((e) => e.properties.RequestId)).toEqual([echoed, echoed]);
    }
    expect((await exchange('x'.repeat(128))).echoed).toBe('x'.repeat(128));
    expect((await exchange('a\rb')).status).toBe('400');
    expect(JSON.stringify(events.map((e) => e.properties))).not.toMatch(/aaaaaaaaaa|a\\"b|\u00e2|\\t/);
  });

  it("puts a handler's or preHandler hook's error on the completion event once, when an onError hook added before the plugin throws", async () => {
    for (const withLogger of [false, true]) {
      const { log, events } = memoryLogger();
      const app = Fastify(withLogger ? { loggerInstance: fastifyLogger(log) } : {});
      // Fastify skips the onError hooks after one that fails, the plugin's among them, and drops its error.
      app.addHook('onError', async () => {
        throw new Error('alerting is down');
      });
      await app.register(fastifyRequestLogging(log));
      app.get('/handler', async () => {
        throw new Error('handler failed');
      });
      app.get('/hook', { preHandler: () => Promise.reject(new Error('preHandler failed')) }, async () => 'ok');
      await app.listen({ port: 0, host: '127.0.0.1' });
      closers.push(() => app.close());
      const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

      expect((await get(`${url}/handler`)).status).toBe(500);
      expect((await get(`${url}/hook`)).status).toBe(500);
      await eventsArrive(events, 2, (e) => e.properties.Elapsed !== undefined);
      await ticks(5);

      expect(
        events.filter((e) => e.exception !== undefined).map((e) => [e.properties.RequestPath, e.exception?.message]),
      ).toEqual([
        ['/handler', 'handler failed'],
        ['/hook', 'preHandler failed'],
      ]);
    }
  });

  it("puts a hook's or validation's error on the completion event once, when an onError hook added before the plugin throws", async () => {
    for (const withLogger of [false, true]) {
      // Fastify skips the onError hooks after one that fails (the plugin's), and these errors are not
      // on its handler-error diagnostics channel.
      const { events, app } = await afterThrowingOnError(withLogger);
      app.addHook('onRequest', async (request) => {
        if (request.url === '/on-request') throw new Error('onRequest failed');
      });
      app.addHook('preParsing', async (request) => {
        if (request.url === '/pre-parsing') throw new Error('preParsing failed');
      });
      app.get('/on-request', async () => 'ok');
      app.get('/pre-parsing', async () => 'ok');
      app.get(
        '/pre-validation',
        { preValidation: (_request, _reply, done) => done(new Error('preValidation failed')) },
        async () => 'ok',
      );
      app.get('/pre-handler', { preHandler: () => Promise.reject(new Error('preHandler failed')) }, async () => 'ok');
      app.get('/validated', { schema: { querystring: { type: 'object', required: ['n'] } } }, async () => 'ok');
      await app.listen({ port: 0, host: '127.0.0.1' });
      closers.push(() => app.close());
      const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

      const paths = ['/on-request', '/pre-parsing', '/pre-validation', '/pre-handler', '/validated'];
      for (const each of paths) await get(`${url}${each}`);
      await eventsArrive(events, paths.length, (e) => e.properties.Elapsed !== undefined);
      await ticks(5);

      // Each error once, on its completion event: Fastify's error handler's report of it is left out.
      expect(
        events
          .filter((e) => e.exception !== undefined)
          .map((e) => [e.properties.RequestPath, e.properties.StatusCode, e.level, e.exception?.message]),
      ).toEqual([
        ['/on-request', 500, 'error', 'onRequest failed'],
        ['/pre-parsing', 500, 'error', 'preParsing failed'],
        ['/pre-validation', 500, 'error', 'preValidation failed'],
        ['/pre-handler', 500, 'error', 'preHandler failed'],
        ['/validated', 400, 'warning', "querystring must have required property 'n'"],
      ]);
    }
  });

  it('puts a value that is no Error, thrown or passed on by a hook or a handler, on the completion event whatever the hook order', async () => {
    type Fail = () => unknown;
    // Each way a hook fails: an async one rejects, a callback one calls done(value), a sync one throws.
    const hookFailing = (kind: string, value: Fail) =>
      kind === 'async'
        ? async () => {
            throw value();
          }
        : kind === 'callback'
          ? // Fastify's type asks for an Error; a value that is not one is what is tried.
            (_request: unknown, _reply: unknown, done: (error?: Error) => void) => done(value() as Error)
          : () => {
              throw value();
            };
    for (const withLogger of [false, true]) {
      const { events, app } = await afterThrowingOnError(withLogger);
      app.addHook('preParsing', async (request) => {
        if (request.url === '/pre-parsing') throw 'parsing refused';
      });
      app.get('/pre-parsing', async () => 'ok');
      const paths: string[] = ['/pre-parsing'];
      for (const hook of ['onRequest', 'preValidation', 'preHandler'])
        for (const kind of ['async', 'callback', 'sync']) {
          app.get(`/${hook}/${kind}/text`, { [hook]: hookFailing(kind, () => 'denied') }, async () => 'ok');
          app.get(
            `/${hook}/${kind}/object`,
            { [hook]: hookFailing(kind, () => ({ statusCode: 418, reason: 'teapot' })) },
            async () => 'ok',
          );
          paths.push(`/${hook}/${kind}/text`, `/${hook}/${kind}/object`);
        }
      app.get('/handler/async', async () => {
        throw { statusCode: 418, reason: 'teapot' };
      });
      app.get('/handler/sync', () => {
        throw 'denied';
      });
      // Fastify answers a rejection with null, undefined or 0 with an error of its own; a sync hook
      // that throws undefined, or calls done(null), is one that succeeded, to Fastify.
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- what a hook may reject with
      app.get('/rejects-null', { preHandler: () => Promise.reject(null) }, async () => 'ok');
      app.get('/throws-undefined', { onRequest: hookFailing('sync', () => undefined) }, async () => 'ok');
      // A hook that sends a value answers with it: a payload, not an error.
      app.get('/sends-text', { preHandler: async (_request, reply) => reply.code(403).send('denied') }, async () => 'ok');
      paths.push('/handler/async', '/handler/sync', '/rejects-null', '/throws-undefined', '/sends-text');
      await app.listen({ port: 0, host: '127.0.0.1' });
      closers.push(() => app.close());
      const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

      for (const each of paths) await get(`${url}${each}`);
      await eventsArrive(events, paths.length, (e) => e.properties.Elapsed !== undefined);
      await ticks(5);

      const teapot = [418, 'warning', 'ThrownValueError', '{"statusCode":418,"reason":"teapot"}'];
      const denied = [500, 'error', 'ThrownValueError', 'denied'];
      const hooks = ['onRequest', 'preValidation', 'preHandler'].flatMap((hook) =>
        ['async', 'callback', 'sync'].flatMap((kind) => [
          [`/${hook}/${kind}/text`, ...denied],
          [`/${hook}/${kind}/object`, ...teapot],
        ]),
      );
      expect(
        completions(events).map((e) => [
          e.properties.RequestPath,
          e.properties.StatusCode,
          e.level,
          e.exception?.name,
          e.exception?.message,
        ]),
      ).toEqual([
        ['/pre-parsing', 500, 'error', 'ThrownValueError', 'parsing refused'],
        ...hooks,
        ['/handler/async', ...teapot],
        ['/handler/sync', ...denied],
        ['/rejects-null', 500, 'error', 'FastifyError', 'Undefined error has occurred'],
        ['/throws-undefined', 200, 'information', undefined, undefined],
        ['/sends-text', 403, 'warning', undefined, undefined],
      ]);
      // Each once: on its completion event, none beside it.
      expect(events.filter((e) => e.exception !== undefined)).toHaveLength(paths.length - 2);
    }
  });

  it("gets the client's address as the app's trustProxy resolves it, from a hook added after the plugin (docs/http-servers.md)", async () => {
    const addressOf = async (options: FastifyServerOptions): Promise<unknown> => {
      const { log, events } = memoryLogger();
      const app = Fastify(options);
      await app.register(fastifyRequestLogging(log));
      app.addHook('onRequest', async (request) => {
        diagnosticContext.set('ClientAddress', request.ip);
      });
      app.get('/', async () => 'ok');
      await app.listen({ port: 0, host: '127.0.0.1' });
      closers.push(() => app.close());
      // A client that connects directly, with a header it wrote itself.
      await get(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}/`, {
        'x-forwarded-for': '203.0.113.7, 198.51.100.2',
      });
      await eventsArrive(events, 1);
      return events[0].properties.ClientAddress;
    };

    expect(await addressOf({})).toBe('127.0.0.1');
    // Trusting only the app's own proxies: the connection did not come from one, so the header is not read.
    expect(await addressOf({ trustProxy: '10.0.0.0/8' })).toBe('127.0.0.1');
    // Trusting the loopback proxy: the nearest address it forwarded for.
    expect(await addressOf({ trustProxy: '127.0.0.1' })).toBe('198.51.100.2');
    // Trusting everything: whatever the client wrote first.
    expect(await addressOf({ trustProxy: true })).toBe('203.0.113.7');
  });

  // Fastify sends its reply's headers with writeHead(status, headers), which Node does not keep
  // when nothing was set with setHeader() first: with requestIdHeader: false, no reply had ResponseHeaders.
  it('logs the reply headers with requestIdHeader: false, set-cookie redacted', async () => {
    const { log, events } = memoryLogger();
    const app = Fastify();
    await app.register(fastifyRequestLogging(log, { requestIdHeader: false, responseHeaders: ['content-type', 'set-cookie'] }));
    app.get('/things', async (_request, reply) => {
      reply.header('set-cookie', 'sid=secret-session');
      return reply.code(201).send({ made: true });
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    closers.push(
      () => app.close(),
      () => log.close({ strategy: 'immediate', timeoutMs: 0 }),
    );

    const answer = await get(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}/things`);
    await eventsArrive(events, 1);

    expect([answer.status, answer.headers['x-request-id'], answer.body]).toEqual([201, undefined, '{"made":true}']);
    expect(events[0].properties.ResponseHeaders).toEqual({
      'content-type': 'application/json; charset=utf-8',
      'set-cookie': '[Redacted]',
    });
  });

  it('keeps the context after body parsing and across concurrent requests', async () => {
    const { url, events } = await fastifyApp();
    const posts = Array.from({ length: 10 }, (_, i) =>
      fetch(`${url}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': `post-${i}` },
        body: JSON.stringify({ name: `n${i}` }),
      }),
    );
    const gets = Array.from({ length: 10 }, (_, i) =>
      get(`${url}/orders/${i}?wait=${(i * 3) % 10}`, { 'x-request-id': `get-${i}` }),
    );
    await Promise.all([...posts, ...gets]);
    await eventsArrive(events, 50);
    for (let i = 0; i < 10; i++) {
      const created = events.filter((e) => e.properties.RequestId === `post-${i}`);
      expect(created.map((e) => e.renderMessage().split(' ')[0])).toEqual(['Creating', 'HTTP']);
      expect(created[0].properties.Name).toBe(`n${i}`);
      const fetched = events.filter((e) => e.properties.RequestId === `get-${i}`);
      expect(fetched).toHaveLength(3);
      expect(fetched.every((e) => e.properties.OrderId === String(i))).toBe(true);
    }
  });

  it('carries the request id into a preValidation hook, which runs after body parsing and before preHandler', async () => {
    const { url, events } = await fastifyApp();
    // The body follows the headers in a later packet, so Fastify reads it from a socket event of its
    // own, outside the onRequest hook's call (a body that comes with the headers is read inside it).
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const client = httpRequest(`${url}/validated`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': 'val-1', 'content-length': 13 },
      });
      client.on('response', (response) => {
        response.resume();
        resolve(response.statusCode);
      });
      client.on('error', reject);
      client.flushHeaders();
      setTimeout(() => client.end('{"name":"n1"}'), 20);
    });
    expect(status).toBe(200);
    await eventsArrive(events, 2);
    expect(events.map((e) => [e.renderMessage().split(' ')[0], e.properties.RequestId])).toEqual([
      ['Validating', 'val-1'],
      ['HTTP', 'val-1'],
    ]);
  });

  it('carries the request id into a content-type parser, whether the body comes with the headers or after them', async () => {
    const { url, events } = await fastifyApp();
    for (const delay of [0, 20]) {
      const status = await new Promise<number | undefined>((resolve, reject) => {
        const client = httpRequest(`${url}/parsed`, {
          method: 'POST',
          headers: { 'content-type': 'text/x-order', 'x-request-id': `parse-${delay}`, 'content-length': 5 },
        });
        client.on('response', (response) => {
          response.resume();
          resolve(response.statusCode);
        });
        client.on('error', reject);
        client.flushHeaders();
        setTimeout(() => client.end('hello'), delay);
      });
      expect(status).toBe(200);
    }
    await eventsArrive(events, 4);
    // Before, the parser ran in the socket's context: its event had no RequestId.
    expect(events.map((e) => [e.renderMessage().split(' ')[0], e.properties.RequestId])).toEqual([
      ['Parsing', 'parse-0'],
      ['HTTP', 'parse-0'],
      ['Parsing', 'parse-20'],
      ['HTTP', 'parse-20'],
    ]);
  });

  it('names the route of a request a guard rejected: a preHandler that answers or throws, an onRequest hook that answers', async () => {
    const { url, events } = await fastifyApp();
    expect((await get(`${url}/admin/7`)).status).toBe(403);
    expect((await get(`${url}/private/7`)).status).toBe(401);
    expect((await get(`${url}/guarded/7`)).status).toBe(401);
    // No route matched: no pattern to name.
    expect((await get(`${url}/nowhere`)).status).toBe(404);
    await eventsArrive(events, 4);
    expect(
      completions(events).map((e) => [e.properties.RequestPath, e.properties.StatusCode, e.properties.RoutePattern]),
    ).toEqual([
      ['/admin/7', 403, '/admin/:id'],
      ['/private/7', 401, '/private/:id'],
      ['/guarded/7', 401, '/guarded/:id'],
      ['/nowhere', 404, undefined],
    ]);
  });

  it('logs a handler error once with its exception', async () => {
    const { url, events } = await fastifyApp();
    expect((await get(`${url}/boom`)).status).toBe(500);
    await eventsArrive(events, 1);
    await ticks(20);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ level: 'error', properties: expect.objectContaining({ StatusCode: 500 }) as unknown });
    expect(events[0].exception?.message).toBe('fastify handler exploded');
  });

  // Fastify answers its own client errors (a malformed JSON body, a schema's 400) and an error with
  // a 4xx statusCode through its error handler, after the onError hook: the client's failure, a
  // warning with the exception, as a 4xx HttpException is in the Nest module. They were errors.
  it('logs an error Fastify answered with a 4xx (malformed body, schema, a 404 thrown) as a warning with its exception', async () => {
    const { log, events } = memoryLogger();
    const app = Fastify();
    await app.register(fastifyRequestLogging(log));
    app.post('/orders', { schema: { body: { type: 'object', required: ['sku'] } } }, async (request) => request.body);
    app.get('/orders/:id', async () => {
      throw Object.assign(new Error('no such order'), { statusCode: 404 });
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    closers.push(
      () => app.close(),
      () => log.close({ strategy: 'immediate', timeoutMs: 0 }),
    );
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const post = (body: string) =>
      fetch(`${url}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then((r) => r.status);
    expect(await post('{"sku": ')).toBe(400);
    expect(await post('{}')).toBe(400);
    expect((await get(`${url}/orders/7`)).status).toBe(404);
    await eventsArrive(events, 3);
    expect(completions(events).map((e) => [e.properties.StatusCode, e.level, e.exception?.message])).toEqual([
      [400, 'warning', "Body is not valid JSON but content-type is set to 'application/json'"],
      [400, 'warning', "body must have required property 'sku'"],
      [404, 'warning', 'no such order'],
    ]);
  });

  it('logs a handler that fails after its headers went out with the status the client got, not the 500 Fastify sets too late', async () => {
    const { url, events } = await fastifyApp();
    const status = await new Promise<number>((resolve) => {
      const req = httpRequest(`${url}/late-failure`, { agent: false }, (res) => {
        resolve(res.statusCode ?? 0);
        res.resume();
        res.on('error', () => undefined);
      });
      req.on('error', () => undefined);
      req.end();
    });
    await eventsArrive(events, 1);
    await ticks(20);
    expect(status).toBe(200);
    expect(completions(events).map((e) => [e.level, e.properties.StatusCode, e.exception?.message])).toEqual([
      ['error', 200, 'failed after the headers'],
    ]);
  });

  // Fastify calls no onError hook for an error thrown after reply.send(): its own logger writes a
  // rejection ('Promise errored, but reply.sent = true was set') and, for a synchronous throw, only
  // 'Reply was already sent'. The error was in no event; it is now in one, once, with the plugin
  // registered twice, and with the status the client got, not the 500 Fastify sets on the reply then.
  it('logs a handler error thrown after reply.send() once, on the completion event or, after it, on an event of its own', async () => {
    const { log, events } = memoryLogger();
    const plugin = fastifyRequestLogging(log);
    const app = Fastify();
    await app.register(plugin);
    await app.register(plugin);
    app.get('/sync', (_request, reply) => {
      reply.send('ok');
      throw new Error('failed after send');
    });
    app.get('/audited', async (_request, reply) => {
      const closed = new Promise((resolve) => reply.raw.once('close', resolve));
      reply.send('ok');
      await closed;
      throw new Error('audit write failed');
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    closers.push(
      () => app.close(),
      () => log.close({ strategy: 'immediate', timeoutMs: 0 }),
    );
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    expect((await get(`${url}/sync`)).status).toBe(200);
    await eventsArrive(events, 1);
    expect((await get(`${url}/audited`)).status).toBe(200);
    await eventsArrive(events, 3);
    await ticks(20);
    expect(
      events.map((e) => [e.renderMessage().replace(/ in .*/, ''), e.level, e.properties.StatusCode, e.exception?.message]),
    ).toEqual([
      ['HTTP GET /sync responded 200', 'error', 200, 'failed after send'],
      ['HTTP GET /audited responded 200', 'information', 200, undefined],
      ['HTTP GET /audited failed after its response completed', 'error', undefined, 'audit write failed'],
    ]);
  });

  it('writes one completion event when the same plugin is registered twice', async () => {
    const { log, events } = memoryLogger();
    const plugin = fastifyRequestLogging(log);
    const app = Fastify();
    await app.register(plugin);
    await app.register(plugin);
    app.get('/orders/:id', async () => 'ok');
    await app.listen({ port: 0, host: '127.0.0.1' });
    closers.push(
      () => app.close(),
      () => log.close({ strategy: 'immediate', timeoutMs: 0 }),
    );
    const { port } = app.server.address() as AddressInfo;
    expect((await get(`http://127.0.0.1:${port}/orders/7`, { 'x-request-id': 'once-2' })).status).toBe(200);
    await eventsArrive(events, 1);
    await ticks(20);
    expect(events.map((e) => [e.properties.RequestId, e.properties.RoutePattern])).toEqual([['once-2', '/orders/:id']]);
  });

  // Fastify answers these from its router, before any hook runs (its own logger writes nothing for
  // them either): a client could send requests that left no trace.
  it('logs a request Fastify answers before any hook runs (a malformed URL, a parameter past maxParamLength) once, with its status', async () => {
    const { url, events } = await fastifyApp();
    const port = Number(new URL(url).port);
    const statusLines: string[] = [];
    for (const path of ['/orders/%zz', `/orders/${'a'.repeat(150)}`, '/orders/7'])
      statusLines.push(
        (
          await exchangeRaw(port, `GET ${path} HTTP/1.1\r\nHost: x\r\nx-request-id: r-${path.length}\r\n\r\n`, (received) =>
            received.includes('}'),
          )
        ).split('\r\n')[0],
      );
    expect(statusLines).toEqual(['HTTP/1.1 400 Bad Request', 'HTTP/1.1 414 URI Too Long', 'HTTP/1.1 200 OK']);
    await eventsArrive(events, 3, (e) => e.properties.Elapsed !== undefined);
    await ticks(20);
    expect(
      completions(events).map((e) => [e.properties.RequestPath, e.properties.StatusCode, e.level, e.properties.RequestId]),
    ).toEqual([
      ['/orders/%zz', 400, 'warning', 'r-11'],
      [`/orders/${'a'.repeat(150)}`, 414, 'warning', 'r-158'],
      ['/orders/7', 200, 'information', 'r-9'],
    ]);
  });

  it('logs a request a hook added before the plugin answers or fails at once, with its status and error, and one it answers after an await not at all', async () => {
    for (const withLogger of [false, true]) {
      const { log, events } = memoryLogger();
      const app = Fastify({ forceCloseConnections: true, ...(withLogger ? { loggerInstance: fastifyLogger(log) } : {}) });
      app.addHook('onRequest', (request, reply, done) => {
        if (request.url === '/callback') void reply.code(401).send('no');
        else if (request.url === '/fails') done(new Error('session store down'));
        // Fastify's type asks for an Error; a hook may pass on any value.
        else if (request.url === '/fails-text') done('denied' as unknown as Error);
        else done();
      });
      app.addHook('onRequest', async (request, reply) => {
        if (request.url === '/later') await ticks(1);
        if (request.url !== '/ok') return reply.code(403).send('no');
      });
      const plugin = fastifyRequestLogging(log);
      await app.register(plugin);
      await app.register(plugin);
      const paths = ['/callback', '/fails', '/fails-text', '/at-once', '/later', '/ok'];
      for (const path of paths) app.get(path, async () => 'ok');
      await app.listen({ port: 0, host: '127.0.0.1' });
      closers.push(
        () => app.close(),
        () => log.close({ strategy: 'immediate', timeoutMs: 0 }),
      );
      const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      const echoed: unknown[] = [];
      for (const path of paths) echoed.push((await get(`${url}${path}`)).headers['x-request-id']);
      await eventsArrive(events, 5, (e) => e.properties.Elapsed !== undefined);
      await ticks(20);
      // A hook that failed at once: its error is the exception, with the route and the id echoed, as
      // when the hook comes after the plugin; Fastify's own report of the error is not written beside it.
      expect(
        completions(events).map((e) => [
          e.properties.RequestPath,
          e.properties.StatusCode,
          e.level,
          e.exception?.message,
          e.properties.RoutePattern,
        ]),
      ).toEqual([
        ['/callback', 401, 'warning', undefined, undefined],
        ['/fails', 500, 'error', 'session store down', '/fails'],
        ['/fails-text', 500, 'error', 'denied', '/fails-text'],
        ['/at-once', 403, 'warning', undefined, undefined],
        ['/ok', 200, 'information', undefined, '/ok'],
      ]);
      const [, fails, failsText] = completions(events);
      expect(echoed.slice(1, 3)).toEqual([fails.properties.RequestId, failsText.properties.RequestId]);
      expect(events.filter((e) => e.exception !== undefined)).toEqual([fails, failsText]);
    }
  });

  it('logs an upload the server timed out (requestTimeout) as the 408 Fastify answered, a warning, not as aborted by the client', async () => {
    const { log, events } = memoryLogger();
    // Given to Node when the server is made (with a short check interval) and to Fastify, which sets it again after.
    const app = Fastify({ requestTimeout: 150, http: { requestTimeout: 150, connectionsCheckingInterval: 20 } });
    await app.register(fastifyRequestLogging(log));
    app.post('/orders', async (request) => request.body);
    await app.listen({ port: 0, host: '127.0.0.1' });
    closers.push(
      () => app.close(),
      () => log.close({ strategy: 'immediate', timeoutMs: 0 }),
    );
    const answer = await exchangeRaw(
      (app.server.address() as AddressInfo).port,
      'POST /orders HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"sku":',
      () => false,
    );
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 408 Request Timeout');
    await eventsArrive(events, 1);
    await ticks(20);
    expect(
      events.map((e) => [
        e.renderMessage().split(' ').slice(0, 5).join(' '),
        e.level,
        e.properties.StatusCode,
        e.properties.Aborted,
        e.properties.RoutePattern,
        (e.exception as { code?: string } | undefined)?.code,
      ]),
    ).toEqual([['HTTP POST /orders responded 408', 'warning', 408, undefined, '/orders', 'ERR_HTTP_REQUEST_TIMEOUT']]);
  });

  it('logs an abandoned request once, as aborted', async () => {
    const { url, events, started } = await fastifyApp();
    await abandon(`${url}/slow`, started);
    await eventsArrive(events, 1);
    await ticks(20);
    expect(completions(events)).toHaveLength(1);
    expect(events[0].properties).toMatchObject({ Aborted: true, RequestPath: '/slow', RoutePattern: '/slow' });
  });

  // It was an error with a ResponseDestroyed exception: the stream's own error, the cause, was lost.
  it('logs a streamed body that fails mid-stream as failed with the stream’s error, as requestLogging logs a failed pipe', async () => {
    const { url, events } = await fastifyApp();
    await expect(fetch(`${url}/stream-fails`).then((response) => response.text())).rejects.toThrow();
    expect((await fetch(`${url}/stream-fails-first`)).status).toBe(500);
    // A client that leaves mid-body: Fastify destroys the stream without an error; still aborted.
    await new Promise<void>((resolve) => {
      const req = httpRequest(`${url}/stream-endless`, { agent: false }, (res) => res.once('data', () => req.destroy()));
      req.on('error', () => undefined);
      req.on('close', () => resolve());
      req.end();
    });
    await eventsArrive(events, 3);
    expect(
      events.map((e) => [e.properties.RequestPath, e.level, e.properties.Aborted, e.properties.StatusCode, e.exception?.message]),
    ).toEqual([
      ['/stream-fails', 'error', undefined, 200, 'disk gone'],
      ['/stream-fails-first', 'error', undefined, 500, 'no such file'],
      ['/stream-endless', 'warning', true, undefined, undefined],
    ]);
  });

  it('logs a response the handler destroys before it ends as an error with a ResponseDestroyed exception, not as aborted', async () => {
    const { url, events } = await fastifyApp();
    await expect(fetch(`${url}/cut`).then((response) => response.text())).rejects.toThrow();
    await eventsArrive(events, 1);
    expect(events.map((e) => [e.level, e.properties.Aborted, e.properties.StatusCode, e.exception?.name])).toEqual([
      ['error', undefined, 200, 'ResponseDestroyed'],
    ]);
  });

  it('logs a response the handler destroys before sending anything with StatusCode 500, not the 200 nobody received', async () => {
    const { url, events } = await fastifyApp();
    await expect(fetch(`${url}/cut-first`).then((response) => response.text())).rejects.toThrow();
    await eventsArrive(events, 1);
    expect(events.map((e) => [e.level, e.properties.StatusCode, e.exception?.name, e.renderMessage().split(' ')[4]])).toEqual([
      ['error', 500, 'ResponseDestroyed', '500'],
    ]);
  });

  // Node emits 'finish' of a response queued behind another on a pipelined connection from the
  // one before it, in that request's context: Fastify runs onResponse hooks from that 'finish', so
  // an app's onResponse hook logged with the previous request's RequestId, and what it set with
  // diagnosticContext went to that request (already written) instead of its own.
  it("runs the app's onResponse hooks of pipelined requests in their own request's context", async () => {
    const { log, events } = memoryLogger();
    const app = Fastify({ forceCloseConnections: true });
    await app.register(fastifyRequestLogging(log));
    app.addHook('onResponse', async (request) => {
      diagnosticContext.set('Answered', request.url);
      log.information('Answered {Url}', request.url);
    });
    app.get('/items/:id', async (request) => request.url);
    await app.listen({ port: 0, host: '127.0.0.1' });
    closers.push(() => app.close());
    const { port } = app.server.address() as AddressInfo;
    const requests = ['/items/1', '/items/2', '/items/3'].map(
      (path, i) => `GET ${path} HTTP/1.1\r\nHost: x\r\nX-Request-Id: item-${i + 1}\r\n\r\n`,
    );
    await exchangeRaw(port, requests.join(''), (received) => (received.match(/HTTP\/1\.1 200/g) ?? []).length === 3);
    await eventsArrive(events, 6);
    expect(
      events.filter((e) => e.properties.Elapsed === undefined).map((e) => [e.properties.Url, e.properties.RequestId]),
    ).toEqual([
      ['/items/1', 'item-1'],
      ['/items/2', 'item-2'],
      ['/items/3', 'item-3'],
    ]);
    expect(completions(events).map((e) => [e.properties.RequestId, e.properties.Answered])).toEqual([
      ['item-1', '/items/1'],
      ['item-2', '/items/2'],
      ['item-3', '/items/3'],
    ]);
  });
});

// A plugin made and registered for each app of a test suite, or of a server rebuilt by hot reload,
// on one logger that outlives them: once dropped, nothing of it stays (spec/node/fixtures/fastify-plugins-dropped.ts,
// 100 000 of them, with --expose-gc). Each plugin's requests were kept in a set of the module's
// that only grew (about 160 B a plugin, 15 MiB in all), and every request's lookup walked all of it.
describe('fastifyRequestLogging plugins made and dropped one after another', () => {
  it('leave nothing behind on the module or the logger', () => {
    const ran = spawnSync(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', path.join(__dirname, '..', 'fixtures', 'fastify-plugins-dropped.ts')],
      { cwd: path.resolve(__dirname, '../../..'), encoding: 'utf8', timeout: 60_000 },
    );
    expect(ran.stderr).toBe('');
    const { growthMiB } = JSON.parse(ran.stdout) as { growthMiB: number };
    expect(growthMiB).toBeLessThan(3);
  }, 70_000);
});

// Fastify's own way to test a route: app.inject (light-my-request), no socket. Its response emits
// 'finish' from its end(), before Node's stream reads writableFinished, then 'close' at once; every
// injected request used to be logged "aborted by the client", at warning, without its status. Run in
// a child process (spec/node/fixtures/fastify-inject.ts): light-my-request loads an ES-module-only
// dependency (cookie) that jest cannot require on Node 20.
describe('fastifyRequestLogging under app.inject', () => {
  it('writes each injected request with its status and level, route, RequestId and diagnostic properties', () => {
    const ran = spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', 'fixtures', 'fastify-inject.ts')], {
      cwd: path.resolve(__dirname, '../../..'),
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(ran.stderr).toBe('');
    const result = JSON.parse(ran.stdout) as {
      statuses: number[];
      echoed: unknown;
      rows: unknown[][];
      first: Record<string, unknown>;
      inside: unknown;
    };
    expect(result.statuses).toEqual([200, 404, 400, 201, 500]);
    expect(result.echoed).toBe('inj-1');
    expect(result.rows).toEqual([
      ['HTTP GET /orders/7 responded 200 in … ms', 'information', 200, null, null],
      ['HTTP GET /nope responded 404 in … ms', 'warning', 404, null, null],
      ['HTTP POST /orders responded 400 in … ms', 'warning', 400, null, "body must have required property 'sku'"],
      ['HTTP POST /orders responded 201 in … ms', 'information', 201, null, null],
      ['HTTP GET /boom responded 500 in … ms', 'error', 500, null, 'injected handler exploded'],
    ]);
    expect(result.first).toMatchObject({ RequestId: 'inj-1', RoutePattern: '/orders/:id', OrderId: '7' });
    expect(result.inside).toBe('inj-1');
  });
});
