import { createServer } from 'node:http';
import express from 'express';
import Fastify from 'fastify';
import type { LogEvent } from '../../../lib/core/log-event';
import { fastifyRequestLogging } from '../../../lib/node/http/fastify-request-logging';
import { requestLogging } from '../../../lib/node/http/request-logging';
import { requestPath } from '../../../lib/node/http/request-tracker';
import { abandon, eventsArrive, listen, memoryLogger, signal } from '../../helpers/node-http';

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** What the completion events say: the message (its elapsed time left out), level, StatusCode, Aborted, the exception's message. */
const outcomes = (events: readonly LogEvent[]): unknown[][] =>
  events
    .filter((e) => e.properties.Elapsed !== undefined)
    .map((e) => [
      e.renderMessage().replace(/[\d.]+ ms$/, '… ms'),
      e.level,
      e.properties.StatusCode,
      e.properties.Aborted,
      e.exception?.message,
    ]);

describe('requestPath', () => {
  it.each([
    ['/orders/7?token=secret', '/orders/7'],
    ['/a#frag', '/a'],
    ['/plain', '/plain'],
    ['', '/'],
    [undefined, '/'],
  ])('%s → %s', (url, path) => {
    expect(requestPath(url)).toBe(path);
  });

  // Express and Fastify route an absolute-form target on its path as sent: `http://h/admin/../health`
  // reached an /admin/* handler, but the WHATWG URL parser resolved it to `/health`, so the event
  // named the wrong path, and `ignorePaths: ['/health']` dropped it.
  it.each([
    ['http://h/admin/../health', '/admin/../health'],
    ['http://h/admin/%2e%2e/health', '/admin/%2e%2e/health'],
    ['http://user:secret@example.com/orders/7?token=secret#frag', '/orders/7'],
    ['http://a@b:secret@h/x', '/x'],
    ['HTTPS://example.com', '/'],
    ['http://user:secret@h', '/'],
    ['foo://user:secret@h/x y', '/x y'],
    ['http://user:sec\\ret@h/x', '/x'],
  ])('absolute form %s → the path as sent, %s', (url, path) => {
    expect(requestPath(url)).toBe(path);
  });
});

// A handler fails before anything is sent, and the app's error handling has not answered when the
// client gives up (an error handler awaiting a slow error store). It was written `responded 500`,
// a status no client got: now aborted, with the handler's error, at `error` (nginx logs it 499).
describe('trackRequest when the client leaves a failed request before its error is answered', () => {
  const ABORTED_FAILURE = [['HTTP GET /boom aborted by the client after … ms', 'error', undefined, true, 'handler exploded']];

  it('writes it aborted, with the handler’s error, on Express 5', async () => {
    const { log, events } = memoryLogger();
    const logRequests = requestLogging(log);
    const answering = signal();
    const app = express();
    app.use(logRequests);
    app.get('/boom', () => {
      throw new Error('handler exploded');
    });
    app.use(logRequests.errorHandler);
    app.use((_error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      answering.resolve();
      res.once('close', () => undefined); // answers nothing before the client leaves
    });
    const server = await listen(createServer(app));
    closers.push(server.close, () => log.close({ strategy: 'immediate', timeoutMs: 0 }));
    await abandon(`${server.url}/boom`, answering.promise);
    await eventsArrive(events, 1);
    expect(outcomes(events)).toEqual(ABORTED_FAILURE);
  });

  it('writes it aborted, with the handler’s error, on Fastify 5 with fastifyRequestLogging', async () => {
    const { log, events } = memoryLogger();
    const answering = signal();
    const app = Fastify();
    await app.register(fastifyRequestLogging(log));
    app.get('/boom', () => {
      throw new Error('handler exploded');
    });
    app.setErrorHandler(async (_error, _request, reply) => {
      answering.resolve();
      await new Promise((resolve) => reply.raw.once('close', resolve));
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    closers.push(
      () => app.close(),
      () => log.close({ strategy: 'immediate', timeoutMs: 0 }),
    );
    const { port } = app.server.address() as { port: number };
    await abandon(`http://127.0.0.1:${port}/boom`, answering.promise);
    await eventsArrive(events, 1);
    expect(outcomes(events)).toEqual(ABORTED_FAILURE);
  });

  it('still writes one answered late, after the client left, as aborted, and one answered in time as responded 500', async () => {
    const { log, events } = memoryLogger();
    const logRequests = requestLogging(log);
    const answering = signal();
    const app = express();
    app.use(logRequests);
    app.get('/boom', () => {
      throw new Error('handler exploded');
    });
    app.use(logRequests.errorHandler);
    app.use((error: Error, req: express.Request, res: express.Response, next: express.NextFunction) => {
      if (req.query.late === undefined) next(error);
      else {
        answering.resolve();
        res.once('close', () => res.status(500).end());
      }
    });
    const server = await listen(createServer(app));
    closers.push(server.close, () => log.close({ strategy: 'immediate', timeoutMs: 0 }));
    await abandon(`${server.url}/boom?late`, answering.promise);
    await eventsArrive(events, 1);
    expect((await fetch(`${server.url}/boom`)).status).toBe(500);
    await eventsArrive(events, 2);
    expect(outcomes(events)).toEqual([
      ...ABORTED_FAILURE,
      ['HTTP GET /boom responded 500 in … ms', 'error', 500, undefined, 'handler exploded'],
    ]);
  });
});
