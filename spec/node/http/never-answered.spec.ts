import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify from 'fastify';
import type { LogEvent } from '../../../lib/core/log-event';
import { fastifyRequestLogging } from '../../../lib/node/http/fastify-request-logging';
import { requestLogging } from '../../../lib/node/http/request-logging';
import { eventsArrive, get, memoryLogger, signal, stoppedListening, within } from '../../helpers/node-http';

// A handler that never answers holds server.close() (and Fastify's app.close(), whose default
// forceCloseConnections: 'idle' closes idle connections only) for as long as its connection
// stays open: rxlog does not cut it, as it owns neither the server nor a deadline. The shutdown
// fragment of docs/http-servers.md ends it with a timer calling server.closeAllConnections(); the
// request is then written once, as the server's failure. Every wait is bounded (within).

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

/** Closes `server` while its one request hangs, checks close() is held, then forces it as the docs' timer does. */
async function forceClosed(server: Server, close: () => Promise<unknown>, arrived: Promise<void>, events: LogEvent[]) {
  const { port } = server.address() as AddressInfo;
  const answer = get(`http://127.0.0.1:${port}/hang`).then(
    () => 'answered',
    (error: NodeJS.ErrnoException) => error.code,
  );
  await within('the request reaching its handler', arrived);
  let closed = false;
  const closing = close().then(() => (closed = true));
  await stoppedListening(server);
  // Ten more turns of the event loop: close() is held by the hanging request, and nothing is written yet.
  for (let turn = 0; turn < 10; turn++) await new Promise((resolve) => setImmediate(resolve));
  expect([closed, events.length]).toEqual([false, 0]);
  server.closeAllConnections();
  await within('close()', closing);
  expect(await within('the client', answer)).toBe('ECONNRESET');
  await eventsArrive(events, 1);
  expect(events).toHaveLength(1);
  const [event] = events;
  return {
    level: event?.level,
    text: event?.renderMessage().replace(/ in \S+ ms$/, ''),
    status: event?.properties.StatusCode,
    exception: event?.exception?.name,
  };
}

const cutByTheServer = {
  level: 'error',
  text: 'HTTP GET /hang responded 500',
  status: 500,
  exception: 'ResponseDestroyed',
};

describe('a handler that never answers, at server shutdown', () => {
  it('holds server.close() on Express 5 until closeAllConnections(), then is written once as a ResponseDestroyed 500', async () => {
    const { log, events } = memoryLogger();
    const arrived = signal();
    const logRequests = requestLogging(log);
    const app = express();
    app.use(logRequests);
    app.get('/hang', () => arrived.resolve());
    const server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(
      () => server.closeAllConnections(),
      () => log.close({ strategy: 'immediate', timeoutMs: 0 }),
    );
    logRequests.closeConnectionsAfterResponses();
    const closed = (): Promise<void> => new Promise((resolve) => server.close(() => resolve()));
    expect(await forceClosed(server, closed, arrived.promise, events)).toEqual(cutByTheServer);
  });

  it('holds app.close() on Fastify 5 until closeAllConnections(), then is written once as a ResponseDestroyed 500', async () => {
    const { log, events } = memoryLogger();
    const arrived = signal();
    const app = Fastify();
    await app.register(fastifyRequestLogging(log));
    app.get('/hang', (_request, _reply) => {
      arrived.resolve();
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    cleanups.push(
      () => app.server.closeAllConnections(),
      () => log.close({ strategy: 'immediate', timeoutMs: 0 }),
    );
    expect(await forceClosed(app.server, () => app.close(), arrived.promise, events)).toEqual(cutByTheServer);
  });
});
