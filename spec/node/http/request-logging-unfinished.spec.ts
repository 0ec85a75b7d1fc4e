import { EventEmitter } from 'node:events';
import { type ClientRequest, createServer, type IncomingMessage, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import express from 'express';
import Fastify from 'fastify';
import type { LogEvent } from '../../../lib/core/log-event';
import { diagnosticContext } from '../../../lib/node/http/diagnostic-context';
import { fastifyRequestLogging } from '../../../lib/node/http/fastify-request-logging';
import {
  type InFlightRequest,
  inFlightRequests,
  MAX_IN_FLIGHT_FOLLOWED,
  writeUnfinishedRequests,
} from '../../../lib/node/http/in-flight-requests';
import { requestLogging } from '../../../lib/node/http/request-logging';
import { installProcessHooks } from '../../../lib/node/install-process-hooks';
import { LOGGER_PARTS } from '../../../lib/pipeline/logger-parts';
import { memoryLogger, signal, within } from '../../helpers/node-http';
import { collectSelfLog } from '../../helpers/self-log';

// Real servers on 127.0.0.1 whose handler never answers (or answers only its head) while the
// logger closes: `await log.close()`, or SIGTERM through installProcessHooks on a stand-in process.
// Every wait is bounded (within: 5 s); every server and client is torn down after each test.

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Listens on 127.0.0.1; torn down after the test, open connections destroyed. */
async function serve(server: Server): Promise<number> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  return (server.address() as AddressInfo).port;
}

/** Sends a request that stays open; `head` resolves with the response once its head arrives; `gone` once the request closed. */
function send(port: number, path: string, headers: Record<string, string> = {}) {
  const head = signal();
  const gone = signal();
  const req: ClientRequest = httpRequest({ host: '127.0.0.1', port, path, headers, agent: false }, (res: IncomingMessage) => {
    res.on('error', () => undefined);
    res.resume();
    head.resolve();
  });
  req.on('error', () => undefined);
  req.on('close', () => gone.resolve());
  req.end();
  cleanups.push(() => void req.destroy());
  return { head: head.promise, gone: gone.promise, cancel: () => req.destroy() };
}

const rendered = (events: readonly LogEvent[]): string[] =>
  events.map((e) => `${e.level} ${e.renderMessage().replace(/ \d+\.\d{4} ms$/, ' … ms')}`);

describe('requestLogging: a request in flight when the logger closes', () => {
  async function hangingNodeServer(answerHead = false) {
    const { log, events } = memoryLogger();
    const logRequests = requestLogging(log);
    const arrived = signal();
    const server = createServer((req, res) =>
      logRequests(req, res, () => {
        diagnosticContext.set('CartItems', 3);
        if (answerHead) res.writeHead(202).write('first,');
        if (req.url !== '/fast') arrived.resolve();
        else res.end('fast');
      }),
    );
    const port = await serve(server);
    return { log, events, arrived: arrived.promise, port };
  }

  it('gets one warning, unfinished at shutdown, with its request properties so far, when the app awaits log.close()', async () => {
    const app = await hangingNodeServer();
    const client = send(app.port, '/orders/7?token=secret', { 'x-request-id': 'req-unfinished' });
    await within('the request reaching its handler', app.arrived);
    await within('log.close()', app.log.close());
    expect(rendered(app.events)).toEqual(['warning HTTP GET /orders/7 unfinished at shutdown after … ms']);
    const [event] = app.events;
    expect(event.properties).toMatchObject({
      RequestId: 'req-unfinished',
      RequestMethod: 'GET',
      RequestPath: '/orders/7',
      Unfinished: true,
      CartItems: 3,
    });
    expect(typeof event.properties.Elapsed).toBe('number');
    expect(event.properties.StatusCode).toBeUndefined();
    expect(event.properties.Aborted).toBeUndefined();
    expect(event.messageTemplate.text).toBe(
      'HTTP {RequestMethod} {RequestPath} unfinished at shutdown after {Elapsed:0.0000} ms',
    );
    // Its client leaving afterwards writes nothing more: not even an attempt the closed logger refuses.
    client.cancel();
    await within('the client closing', client.gone);
    await new Promise((resolve) => setImmediate(resolve));
    expect(app.events).toHaveLength(1);
    expect(app.log.metrics().rejectedAfterClose).toBe(0);
  });

  it('carries the status its head went out with when the response had started (a stream)', async () => {
    const app = await hangingNodeServer(true);
    const client = send(app.port, '/stream');
    await within('the response head', client.head);
    await within('log.close()', app.log.close());
    expect(rendered(app.events)).toEqual(['warning HTTP GET /stream unfinished at shutdown after … ms']);
    expect([app.events[0].properties.StatusCode, app.events[0].properties.Unfinished]).toEqual([202, true]);
  });

  it('writes nothing more for a request that completed before the close', async () => {
    const app = await hangingNodeServer();
    const fast = send(app.port, '/fast');
    await within('the fast answer', fast.gone);
    await within('log.close()', app.log.close());
    expect(rendered(app.events)).toEqual([expect.stringMatching(/^information HTTP GET \/fast responded 200 in /)]);
  });
});

