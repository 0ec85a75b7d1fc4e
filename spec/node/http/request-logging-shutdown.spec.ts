import { Agent, createServer, type Server } from 'node:http';
import { connect as connectHttp2, createServer as createHttp2Server } from 'node:http2';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { requestLogging } from '../../../lib/node/http/request-logging';
import {
  completions,
  pipelineItems,
  getOnAgent,
  memoryLogger,
  signal,
  stoppedListening,
  type WholeAnswer,
  within,
} from '../../helpers/node-http';
import { collectSelfLog } from '../../helpers/self-log';

// A real Express 5 server in this process, with requestLogging, drained as docs/http-servers.md
// shows, against a keep-alive client (node:http's Agent). The server keeps idle connections 120 s
// (keepAliveTimeout): a connection left open after its response would hold server.close() that
// long. Every wait is bounded: past 5 s (within) it fails rather than hangs.

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

async function drainableApp() {
  const { log, events } = memoryLogger();
  const logRequests = requestLogging(log);
  const arrived = signal();
  const release = signal();
  const app = express();
  app.use(logRequests);
  app.get('/slow', async (_req, res) => {
    arrived.resolve();
    await release.promise;
    res.send('done');
  });
  app.get('/stream', async (_req, res) => {
    res.write('first,');
    arrived.resolve();
    await release.promise;
    res.end('last');
  });
  app.get('/fast', (_req, res) => {
    res.send('fast');
  });
  const server: Server = createServer(app);
  server.keepAliveTimeout = 120_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  cleanups.push(() => {
    release.resolve();
    agent.destroy();
    server.closeAllConnections();
    server.close();
    void log.close({ strategy: 'immediate', timeoutMs: 0 });
  });
  const { port } = server.address() as AddressInfo;
  const fetchOnAgent = (path: string): Promise<WholeAnswer> => getOnAgent(port, agent, path);
  const closed = (): Promise<void> => new Promise<void>((resolve) => server.close(() => resolve()));
  return { logRequests, events, arrived, release, fetchOnAgent, closed, agent, server };
}

describe('requestLogging closeConnectionsAfterResponses with Express 5 and a keep-alive client', () => {
  it('answers the request in flight with Connection: close, so server.close() ends without waiting for keepAliveTimeout', async () => {
    const app = await drainableApp();
    // The agent's connection is kept alive and reused: an earlier request opened it.
    expect((await app.fetchOnAgent('/fast')).headers.connection).toBe('keep-alive');
    const answer = app.fetchOnAgent('/slow');
    await within('the request reaching its handler', app.arrived.promise);
    app.logRequests.closeConnectionsAfterResponses();
    const closed = app.closed();
    app.release.resolve();
    const { status, headers, body } = await within('the answer', answer);
    expect([status, headers.connection, body]).toEqual([200, 'close', 'done']);
    await within('server.close()', closed);
    expect(completions(app.events)).toEqual(['HTTP GET /fast responded 200', 'HTTP GET /slow responded 200']);
  });

  it('answers a request that arrives while closing with Connection: close, and keeps connections alive again after false', async () => {
    const app = await drainableApp();
    app.logRequests.closeConnectionsAfterResponses();
    expect((await within('the answer while closing', app.fetchOnAgent('/fast'))).headers.connection).toBe('close');
    app.logRequests.closeConnectionsAfterResponses(false);
    expect((await within('the answer after closing', app.fetchOnAgent('/fast'))).headers.connection).toBe('keep-alive');
  });

  it('leaves a response whose headers went out already (a stream) as it was sent, then closes its connection, so server.close() ends', async () => {
    const app = await drainableApp();
    const selfLog = collectSelfLog();
    cleanups.push(selfLog.stop);
    const answer = app.fetchOnAgent('/stream');
    await within('the request reaching its handler', app.arrived.promise);
    app.logRequests.closeConnectionsAfterResponses();
    const closed = app.closed();
    await within('the server to stop listening', stoppedListening(app.server));
    app.release.resolve();
    const { headers, body } = await within('the answer', answer);
    expect([headers.connection, body]).toEqual(['keep-alive', 'first,last']);
    // Its connection, idle once the stream ended, is closed as Node closed the idle ones at close().
    await within('server.close()', closed);
    expect(completions(app.events)).toEqual(['HTTP GET /stream responded 200']);
    expect(selfLog.diagnostics).toEqual([]);
  });

  it('leaves the connection of a stream that ends before server.close() to Node, which closes it as idle', async () => {
    const app = await drainableApp();
    const answer = app.fetchOnAgent('/stream');
    await within('the request reaching its handler', app.arrived.promise);
    app.logRequests.closeConnectionsAfterResponses();
    app.release.resolve();
    expect((await within('the answer', answer)).headers.connection).toBe('keep-alive');
    await within('server.close()', app.closed());
  });
});

