import { Agent } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import Fastify from 'fastify';
import { fastifyRequestLogging } from '../../../lib/node/http/fastify-request-logging';
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

// A real Fastify 5 app in this process, with fastifyRequestLogging and Fastify's defaults (idle
// connections kept 72 s: keepAliveTimeout), closed with app.close() alone while a keep-alive
// client (node:http's Agent) has a request in flight. A connection left open after its response
// would hold app.close() those 72 s. Every wait is bounded: past 5 s (within) it fails rather than hangs.

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

async function closableApp() {
  const { log, events } = memoryLogger();
  const arrived = signal();
  const release = signal();
  const app = Fastify();
  await app.register(fastifyRequestLogging(log));
  app.get('/slow', async () => {
    arrived.resolve();
    await release.promise;
    return 'done';
  });
  app.get('/stream', (_request, reply) => {
    reply.raw.write('first,');
    arrived.resolve();
    void release.promise.then(() => reply.raw.end('last'));
  });
  app.get('/fast', async () => 'fast');
  // Pipelined: the second is answered at once, its answer queued behind the first's; the first and the third wait.
  const third = signal();
  app.post('/items/:id', async (request) => {
    const { id } = request.params as { id: string };
    if (id === '3') third.resolve();
    if (id !== '2') await release.promise;
    return `done ${id}`;
  });
  // Fastify runs the preClose hooks from close() on a later tick, in the order they were added:
  // this one, after the plugin's, lets the handler answer only once close() began.
  const closing = signal();
  app.addHook('preClose', (done) => {
    closing.resolve();
    done();
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  cleanups.push(() => {
    release.resolve();
    agent.destroy();
    app.server.closeAllConnections();
    void app.close();
    void log.close({ strategy: 'immediate', timeoutMs: 0 });
  });
  const { port } = app.server.address() as AddressInfo;
  const fetchOnAgent = (path: string): Promise<WholeAnswer> => getOnAgent(port, agent, path);
  return { app, events, arrived, release, closing, fetchOnAgent, third, port };
}

describe('fastifyRequestLogging at app.close() with Fastify 5 and a keep-alive client', () => {
  it('answers the request in flight with Connection: close, so app.close() ends without waiting for keepAliveTimeout', async () => {
    const { app, events, arrived, release, closing, fetchOnAgent } = await closableApp();
    // The agent's connection is kept alive and reused: an earlier request opened it.
    expect((await fetchOnAgent('/fast')).headers.connection).toBe('keep-alive');
    const answer = fetchOnAgent('/slow');
    await within('the request reaching its handler', arrived.promise);
    const closed = app.close();
    await within('preClose', closing.promise);
    release.resolve();
    const { status, headers, body } = await within('the answer', answer);
    expect([status, headers.connection, body]).toEqual([200, 'close', 'done']);
    await within('app.close()', closed);
    expect(completions(events)).toEqual(['HTTP GET /fast responded 200', 'HTTP GET /slow responded 200']);
  });

  it('leaves a response whose headers went out already (a stream) as it was sent, then closes its connection, so app.close() ends', async () => {
    const { app, events, arrived, release, closing, fetchOnAgent } = await closableApp();
    const selfLog = collectSelfLog();
    cleanups.push(selfLog.stop);
    const answer = fetchOnAgent('/stream');
    await within('the request reaching its handler', arrived.promise);
    const closed = app.close();
    await within('preClose', closing.promise);
    // Fastify stops the server listening after its preClose hooks: the stream ends after that.
    await within('the server to stop listening', stoppedListening(app.server));
    release.resolve();
    const { headers, body } = await within('the answer', answer);
    expect([headers.connection, body]).toEqual(['keep-alive', 'first,last']);
    // Its connection, idle once the stream ended, is closed as Node closed the idle ones at close().
    await within('app.close()', closed);
    expect(completions(events)).toEqual(['HTTP GET /stream responded 200']);
    expect(selfLog.diagnostics).toEqual([]);
  });

  it('answers every request a client pipelined on the connection, only the last with Connection: close', async () => {
    const { app, events, release, closing, third, port } = await closableApp();
    const pipelined = pipelineItems(port, 3);
    await within('the third request reaching its handler', third.promise);
    const closed = app.close();
    await within('preClose', closing.promise);
    release.resolve();
    // [says Connection: close, body]: the first's used to, and Node closed the connection before the others' answers.
    expect(await pipelined.answers()).toEqual([
      [false, 'done 1'],
      [false, 'done 2'],
      [true, 'done 3'],
    ]);
    await within('app.close()', closed);
    expect(completions(events)).toEqual([
      'HTTP POST /items/1 responded 200',
      'HTTP POST /items/2 responded 200',
      'HTTP POST /items/3 responded 200',
    ]);
  });

  it('lets the 503 Fastify answers to a request pipelined while it closes reach the client, and logs it as sent', async () => {
    const { app, events, arrived, release, closing, port } = await closableApp();
    const socket = connect(port, '127.0.0.1');
    cleanups.push(() => socket.destroy());
    let received = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (received += chunk));
    const ended = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\n');
    await within('the request reaching its handler', arrived.promise);
    const closed = app.close();
    await within('preClose', closing.promise);
    // Sent while Fastify closes (return503OnClosing, its default): answered 503 at once, queued behind /slow.
    const answered = new Promise<void>((resolve) => app.server.once('request', () => setImmediate(resolve)));
    socket.write('GET /fast HTTP/1.1\r\nHost: x\r\n\r\n');
    await within('Fastify answering /fast', answered);
    release.resolve();
    await within('the server closing the connection', ended);
    await within('app.close()', closed);
    // Before, /slow's answer said Connection: close, and Node dropped the 503 queued behind it.
    expect(
      received.split(/(?=HTTP\/1\.1 )/).map((answer) => [answer.slice(9, 12), /\r\nconnection: close\r\n/i.test(answer)]),
    ).toEqual([
      ['200', false],
      ['503', true],
    ]);
    expect(completions(events)).toEqual(['HTTP GET /slow responded 200', 'HTTP GET /fast responded 503']);
    expect(events.map((e) => e.exception)).toEqual([undefined, undefined]);
  });
});