describe('requestLogging with Express 5: SIGTERM through installProcessHooks while a request is in flight', () => {
  it('writes the unfinished request before the hooks close the logger and exit', async () => {
    const { log, events } = memoryLogger();
    const arrived = signal();
    const app = express();
    app.use(requestLogging(log));
    app.get('/reports/:id', () => arrived.resolve());
    const port = await serve(createServer(app));
    const target = Object.assign(new EventEmitter(), { exit: jest.fn<void, [number?]>() });
    const reports: unknown[] = [];
    cleanups.push(installProcessHooks(log, { report: (report) => reports.push(report) }, target));
    send(port, '/reports/9');
    await within('the request reaching its handler', arrived.promise);
    const exited = new Promise<void>((resolve) => target.exit.mockImplementation(() => resolve()));
    target.emit('SIGTERM');
    await within('the exit after the close', exited);
    expect(target.exit).toHaveBeenCalledWith(143);
    expect(rendered(events)).toEqual(['warning HTTP GET /reports/9 unfinished at shutdown after … ms']);
    expect(events[0].properties).toMatchObject({ RoutePattern: '/reports/:id', Unfinished: true });
    // The hooks' close delivered it: nothing lost.
    expect(reports).toEqual([expect.objectContaining({ sinks: { memory: expect.objectContaining({ delivered: 1 }) } })]);
  });
});