describe('requestLogging closeConnectionsAfterResponses with pipelined requests', () => {
  // A client may send its next requests on a keep-alive connection before the first is answered
  // (HTTP/1.1 pipelining): Node runs their handlers at once and queues their answers behind the
  // first. Node closes the connection after a response with Connection: close, so only the last
  // one in the queue may carry it: on the first, those queued behind it were handled (a POST's
  // effects done) and never answered.
  it('answers every request queued on the connection, only the last with Connection: close', async () => {
    const { log, events } = memoryLogger();
    const logRequests = requestLogging(log);
    const release = signal();
    const thirdArrived = signal();
    const app = express();
    app.use(logRequests);
    // The second is answered at once, its answer queued behind the first's; the first and the third wait.
    app.post('/items/:id', async (req, res) => {
      if (req.params.id === '3') thirdArrived.resolve();
      if (req.params.id !== '2') await release.promise;
      res.send(`done ${req.params.id}`);
    });
    const server: Server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => {
      release.resolve();
      server.closeAllConnections();
      server.close();
      void log.close({ strategy: 'immediate', timeoutMs: 0 });
    });
    const pipelined = pipelineItems((server.address() as AddressInfo).port, 3);
    await within('the third request reaching its handler', thirdArrived.promise);
    logRequests.closeConnectionsAfterResponses();
    release.resolve();
    // [says Connection: close, body]: an answer without the header keeps an HTTP/1.1 connection open.
    expect(await pipelined.answers()).toEqual([
      [false, 'done 1'],
      [false, 'done 2'],
      [true, 'done 3'],
    ]);
    expect(completions(events)).toEqual([
      'HTTP POST /items/1 responded 200',
      'HTTP POST /items/2 responded 200',
      'HTTP POST /items/3 responded 200',
    ]);
    expect(events.map((e) => e.level)).toEqual(['information', 'information', 'information']);
  });
});

describe('requestLogging closeConnectionsAfterResponses on a node:http2 server', () => {
  // HTTP/2 has no Connection header: a client keeps its session open (a browser for minutes), and
  // Node's server.close() before Node 24 waits for every session to close, so it waited for the
  // client. GOAWAY (session.close()) is HTTP/2's way to say it: the streams in flight finish, and
  // the session closes once they are done.
  it('closes the session of the request in flight once its response is sent, so server.close() ends', async () => {
    const { log, events } = memoryLogger();
    const logRequests = requestLogging(log);
    const arrived = signal();
    const release = signal();
    const server = createHttp2Server((req, res) =>
      logRequests(req as never, res as never, async () => {
        arrived.resolve();
        await release.promise;
        res.end('done');
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const session = connectHttp2(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    session.on('error', () => undefined);
    cleanups.push(() => {
      release.resolve();
      session.destroy();
      server.close();
      void log.close({ strategy: 'immediate', timeoutMs: 0 });
    });
    const goaway = new Promise<void>((resolve) => session.once('goaway', () => resolve()));
    const answer = new Promise<string>((resolve, reject) => {
      const stream = session.request({ ':path': '/slow' });
      let body = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => (body += chunk));
      stream.on('end', () => resolve(body));
      stream.on('error', reject);
      stream.end();
    });
    await within('the request reaching its handler', arrived.promise);
    logRequests.closeConnectionsAfterResponses();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    release.resolve();
    expect(await within('the answer', answer)).toBe('done');
    await within('the GOAWAY', goaway);
    await within('server.close()', closed);
    expect(completions(events)).toEqual(['HTTP GET /slow responded 200']);
  });

  it('closes the session of a request that arrives while closing once it is answered, and keeps sessions open after false', async () => {
    const { log, events } = memoryLogger();
    const logRequests = requestLogging(log);
    const server = createHttp2Server((req, res) => logRequests(req as never, res as never, () => res.end('done')));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const sessions: ReturnType<typeof connectHttp2>[] = [];
    cleanups.push(() => {
      for (const session of sessions) session.destroy();
      server.close();
      void log.close({ strategy: 'immediate', timeoutMs: 0 });
    });
    const session = (): ReturnType<typeof connectHttp2> => {
      const opened = connectHttp2(url);
      sessions.push(opened);
      opened.on('error', () => undefined);
      return opened;
    };
    const answered = (on: ReturnType<typeof connectHttp2>): Promise<void> =>
      new Promise<void>((resolve, reject) => {
        const stream = on.request({ ':path': '/fast' });
        stream.resume();
        stream.on('end', resolve);
        stream.on('error', reject);
        stream.end();
      });
    logRequests.closeConnectionsAfterResponses();
    const whileClosing = session();
    const goaway = new Promise<void>((resolve) => whileClosing.once('goaway', () => resolve()));
    await within('the answer while closing', answered(whileClosing));
    await within('the GOAWAY', goaway);
    logRequests.closeConnectionsAfterResponses(false);
    // A session told GOAWAY after the first answer would refuse the second request.
    const afterClosing = session();
    await within('the answer after closing', answered(afterClosing));
    await within('a second answer on the same session', answered(afterClosing));
    expect(completions(events)).toEqual(Array<string>(3).fill('HTTP GET /fast responded 200'));
  });
});
