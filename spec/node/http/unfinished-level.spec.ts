import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify from 'fastify';
import type { LogLevelName } from '../../../lib/core/log-level';
import { fastifyRequestLogging } from '../../../lib/node/http/fastify-request-logging';
import { requestLogging } from '../../../lib/node/http/request-logging';
import type { RequestLoggingOptions, RequestOutcome } from '../../../lib/node/http/request-logging-options';
import { listen, memoryLogger, signal, within } from '../../helpers/node-http';
import { collectSelfLog } from '../../helpers/self-log';

// Real servers on 127.0.0.1 whose handler for /hang waits until released (in teardown at the
// latest) while the logger closes; /fast answers at once. Every wait is bounded (within: 5 s).

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Sends a request that stays open until the server answers or the test ends; resolves once it closed. */
function send(port: number, path: string): Promise<void> {
  const gone = signal();
  const req = httpRequest({ host: '127.0.0.1', port, path, agent: false }, (res) => res.resume());
  req.on('error', () => undefined);
  req.on('close', () => gone.resolve());
  req.end();
  cleanups.push(() => void req.destroy());
  return gone.promise;
}

/** A server of `framework` with request logging given `options`; `arrived` once /hang reached its handler. */
async function serve(framework: string, options: RequestLoggingOptions) {
  const { log, events } = memoryLogger();
  const arrived = signal();
  const release = signal();
  cleanups.push(() => release.resolve());
  const hang = async (): Promise<string> => {
    arrived.resolve();
    await release.promise;
    return 'late';
  };
  let port: number;
  if (framework === 'fastify') {
    const app = Fastify();
    await app.register(fastifyRequestLogging(log, options));
    app.get('/hang', hang);
    app.get('/fast', () => 'fast');
    await app.listen({ port: 0, host: '127.0.0.1' });
    cleanups.push(async () => {
      release.resolve();
      await app.close();
    });
    port = (app.server.address() as AddressInfo).port;
  } else {
    const logRequests = requestLogging(log, options);
    const answer = (path: string | undefined, end: (body: string) => void): void => {
      if (path === '/fast') end('fast');
      else void hang().then(end);
    };
    const server =
      framework === 'express'
        ? createServer(
            express()
              .use(logRequests)
              .get(['/hang', '/fast'], (req, res) => answer(req.path, (body) => res.send(body))),
          )
        : createServer((req, res) => logRequests(req, res, () => answer(req.url, (body) => res.end(body))));
    const served = await listen(server);
    cleanups.push(() => served.close());
    port = Number(new URL(served.url).port);
  }
  return { log, events, port, arrived: arrived.promise };
}

describe.each(['node', 'express', 'fastify'])(
  '%s request logging: the level option and a request unfinished at shutdown',
  (framework) => {
    it('asks it with unfinished: true, and writes the unfinished event at the level it answers', async () => {
      const outcomes: RequestOutcome[] = [];
      const level = (outcome: RequestOutcome): LogLevelName => {
        outcomes.push(outcome);
        return outcome.unfinished === true ? 'error' : 'information';
      };
      const app = await serve(framework, { level });
      await within('the fast answer', send(app.port, '/fast'));
      void send(app.port, '/hang');
      await within('the request reaching its handler', app.arrived);
      await within('log.close()', app.log.close());
      expect(app.events.map((e) => `${e.level} ${e.renderMessage().replace(/ [\d.]+ ms$/, ' … ms')}`)).toEqual([
        'information HTTP GET /fast responded 200 in … ms',
        'error HTTP GET /hang unfinished at shutdown after … ms',
      ]);
      expect(outcomes.map(({ statusCode, aborted, unfinished }) => ({ statusCode, aborted, unfinished }))).toEqual([
        { statusCode: 200, aborted: false, unfinished: undefined },
        { statusCode: 200, aborted: false, unfinished: true },
      ]);
      expect('unfinished' in outcomes[0]).toBe(false);
      expect(outcomes[1].elapsed).toBe(app.events[1].properties.Elapsed);
      expect(outcomes[1].req.url).toBe('/hang');
    });

    it('keeps the default warning when the level option throws for it, and tells SelfLog', async () => {
      const selfLog = collectSelfLog();
      cleanups.push(selfLog.stop);
      const app = await serve(framework, {
        level: ({ unfinished }) => {
          if (unfinished === true) throw new Error('no status yet');
          return 'information';
        },
      });
      void send(app.port, '/hang');
      await within('the request reaching its handler', app.arrived);
      await within('log.close()', app.log.close());
      expect(app.events.map((e) => e.level)).toEqual(['warning']);
      expect(app.events[0].properties.Unfinished).toBe(true);
      expect(selfLog.diagnostics.map((d) => d.template)).toContain('requestLogging.level threw; the default level is used');
    });
  },
);