describe('fastifyRequestLogging: a request in flight when the logger closes', () => {
  it('gets one warning, unfinished at shutdown, with its route pattern and Fastify request id', async () => {
    const { log, events } = memoryLogger();
    const arrived = signal();
    const release = signal();
    const app = Fastify();
    await app.register(fastifyRequestLogging(log));
    app.get('/jobs/:id', async () => {
      arrived.resolve();
      await release.promise;
      return 'late';
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    cleanups.push(async () => {
      release.resolve();
      await app.close();
    });
    const { port } = app.server.address() as AddressInfo;
    const client = send(port, '/jobs/3');
    await within('the request reaching its handler', arrived.promise);
    await within('log.close()', log.close());
    expect(rendered(events)).toEqual(['warning HTTP GET /jobs/3 unfinished at shutdown after … ms']);
    expect(events[0].properties).toMatchObject({ RoutePattern: '/jobs/:id', Unfinished: true });
    expect(typeof events[0].properties.RequestId).toBe('string');
    // Answered after the close: no second event, and none refused.
    release.resolve();
    await within('the late answer', client.gone);
    expect(events).toHaveLength(1);
    expect(log.metrics().rejectedAfterClose).toBe(0);
  });
});

describe('request logging made again and again on one logger (a test suite, hot reload)', () => {
  /** How many listeners the logger's close has (each request logging that follows it adds one). */
  const closeListeners = (log: ReturnType<typeof memoryLogger>['log']): number => log[LOGGER_PARTS]()[0].beforeClose.length;

  it('follows the close only while it has requests in flight, so middlewares and plugins dropped stay among no listeners', async () => {
    const { log, events } = memoryLogger();
    for (let i = 0; i < 500; i++) {
      express().use(requestLogging(log));
      fastifyRequestLogging(log);
    }
    expect(closeListeners(log)).toBe(0);
    // The one in use follows the close while its request is in flight, and writes it unfinished.
    const logRequests = requestLogging(log);
    const arrived = signal();
    const server = createServer((req, res) =>
      logRequests(req, res, () => {
        if (req.url === '/slow') arrived.resolve();
        else res.end('fast');
      }),
    );
    const port = await serve(server);
    const fast = send(port, '/fast');
    await within('the fast answer', fast.gone);
    expect(closeListeners(log)).toBe(0);
    send(port, '/slow');
    await within('the request reaching its handler', arrived.promise);
    expect(closeListeners(log)).toBe(1);
    await within('log.close()', log.close());
    expect(rendered(events)).toEqual([
      expect.stringMatching(/^information HTTP GET \/fast responded 200 in /),
      'warning HTTP GET /slow unfinished at shutdown after … ms',
    ]);
    expect(closeListeners(log)).toBe(0);
  });
});

describe('inFlightRequests', () => {
  /** A logger stand-in whose pipeline has `beforeClose`: `close()` calls what was added there. */
  function closable() {
    const pipeline = { beforeClose: [] as (() => void)[] };
    return {
      [LOGGER_PARTS]: () => [pipeline],
      close: () => pipeline.beforeClose.forEach((listener) => listener()),
    };
  }

  it('follows at most MAX_IN_FLIGHT_FOLLOWED requests at a time and tells SelfLog how many were left without an event', () => {
    const self = collectSelfLog();
    cleanups.push(self.stop);
    const log = closable();
    const inFlight = inFlightRequests(log, 'requestLogging')!;
    const completed: boolean[] = [];
    const requests: InFlightRequest[] = [];
    for (let i = 0; i < MAX_IN_FLIGHT_FOLLOWED + 2; i++) {
      // As a request's completion does: it leaves the registry.
      const request: InFlightRequest = (_aborted, unfinished) => {
        completed.push(unfinished === true);
        inFlight.delete(request);
      };
      requests.push(request);
    }
    for (const request of requests) inFlight.add(request);
    // One completes on its own: it leaves the registry, and is not completed again at close.
    inFlight.delete(requests[1]);
    log.close();
    expect(completed).toHaveLength(MAX_IN_FLIGHT_FOLLOWED - 1);
    expect(completed.every(Boolean)).toBe(true);
    expect(self.diagnostics.map((d) => [d.template, d.args])).toEqual([
      ['requestLogging: {Count} requests in flight when the logger closed were not followed; they have no event', [2]],
    ]);
  });

  it('leaves the listeners of the close when none is in flight, those past the limit included, and joins them again', () => {
    const log = closable();
    const listeners = log[LOGGER_PARTS]()[0].beforeClose;
    const inFlight = inFlightRequests(log, 'requestLogging')!;
    const requests = Array.from({ length: MAX_IN_FLIGHT_FOLLOWED + 1 }, (): InFlightRequest => () => undefined);
    for (const request of requests) inFlight.add(request);
    expect(listeners).toHaveLength(1);
    // The one past the limit is still in flight: the close is still followed.
    for (const request of requests.slice(0, MAX_IN_FLIGHT_FOLLOWED)) inFlight.delete(request);
    expect(listeners).toHaveLength(1);
    inFlight.delete(requests[MAX_IN_FLIGHT_FOLLOWED]);
    expect(listeners).toHaveLength(0);
    inFlight.add(requests[0]);
    inFlight.add(requests[1]);
    expect(listeners).toHaveLength(1);
  });

  it('follows a request that starts after the close ran, those past the limit at the close still in flight', () => {
    // As LoggerPipeline's close does: it calls and removes every listener.
    const pipeline = { beforeClose: [] as (() => void)[] };
    const log = { [LOGGER_PARTS]: () => [pipeline], close: () => pipeline.beforeClose.splice(0).forEach((l) => l()) };
    const inFlight = inFlightRequests(log, 'requestLogging')!;
    const unfinished: string[] = [];
    const request = (name: string): InFlightRequest => {
      const complete: InFlightRequest = (_aborted, isUnfinished) => {
        if (isUnfinished === true) unfinished.push(name);
        inFlight.delete(complete);
      };
      return complete;
    };
    for (let i = 0; i < MAX_IN_FLIGHT_FOLLOWED + 1; i++) inFlight.add(request(`before ${i}`));
    log.close();
    expect(unfinished).toHaveLength(MAX_IN_FLIGHT_FOLLOWED);
    unfinished.length = 0;
    // The one past the limit still runs; another starts now, and is in flight as the process exits.
    inFlight.add(request('after'));
    writeUnfinishedRequests(log);
    expect(unfinished).toEqual(['after']);
  });

  it('follows nothing for a logger that cannot say when it closes (a test double)', () => {
    expect(inFlightRequests({ child: () => undefined }, 'requestLogging')).toBeUndefined();
  });
});
