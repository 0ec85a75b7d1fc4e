import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough, Readable } from 'node:stream';
import Fastify, { type FastifyInstance, type FastifyServerOptions, LogController } from 'fastify';
import { ConfigurationError } from '../../../lib/core/errors/configuration-error';
import type { LogEvent } from '../../../lib/core/log-event';
import { LevelSwitch } from '../../../lib/core/level-switch';
import { SelfLog } from '../../../lib/core/self-log';
import { LoggerConfiguration } from '../../../lib/configuration/logger-configuration';
import {
  type FastifyChildLoggerOptions,
  type FastifyLogFn,
  type FastifyLogger,
  fastifyLogger,
} from '../../../lib/node/http/fastify-logger';
import { fastifyRequestLogging } from '../../../lib/node/http/fastify-request-logging';
import { MemorySink } from '../../../lib/sinks/memory-sink';
import { eventsArrive, exchangeRaw, get, memoryLogger, signal } from '../../helpers/node-http';

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function listening(app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  closers.push(() => app.close());
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

/** `app` with GET /audit: answers `ok`, then its handler throws a moment later, after the reply was sent. */
function withAuditRoute(app: FastifyInstance): FastifyInstance {
  app.get('/audit', async (_request, reply) => {
    await reply.send('ok');
    await new Promise((resolve) => setTimeout(resolve, 5));
    throw new Error('audit write failed');
  });
  return app;
}

const text = (events: LogEvent[]): string[] => events.map((e) => `${e.level} ${e.renderMessage()}`);
const completions = (events: LogEvent[]): LogEvent[] => events.filter((e) => e.properties.Elapsed !== undefined);
const named = (events: LogEvent[], message: string): LogEvent[] => events.filter((e) => e.messageTemplate.text === message);

describe('fastifyLogger', () => {
  describe('as the loggerInstance of a Fastify 5 app', () => {
    it("writes Fastify's incoming request and request completed lines with the request's id as RequestId, the path without its query", async () => {
      const { log, events } = memoryLogger();
      const app = Fastify({ loggerInstance: fastifyLogger(log) });
      app.get('/orders/:id', async () => ({ ok: true }));
      const url = await listening(app);

      await get(`${url}/orders/7?token=secret`);
      await eventsArrive(events, 1, (e) => e.messageTemplate.text === 'request completed');

      const [incoming] = named(events, 'incoming request');
      expect(incoming?.level).toBe('information');
      expect(incoming?.properties).toEqual({ RequestId: 'req-1', req: { method: 'GET', path: '/orders/7' } });
      const [completed] = named(events, 'request completed');
      expect(completed?.level).toBe('information');
      expect(completed?.properties).toMatchObject({ RequestId: 'req-1', res: { statusCode: 200 } });
      expect(typeof completed?.properties.responseTime).toBe('number');
      expect(JSON.stringify(events.map((e) => e.properties))).not.toContain('secret');
    });

    // The plugin's RequestPath left out what follows a ';' in such an app, but fastifyLogger's req
    // serializer wrote it: Fastify's incoming request line and a child bound to the request
    // carried /orders;token=secret.
    it("writes the path without the query an app with useSemicolonDelimiter reads after a semicolon, on Fastify's lines and a child's req", async () => {
      const { log, events } = memoryLogger();
      // Fastify 5 reads the option under routerOptions; its types do not list it there yet.
      const options = { loggerInstance: fastifyLogger(log), routerOptions: { useSemicolonDelimiter: true } };
      const app = Fastify(options as FastifyServerOptions & { loggerInstance: FastifyLogger });
      app.get('/orders', async (request) => {
        request.log.child({ req: request }).info('Listing orders');
        return { ok: true };
      });
      const url = await listening(app);

      expect((await get(`${url}/orders;token=secret`)).status).toBe(200);
      await eventsArrive(events, 1, (e) => e.messageTemplate.text === 'request completed');

      const paths = events.flatMap((e) => (e.properties.req === undefined ? [] : [e.properties.req]));
      expect(paths).toEqual([
        { method: 'GET', path: '/orders' },
        { method: 'GET', path: '/orders' },
      ]);
      expect(JSON.stringify(events.map((e) => e.properties))).not.toContain('secret');
    });

    it('writes the error of an onResponse hook, which reaches no hook of a plugin, as an error event with its exception', async () => {
      const { log, events } = memoryLogger();
      const app = Fastify({ loggerInstance: fastifyLogger(log) });
      app.addHook('onResponse', async () => {
        throw new Error('metrics push failed');
      });
      app.get('/', async () => 'ok');
      const url = await listening(app);

      expect((await get(url)).status).toBe(200);
      await eventsArrive(events, 1, (e) => e.exception !== undefined);

      const [errored] = events.filter((e) => e.exception !== undefined);
      expect(errored?.level).toBe('error');
      expect(errored?.renderMessage()).toBe('request errored');
      expect(errored?.exception?.message).toBe('metrics push failed');
      expect(errored?.properties).toMatchObject({ RequestId: 'req-1', res: { statusCode: 200 } });
    });

    it("writes a handler's error after reply.send(), which Fastify reports only to its logger", async () => {
      const { log, events } = memoryLogger();
      const app = Fastify({ loggerInstance: fastifyLogger(log) });
      const url = await listening(withAuditRoute(app));

      await get(`${url}/audit`);
      await eventsArrive(events, 1, (e) => e.exception !== undefined);

      const [reported] = events.filter((e) => e.exception !== undefined);
      expect([reported?.level, reported?.renderMessage(), reported?.exception?.message]).toEqual([
        'error',
        'Promise errored, but reply.sent = true was set',
        'audit write failed',
      ]);
      expect(reported?.properties.RequestId).toBe('req-1');
    });

    it("writes the 404 of an unknown route as Fastify's lines, at information", async () => {
      const { log, events } = memoryLogger();
      const app = Fastify({ loggerInstance: fastifyLogger(log) });
      const url = await listening(app);

      expect((await get(`${url}/missing`)).status).toBe(404);
      await eventsArrive(events, 1, (e) => e.messageTemplate.text === 'request completed');

      expect(text(events.filter((e) => e.properties.RequestId === 'req-1'))).toEqual([
        'information incoming request',
        'information Route GET:/missing not found',
        'information request completed',
      ]);
      expect(named(events, 'request completed')[0]?.properties.res).toEqual({ statusCode: 404 });
    });

    it("writes a thrown handler's error as Fastify's error handler reports it, with the error as the exception", async () => {
      const { log, events } = memoryLogger();
      const app = Fastify({ loggerInstance: fastifyLogger(log) });
      app.get('/boom', async () => {
        throw new Error('handler exploded {not a hole}');
      });
      const url = await listening(app);

      expect((await get(`${url}/boom`)).status).toBe(500);
      await eventsArrive(events, 1, (e) => e.messageTemplate.text === 'request completed');

      const [reported] = events.filter((e) => e.exception !== undefined);
      expect(reported?.level).toBe('error');
      expect(reported?.renderMessage()).toBe('handler exploded {not a hole}');
      expect(reported?.exception?.message).toBe('handler exploded {not a hole}');
      expect(reported?.properties).toMatchObject({
        RequestId: 'req-1',
        req: { method: 'GET', path: '/boom' },
        res: { statusCode: 500 },
      });
    });

    it("gives request.log's children their bindings, and a route's logLevel its threshold", async () => {
      const { log, events } = memoryLogger();
      const app = Fastify({ loggerInstance: fastifyLogger(log) });
      app.get('/orders/:id', async (request) => {
        request.log.child({ orderId: 7 }).info({ sku: 'A-1' }, 'Loaded order');
        return 'ok';
      });
      app.get('/quiet', { logLevel: 'warn' }, async (request) => {
        request.log.info('not written');
        request.log.warn('written');
        return 'ok';
      });
      const url = await listening(app);

      await get(`${url}/orders/7`);
      await get(`${url}/quiet`);
      await eventsArrive(events, 1, (e) => e.messageTemplate.text === 'written');

      expect(named(events, 'Loaded order')[0]?.properties).toEqual({ RequestId: 'req-1', orderId: 7, sku: 'A-1' });
      expect(text(events.filter((e) => e.properties.RequestId === 'req-2'))).toEqual(['warning written']);
    });

    it("applies a route's logSerializers to what request.log writes and to its children's bindings, as pino does", async () => {
      const { log, events } = memoryLogger();
      const app = Fastify({ loggerInstance: fastifyLogger(log) });
      const user = (value: unknown) => ({ id: (value as { id?: unknown }).id });
      app.get('/me', { logSerializers: { user } }, async (request) => {
        request.log.info({ user: { id: 1, password: 'p-1' } }, 'Signed in');
        request.log.child({ user: { id: 2, password: 'p-2' } }).info('Acting as');
        return 'ok';
      });
      const url = await listening(app);

      await get(`${url}/me`);
      await eventsArrive(events, 1, (e) => e.messageTemplate.text === 'request completed');

      expect(named(events, 'Signed in')[0]?.properties.user).toEqual({ id: 1 });
      expect(named(events, 'Acting as')[0]?.properties.user).toEqual({ id: 2 });
      expect(JSON.stringify(events.map((e) => e.properties))).not.toContain('p-');
    });

    it('writes a request or a response given as the object of a call as pino does, under req and res, never their headers', async () => {
      const { log, events } = memoryLogger();
      const app = Fastify({ loggerInstance: fastifyLogger(log) });
      app.get('/orders', async (request, reply) => {
        request.log.info(request.raw, 'The raw request');
        request.log.info(request, "Fastify's request");
        reply.log.info(reply.raw, 'The raw response');
        return 'ok';
      });
      const url = await listening(app);

      await get(`${url}/orders?token=t-1`, { authorization: 'Bearer t-2', cookie: 'sid=t-3' });
      await eventsArrive(events, 1, (e) => e.messageTemplate.text === 'request completed');

      const req = { method: 'GET', path: '/orders' };
      expect(named(events, 'The raw request')[0]?.properties).toEqual({ RequestId: 'req-1', req });
      expect(named(events, "Fastify's request")[0]?.properties).toEqual({ RequestId: 'req-1', req });
      expect(named(events, 'The raw response')[0]?.properties).toEqual({ RequestId: 'req-1', res: { statusCode: 200 } });
      expect(JSON.stringify(events.map((e) => e.properties))).not.toContain('t-');
    });

    it("refuses a route's logLevel that is no pino level when the route is added, as Fastify does with pino", () => {
      const { log } = memoryLogger();
      const app = Fastify({ loggerInstance: fastifyLogger(log) });
      expect(() => app.get('/', { logLevel: 'information' as never }, async () => 'ok')).toThrow(/logLevel|valid logger level/);
    });

    it("writes none of Fastify's request lines under disableRequestLogging, and still what the app logs", async () => {
      const { log, events } = memoryLogger();
      const app = Fastify({ loggerInstance: fastifyLogger(log), disableRequestLogging: true });
      app.get('/', async (request) => {
        request.log.info('handled');
        return 'ok';
      });
      const url = await listening(app);

      await get(url);
      await eventsArrive(events, 1, (e) => e.messageTemplate.text === 'handled');
      await new Promise((resolve) => setImmediate(resolve));

      expect(text(events.filter((e) => e.properties.RequestId !== undefined))).toEqual(['information handled']);
    });
  });

  describe("the request's id, with and without fastifyRequestLogging", () => {
    // A 10 KB id with quotes, a backslash, a tab and latin1 bytes (a bidi override sent as UTF-8): Node passes it on.
    const hostile = `a"b\\c\t${'x'.repeat(10 * 1024)}\u00e2\u0080\u00ae`;
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

    async function idsOf(options: FastifyServerOptions, label: string | undefined, plugin: boolean, id?: string) {
      const { log, events } = memoryLogger();
      const app = Fastify({
        ...options,
        loggerInstance: fastifyLogger(log, label === undefined ? {} : { requestIdLogLabel: label }),
      });
      if (plugin) await app.register(fastifyRequestLogging(log));
      app.get('/id', async (request) => {
        request.log.child({ tenant: 't-1' }).info('Loading');
        return request.id;
      });
      const url = await listening(app);
      const { port } = app.server.address() as AddressInfo;
      const head = `GET /id HTTP/1.1\r\nHost: x\r\n${id === undefined ? '' : `x-request-id: ${id}\r\n`}Connection: close\r\n\r\n`;
      const answer = id === undefined ? '' : await exchangeRaw(port, head, () => false);
      const echoed =
        /\r\nx-request-id: ([^\r]*)/i.exec(answer)?.[1] ??
        (id === undefined ? (await get(`${url}/id`)).headers['x-request-id'] : undefined);
      await eventsArrive(events, 1, (e) => e.properties.Elapsed !== undefined || e.messageTemplate.text === 'request completed');
      await new Promise((resolve) => setImmediate(resolve));
      const requests = events.filter((e) => e.renderMessage() !== 'Server listening at ' + url);
      return {
        echoed,
        keys: [
          ...new Set(requests.flatMap((e) => Object.keys(e.properties)).filter((key) => /^(reqId|traceId|RequestId)$/.test(key))),
        ],
        ids: [...new Set(requests.map((e) => e.properties.RequestId ?? e.properties.traceId))],
      };
    }

    it("writes Fastify's id as RequestId without the plugin too: the default label, or the requestIdLogLabel it is given", async () => {
      expect(await idsOf({}, undefined, false)).toEqual({ echoed: undefined, keys: ['RequestId'], ids: ['req-1'] });
      const traceId = { logController: new LogController({ requestIdLogLabel: 'traceId' }) };
      expect(await idsOf(traceId, 'traceId', false)).toEqual({ echoed: undefined, keys: ['RequestId'], ids: ['req-1'] });
      // The label cannot be read from Fastify: without the option, it is a property of its own.
      expect(await idsOf(traceId, undefined, false)).toEqual({ echoed: undefined, keys: ['traceId'], ids: ['req-1'] });
      const withPlugin = await idsOf(traceId, 'traceId', true);
      expect(withPlugin.keys).toEqual(['RequestId']);
      expect(withPlugin.ids).toEqual([withPlugin.echoed]);
    });

    it("bounds a requestIdHeader's raw id as requestLogging does: one id per request, with the plugin the one echoed", async () => {
      const options = { requestIdHeader: 'x-request-id' };
      const alone = await idsOf(options, undefined, false, hostile);
      expect(alone.keys).toEqual(['RequestId']);
      expect(alone.ids).toEqual([expect.stringMatching(uuid)]);
      const withPlugin = await idsOf(options, undefined, true, hostile);
      expect(withPlugin.echoed).toMatch(uuid);
      expect(withPlugin).toEqual({ echoed: withPlugin.echoed, keys: ['RequestId'], ids: [withPlugin.echoed] });
      expect(await idsOf(options, undefined, true, 'corr-3')).toEqual({ echoed: 'corr-3', keys: ['RequestId'], ids: ['corr-3'] });
    });
  });

  describe("pino's customLevels and formatters", () => {
    it('gives each custom level a method, a name for level and logLevel, the rxlog level of its value, and its name as PinoLevel', async () => {
      const { log, events } = memoryLogger();
      const app = Fastify({ loggerInstance: fastifyLogger(log, { customLevels: { audit: 35, notice: 25 } }) });
      // Fastify types a route's logLevel as one of pino's own names, with pino's custom levels too.
      app.get('/audited', { logLevel: 'audit' as 'info' }, async (request) => {
        request.log.info('not written');
        request.log.audit({ userId: 7 }, 'Signed in');
        (request.log.child({ tenant: 't-1' }) as typeof request.log).notice('not written either');
        return 'ok';
      });
      const url = await listening(app as unknown as FastifyInstance);
      app.log.notice('Started');

      await get(`${url}/audited`);
      await eventsArrive(events, 1, (e) => e.messageTemplate.text === 'Signed in');

      expect(text(events.filter((e) => e.properties.RequestId !== undefined))).toEqual(['information Signed in']);
      // pino writes only the value (35); the name, which the rxlog level does not keep, is PinoLevel.
      expect(named(events, 'Signed in')[0]?.properties).toEqual({ RequestId: 'req-1', PinoLevel: 'audit', userId: 7 });
      expect(text(named(events, 'Started'))).toEqual(['debug Started']);
      expect(named(events, 'Started')[0]?.properties).toEqual({ PinoLevel: 'notice' });
      // A field of the app's own under that name is the app's.
      app.log.notice({ PinoLevel: 'mine' }, 'Own field');
      expect(named(events, 'Own field')[0]?.properties).toEqual({ PinoLevel: 'mine' });
      const logger = fastifyLogger(log, { customLevels: { audit: 35 } });
      type PinoLike = FastifyLogger & { isLevelEnabled(level: string): boolean; levels: { values: Record<string, number> } };
      const child = logger.child({}, { level: 'audit' }) as PinoLike;
      expect([
        child.level,
        child.isLevelEnabled('audit'),
        child.isLevelEnabled('info'),
        (logger as unknown as PinoLike).levels.values.audit,
      ]).toEqual(['audit', true, false, 35]);
    });

    it("gives a child's customLevels to it and its children, as pino does for a plugin's child", () => {
      const memory = new MemorySink();
      const logger = fastifyLogger(new LoggerConfiguration().minimumLevel.verbose().writeTo.sink(memory).createLogger());
      const security = logger.child({ plugin: 'guard' }, { customLevels: { security: 45 } }) as FastifyLogger & {
        security: FastifyLogFn;
      };
      security.security('Blocked %s', '10.0.0.1');
      (security.child({ rule: 3 }) as FastifyLogger & { security: FastifyLogFn }).security('Blocked again');
      expect(memory.events.map((e) => [e.level, e.renderMessage(), e.properties])).toEqual([
        ['warning', 'Blocked 10.0.0.1', { plugin: 'guard', PinoLevel: 'security' }],
        ['warning', 'Blocked again', { plugin: 'guard', rule: 3, PinoLevel: 'security' }],
      ]);
      expect((logger as FastifyLogger & { security?: unknown }).security).toBeUndefined();
    });

    it('refuses custom levels that take a level or a method, useOnlyCustomLevels and unknown options, naming them', () => {
      const { log } = memoryLogger();
      expect(() => fastifyLogger(log, { customLevels: { info: 35 } })).toThrow(
        /fastifyLogger customLevels info: expected a pino value no level has/,
      );
      expect(() => fastifyLogger(log, { customLevels: { audit: 30 } })).toThrow(/customLevels audit/);
      expect(() => fastifyLogger(log, { customLevels: { child: 35 } })).toThrow(/customLevels child/);
      expect(() => fastifyLogger(log).child({}, { customLevels: { flush: 35 } })).toThrow(/child customLevels flush/);
      expect(() => fastifyLogger(log, { customLevels: { audit: 35 }, useOnlyCustomLevels: true } as never)).toThrow(
        /fastifyLogger useOnlyCustomLevels: expected false \(Fastify logs at pino's own levels\), got boolean true/,
      );
      expect(() => fastifyLogger(log, { formatters: {} } as never)).toThrow(/fastifyLogger: unknown option "formatters"/);
      expect(() => fastifyLogger(log, { requestIdLogLabel: '' })).toThrow(ConfigurationError);
    });

    it("applies a child's log formatter to every call of it and its children, and its bindings formatter to its bindings", () => {
      const memory = new MemorySink();
      const logger = fastifyLogger(new LoggerConfiguration().minimumLevel.verbose().writeTo.sink(memory).createLogger());
      const child = logger.child(
        { tenant: 't-1', secret: 's-1' },
        {
          formatters: {
            bindings: (bindings: object) => Object.fromEntries(Object.entries(bindings).filter(([key]) => key !== 'secret')),
            log: (object: object) => ({ ...object, service: 'orders' }),
          },
        },
      );
      child.info({ orderId: 7 }, 'Loaded');
      child.child({ step: 2 }).error(new Error('failed'));
      logger.info('Unformatted');
      expect(memory.events.map((e) => [e.renderMessage(), e.properties, e.exception?.message])).toEqual([
        ['Loaded', { tenant: 't-1', orderId: 7, service: 'orders' }, undefined],
        ['failed', { tenant: 't-1', step: 2, service: 'orders' }, 'failed'],
        ['Unformatted', {}, undefined],
      ]);
      expect(() => logger.child({}, { formatters: { level: () => ({}) } } as never)).toThrow(
        /fastifyLogger child formatters.level: expected none/,
      );
    });
  });

  describe('with fastifyRequestLogging on the same app', () => {
    async function bothApp() {
      const { log, events } = memoryLogger();
      const app = Fastify({ loggerInstance: fastifyLogger(log) });
      await app.register(fastifyRequestLogging(log));
      return { app, log, events };
    }

    it("leaves out Fastify's incoming request and request completed lines: one completion event per request", async () => {
      const { app, events } = await bothApp();
      app.get('/orders/:id', async (request) => {
        request.log.info('Loading');
        return 'ok';
      });
      const url = await listening(app);

      await get(`${url}/orders/7`, { 'x-request-id': 'r-1' });
      await eventsArrive(events, 1, (e) => e.properties.Elapsed !== undefined);
      await new Promise((resolve) => setImmediate(resolve));

      expect(events.filter((e) => e.properties.RequestId === 'r-1').map((e) => e.messageTemplate.text)).toEqual([
        'Loading',
        'HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed:0.0000} ms',
      ]);
      expect(named(events, 'Loading')[0]?.properties).toEqual({ RequestId: 'r-1' });
    });

    it("leaves out Fastify's lines of a streamed reply cut after its head, which the completion event says: aborted, or the stream's error", async () => {
      const { app, events } = await bothApp();
      const feedClosed = signal();
      app.get('/feed', async (_request, reply) => {
        const feed = new PassThrough();
        feed.on('close', feedClosed.resolve);
        feed.write('data: 1\n\n');
        return reply.header('content-type', 'text/event-stream').send(feed);
      });
      app.get('/export', async (_request, reply) => {
        let rows = 0;
        const failing = new Readable({
          read() {
            if (rows++ === 0) this.push('row 1\n');
            else setImmediate(() => this.destroy(new Error('disk read failed')));
          },
        });
        return reply.send(failing);
      });
      const url = await listening(app);
      // Reads until the body's first bytes arrive, then leaves (`leave`) or waits for the cut.
      const read = (path: string, leave: boolean) =>
        new Promise<void>((resolve) => {
          const req = httpRequest(`${url}${path}`, { agent: false }, (res) => {
            res.once('data', () => (leave ? req.destroy() : undefined));
            res.on('error', () => undefined);
            res.on('close', () => resolve());
          });
          req.on('error', () => resolve());
          req.end();
        });

      await read('/feed', true);
      await read('/export', false);
      await eventsArrive(events, 2, (e) => e.properties.Elapsed !== undefined);
      await feedClosed.promise;
      for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));

      expect(
        text(events.filter((e) => e.properties.RequestId !== undefined)).map((line) => line.replace(/[\d.]+ ms$/, 'ms')),
      ).toEqual(['warning HTTP GET /feed aborted by the client after ms', 'error HTTP GET /export responded 200 in ms']);
      expect(completions(events)[1]?.exception?.message).toBe('disk read failed');
    });

    it("writes Fastify's request id once, as RequestId, the plugin's: the default, a genReqId, a requestIdLogLabel", async () => {
      let count = 0;
      const setups: FastifyServerOptions[] = [
        {},
        { genReqId: () => `app-${++count}` },
        { logController: new LogController({ requestIdLogLabel: 'traceId' }) },
      ];
      for (const options of setups) {
        const { log, events } = memoryLogger();
        const app = Fastify({ ...options, loggerInstance: fastifyLogger(log) });
        await app.register(fastifyRequestLogging(log));
        app.get('/id', async (request) => {
          request.log.info('Loading');
          request.log.child({ tenant: 't-1' }).info('Loaded');
          return request.id;
        });
        const url = await listening(app);

        const answer = await get(`${url}/id`);
        expect((await get(`${url}/missing`)).status).toBe(404);
        await eventsArrive(events, 2, (e) => e.properties.Elapsed !== undefined);

        expect(answer.headers['x-request-id']).toBe(answer.body);
        expect(events.flatMap((e) => Object.keys(e.properties)).filter((key) => key === 'reqId' || key === 'traceId')).toEqual(
          [],
        );
        expect(events.filter((e) => e.properties.RequestId === answer.body).map((e) => e.renderMessage().split(' ')[0])).toEqual([
          'Loading',
          'Loaded',
          'HTTP',
        ]);
        const missing = events.filter((e) => e.properties.RequestId !== undefined && e.properties.RequestId !== answer.body);
        expect(missing.map((e) => e.renderMessage().split(' ').slice(0, 2).join(' '))).toEqual([
          'Route GET:/missing',
          'HTTP GET',
        ]);
        expect(new Set(missing.map((e) => e.properties.RequestId)).size).toBe(1);
      }
      expect(count).toBe(2);
    });

    it("puts a thrown handler's error on the completion event only, not beside it in Fastify's report (5xx and 4xx)", async () => {
      const { app, events } = await bothApp();
      app.get('/boom', async () => {
        throw new Error('handler exploded');
      });
      app.get('/invalid', async () => {
        throw Object.assign(new Error('unknown sku'), { statusCode: 422 });
      });
      const url = await listening(app);

      await get(`${url}/boom`);
      await get(`${url}/invalid`);
      await eventsArrive(events, 2, (e) => e.properties.Elapsed !== undefined);
      await new Promise((resolve) => setImmediate(resolve));

      expect(
        events.filter((e) => e.exception !== undefined).map((e) => [e.level, e.renderMessage(), e.exception?.message]),
      ).toEqual([
        ['error', expect.stringMatching(/^HTTP GET \/boom responded 500 in/), 'handler exploded'],
        ['warning', expect.stringMatching(/^HTTP GET \/invalid responded 422 in/), 'unknown sku'],
      ]);
      expect(events.filter((e) => e.properties.reqId !== undefined)).toEqual([]);
    });

    it("writes a handler's error after reply.send() once, as the plugin does, not again as Fastify's report", async () => {
      const { app, events } = await bothApp();
      const url = await listening(withAuditRoute(app));

      await get(`${url}/audit`);
      await eventsArrive(events, 1, (e) => e.exception !== undefined);
      await new Promise((resolve) => setTimeout(resolve, 20));

      expect(events.filter((e) => e.exception !== undefined).map((e) => [e.messageTemplate.text, e.exception?.message])).toEqual([
        ['HTTP {RequestMethod} {RequestPath} failed after its response completed', 'audit write failed'],
      ]);
    });

    it("writes the app's own error lines as they are, and leaves its completion event alone", async () => {
      const { app, events } = await bothApp();
      app.get('/pay', async (request) => {
        request.log.error({ err: new Error('card declined') }, 'payment failed');
        return 'retry later';
      });
      const url = await listening(app);

      await get(`${url}/pay`, { 'x-request-id': 'r-pay' });
      await eventsArrive(events, 1, (e) => e.properties.Elapsed !== undefined);

      expect(
        events
          .filter((e) => e.properties.RequestId === 'r-pay')
          .map((e) => [e.level, e.messageTemplate.text, e.exception?.message]),
      ).toEqual([
        ['error', 'payment failed', 'card declined'],
        ['information', 'HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed:0.0000} ms', undefined],
      ]);
    });

    it("writes a 404's completion event and Fastify's route not found line, without Fastify's request lines", async () => {
      const { app, events } = await bothApp();
      const url = await listening(app);

      await get(`${url}/missing`);
      await eventsArrive(events, 1, (e) => e.properties.Elapsed !== undefined);
      await new Promise((resolve) => setImmediate(resolve));

      const ofRequest = events.filter((e) => e.properties.RequestId !== undefined);
      expect(ofRequest.map((e) => [e.level, e.renderMessage()])).toEqual([
        ['information', 'Route GET:/missing not found'],
        ['warning', expect.stringMatching(/^HTTP GET \/missing responded 404 in/)],
      ]);
    });

    it("puts an onResponse hook's error on the request's events: the completion event when it throws at once, its own event after it", async () => {
      const { app, events } = await bothApp();
      app.addHook('onResponse', (request, _reply, done) => {
        if (request.url === '/sync') throw new Error('sync onResponse failed');
        setImmediate(() => done(request.url === '/async' ? new Error('async onResponse failed') : undefined));
      });
      app.get('/sync', async () => 'ok');
      app.get('/async', async () => 'ok');
      const url = await listening(app);

      await get(`${url}/sync`, { 'x-request-id': 'r-sync' });
      await get(`${url}/async`, { 'x-request-id': 'r-async' });
      await eventsArrive(events, 1, (e) => e.exception?.message === 'async onResponse failed');

      const sync = events.filter((e) => e.properties.RequestId === 'r-sync');
      expect(sync).toHaveLength(1);
      expect(sync[0]?.level).toBe('error');
      expect(sync[0]?.properties.StatusCode).toBe(200);
      expect(sync[0]?.exception?.message).toBe('sync onResponse failed');
      const late = events.filter((e) => e.properties.RequestId === 'r-async');
      expect(late.map((e) => e.renderMessage())).toEqual([
        expect.stringMatching(/^HTTP GET \/async responded 200 in/),
        'HTTP GET /async failed after its response completed',
      ]);
      expect(late[1]?.exception?.message).toBe('async onResponse failed');
    });

    it("writes an onResponse hook's error beside the completion event that already carries the handler's", async () => {
      const { app, events } = await bothApp();
      app.addHook('onResponse', () => {
        throw new Error('onResponse failed too');
      });
      app.get('/boom', async () => {
        throw new Error('handler exploded');
      });
      const url = await listening(app);

      await get(`${url}/boom`);
      await eventsArrive(events, 2, (e) => e.exception !== undefined);

      expect(events.filter((e) => e.exception !== undefined).map((e) => [e.renderMessage(), e.exception?.message])).toEqual([
        ['request errored', 'onResponse failed too'],
        [expect.stringMatching(/^HTTP GET \/boom responded 500/), 'handler exploded'],
      ]);
    });

    it("cannot see a hook's error after the hook sent the reply (onRequest, preValidation, preHandler): Fastify drops it before any logger", async () => {
      const { app, events } = await bothApp();
      app.addHook('onRequest', async (request, reply) => {
        if (request.url !== '/on-request') return;
        await reply.send('early');
        throw new Error('onRequest failed after sending');
      });
      app.addHook('preHandler', (request, reply, done) => {
        if (request.url !== '/pre-handler') return done();
        void reply.send('early');
        done(new Error('preHandler failed after sending'));
      });
      app.get('/on-request', async () => 'late');
      app.get('/pre-handler', async () => 'late');
      app.get(
        '/pre-validation',
        {
          preValidation: (_request, reply, _done) => {
            void reply.send('early');
            throw new Error('preValidation failed after sending');
          },
        },
        async () => 'late',
      );
      const url = await listening(app);

      expect((await get(`${url}/on-request`)).body).toBe('early');
      expect((await get(`${url}/pre-handler`)).body).toBe('early');
      expect((await get(`${url}/pre-validation`)).body).toBe('early');
      await eventsArrive(events, 3, (e) => e.properties.Elapsed !== undefined);
      await new Promise((resolve) => setTimeout(resolve, 20));

      expect(completions(events).map((e) => [e.level, e.properties.StatusCode])).toEqual([
        ['information', 200],
        ['information', 200],
        ['information', 200],
      ]);
      expect(events.filter((e) => e.exception !== undefined)).toEqual([]);
    });
  });

  describe('calls as pino takes them', () => {
    function adapter(level: 'verbose' | 'information' = 'verbose') {
      const memory = new MemorySink();
      const log = new LoggerConfiguration().minimumLevel.is(level).writeTo.sink(memory).createLogger();
      return { logger: fastifyLogger(log), log, events: memory.events };
    }

    it("maps pino's levels onto rxlog's", () => {
      const { logger, events } = adapter();
      logger.trace('t');
      logger.debug('d');
      logger.info('i');
      logger.warn('w');
      logger.error('e');
      logger.fatal('f');
      logger.silent('s');
      expect(text(events)).toEqual(['verbose t', 'debug d', 'information i', 'warning w', 'error e', 'fatal f']);
    });

    it('reads a message with values, an object and a message, an Error first, and err in an object', () => {
      const { logger, events } = adapter();
      const error = new Error('disk full');
      logger.info('user %s has %d items, %j; 100%%', 'ann', 3, { a: 1 });
      logger.info({ orderId: 7 }, 'order {OrderId}');
      logger.error(error);
      logger.error(error, 'write failed');
      logger.warn({ err: error, path: '/tmp' });
      logger.info({ msg: 'from the object' });
      expect(events.map((e) => [e.level, e.renderMessage(), e.properties, e.exception?.message])).toEqual([
        ['information', 'user ann has 3 items, {"a":1}; 100%', {}, undefined],
        ['information', 'order {OrderId}', { orderId: 7 }, undefined],
        ['error', 'disk full', {}, 'disk full'],
        ['error', 'write failed', {}, 'disk full'],
        ['warning', 'disk full', { path: '/tmp' }, 'disk full'],
        ['information', 'from the object', {}, undefined],
      ]);
    });

    it('writes %j, %o and a message that is an object as pino does: circular references marked, strings quoted, functions by name', () => {
      const { logger, events } = adapter();
      const circular: Record<string, unknown> = { a: 1 };
      circular.self = circular;
      logger.info('state %j', circular);
      logger.info('name %o, handler %o, %d left, %i rounded', 'ann', function onReady() {}, null, -1.5);
      logger.info({ a: 1 }, { b: 2 } as unknown as string);
      // The same calls to pino 10 write these messages.
      expect(events.map((e) => e.renderMessage())).toEqual([
        'state {"a":1,"self":"[Circular]"}',
        "name 'ann', handler onReady, %d left, -2 rounded",
        '{"b":2}',
      ]);
    });

    it("puts a child's msgPrefix, after its parents', before the messages it is given, as pino does", () => {
      const { logger, events } = adapter();
      const db = logger.child({}, { msgPrefix: '[db] ' }).child({ q: 1 }, { msgPrefix: '[query] ' });
      db.info('took %d ms', 5);
      db.info({ rows: 2 }, 'read');
      db.error(new Error('lost'), 'failed');
      db.info({ msg: 'from the object' });
      db.error(new Error('lost'));
      expect(events.map((e) => e.renderMessage())).toEqual([
        '[db] [query] took 5 ms',
        '[db] [query] read',
        '[db] [query] failed',
        'from the object',
        'lost',
      ]);
    });

    it("answers pino's isLevelEnabled, bindings and flush, for code that calls request.log as a pino logger", async () => {
      type PinoCalls = {
        isLevelEnabled(level: string): boolean;
        bindings(): Record<string, unknown>;
        flush(callback?: (error?: Error) => void): void;
      };
      const { logger, events } = adapter('information');
      const root = logger as FastifyLogger & PinoCalls;
      const child = logger.child({ tenant: 't-1' }).child({ user: 7 }, { level: 'warn' }) as FastifyLogger & PinoCalls;
      expect(['debug', 'info', 'warn', 'silent', 'loud'].map((level) => root.isLevelEnabled(level))).toEqual([
        false,
        true,
        true,
        false,
        false,
      ]);
      expect(['info', 'warn'].map((level) => child.isLevelEnabled(level))).toEqual([false, true]);
      expect(child.bindings()).toEqual({ tenant: 't-1', user: 7 });
      expect(root.bindings()).toEqual({});
      child.warn('before the flush');
      await new Promise<void>((resolve, reject) => child.flush((error) => (error === undefined ? resolve() : reject(error))));
      expect(text(events)).toEqual(['warning before the flush']);
    });

    it("reports the rxlog logger's level until one is set, then that one; refuses an unknown name", () => {
      const levels = new LevelSwitch('information');
      const memory = new MemorySink();
      const logger = fastifyLogger(
        new LoggerConfiguration().minimumLevel.controlledBy(levels).writeTo.sink(memory).createLogger(),
      );
      expect(logger.level).toBe('info');
      levels.level = 'debug';
      expect(logger.level).toBe('debug');
      const child = logger.child({ reqId: 'req-1' }, { level: 'error' });
      expect(child.level).toBe('error');
      // A level set below the logger's minimum level writes no more than it.
      expect(logger.child({}, { level: 'trace' }).level).toBe('debug');
      child.warn('not written');
      child.error('written');
      logger.level = 'silent';
      logger.fatal('not written either');
      expect(memory.events.map((e) => e.renderMessage())).toEqual(['written']);
      expect(() => (logger.level = 'information')).toThrow(ConfigurationError);
      expect(() => logger.child({}, { level: 'loud' })).toThrow(/fastifyLogger child level: expected a pino level name/);
    });

    it("refuses a child's pino redact paths, which it would ignore, writing the secrets they name", () => {
      const { logger } = adapter();
      const options = { redact: ['card.number'] } as FastifyChildLoggerOptions;
      expect(() => logger.child({}, options)).toThrow(ConfigurationError);
      expect(() => logger.child({}, options)).toThrow(/fastifyLogger child redact: .*\.destructure\.redact/);
    });

    it('never throws into Fastify: a serializer or value that throws is written with its message, and told to SelfLog', () => {
      const { logger, events } = adapter();
      const reports: string[] = [];
      SelfLog.enable((message) => reports.push(message));
      try {
        const child = logger.child(
          {},
          {
            serializers: {
              user: () => {
                throw new Error('serializer broke');
              },
            },
          },
        );
        child.info({ user: 1 }, 'signed in');
        child.info('state %j', {
          get broken(): never {
            throw new Error('getter broke');
          },
        });
      } finally {
        SelfLog.disable();
      }
      expect(text(events)).toEqual(['information signed in', 'information state {"broken":"[Throws: getter broke]"}']);
      expect(reports.join('\n')).toContain('fastifyLogger');
    });

    it('counts a call to a closed logger as rejected after close', async () => {
      const { logger, log } = adapter();
      await log.close();
      logger.error('too late');
      expect(log.metrics().rejectedAfterClose).toBe(1);
      expect(logger.level).toBe('silent');
    });

    it('refuses what is not a logger when it is made', () => {
      expect(() => fastifyLogger(undefined as never)).toThrow(/fastifyLogger log: expected a logger, got undefined/);
    });
  });
});
