import { Agent, get } from 'node:http';
import { startNestApp } from './fixtures/run-nest-app';

/**
 * GET on a connection of its own that the client closes after the response (`Connection: close`):
 * the server's close() waits for a keep-alive connection whose request was in flight until the
 * client closes it (Node closes only the connections idle when close() is called).
 */
function getOnce(url: string, headers: Record<string, string>): Promise<[number | undefined, string]> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false, headers, timeout: 20_000 }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve([response.statusCode, body]));
    })
      .on('timeout', function (this: { destroy(error: Error): void }) {
        this.destroy(new Error('no answer within 20 s'));
      })
      .on('error', reject);
  });
}

/** What a keep-alive client saw of one GET: the status, body and `Connection` header, and whether the connection is still kept. */
interface KeptAliveAnswer {
  readonly answer: [number | undefined, string, string | undefined];
  /** Resolves once the connection the response came on has closed. */
  readonly connectionClosed: Promise<void>;
}

/** GET with a keep-alive agent, as an HTTP client library or a proxy in front of the app sends it. */
function getKeptAlive(url: string, agent: Agent, headers: Record<string, string>): Promise<KeptAliveAnswer> {
  return new Promise((resolve, reject) => {
    get(url, { agent, headers, timeout: 20_000 }, (response) => {
      const connectionClosed = new Promise<void>((closed) => response.socket.once('close', () => closed()));
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ answer: [response.statusCode, body, response.headers.connection], connectionClosed }));
    })
      .on('timeout', function (this: { destroy(error: Error): void }) {
        this.destroy(new Error('no answer within 20 s'));
      })
      .on('error', reject);
  });
}

// A real NestJS 12 app (spec/nest/fixtures/nest-in-flight-app.ts) that gets SIGTERM while a request
// is in flight, in a child process on 127.0.0.1, its sink writing each batch a moment late.

describe.each(['express', 'fastify'])('RxlogModule when SIGTERM comes while a request is in flight, on %s', (platform) => {
  it('answers the request, writes it and the shutdown hook’s event, then closes the logger once, with nothing lost', async () => {
    const app = await startNestApp('nest-in-flight-app.ts', [platform]);
    const answer = await getOnce(`${app.url}/slow`, { 'x-request-id': 'slow' });
    const run = await app.exited();
    expect(answer).toEqual([200, 'done']);
    const fromRequest = run.events.slice(run.events.findIndex((e) => e.renderMessage() === 'Working'));
    expect(
      fromRequest.map((e) => [e.properties.RequestId ?? null, e.renderMessage().replace(/in [\d.]+ ms$/, 'in … ms')]),
    ).toEqual([
      ['slow', 'Working'],
      ['slow', 'Done'],
      ['slow', 'HTTP GET /slow responded 200 in … ms'],
      [null, 'Disconnected on SIGTERM'],
    ]);
    const reports = run.otherLines.filter((line) => line.includes('[RxlogModule]'));
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatch(
      new RegExp(
        `Logger closed \\(graceful, \\d+ ms\\): stdout: ${run.events.length} delivered, 0 dropped, 0 failed, 0 undelivered$`,
      ),
    );
    expect(run.lines[run.lines.length - 1]).toBe(reports[0]);
    expect(run.signal ?? run.code).toBe('SIGTERM');
    expect(run.stderr).toBe('');
  }, 120_000);
});

// The same app, its server keeping an idle keep-alive connection 120 s: without Connection: close
// on the response in flight, its close() waits for that connection past the 30 s after which the
// child is killed (SIGKILL), with the logger never closed.
describe.each([
  ['express', 'signal'],
  ['fastify', 'signal'],
  ['express', 'close'],
  ['fastify', 'close'],
])('RxlogModule when a request on a keep-alive connection is in flight at shutdown, on %s (%s)', (platform, stop) => {
  it('answers it with Connection: close, so the connection closes after it and the app ends without waiting for the client', async () => {
    const app = await startNestApp('nest-in-flight-app.ts', [platform, stop]);
    const agent = new Agent({ keepAlive: true });
    try {
      const { answer, connectionClosed } = await getKeptAlive(`${app.url}/slow`, agent, { 'x-request-id': 'slow' });
      const run = await app.exited();
      await connectionClosed;
      expect(answer).toEqual([200, 'done', 'close']);
      expect(run.signal ?? run.code).toBe(stop === 'signal' ? 'SIGTERM' : 0);
      const fromRequest = run.events.slice(run.events.findIndex((e) => e.renderMessage() === 'Working'));
      expect(
        fromRequest.map((e) => [e.properties.RequestId ?? null, e.renderMessage().replace(/in [\d.]+ ms$/, 'in … ms')]),
      ).toEqual([
        ['slow', 'Working'],
        ['slow', 'Done'],
        ['slow', 'HTTP GET /slow responded 200 in … ms'],
        [null, stop === 'signal' ? 'Disconnected on SIGTERM' : 'Disconnected on {Signal}'],
      ]);
      const reports = run.otherLines.filter((line) => line.includes('[RxlogModule]'));
      expect(reports).toHaveLength(1);
      expect(reports[0]).toMatch(/ 0 dropped, 0 failed, 0 undelivered$/);
      expect(run.stderr).toBe('');
    } finally {
      agent.destroy();
    }
  }, 120_000);
});

// The same app streaming its answer: its headers went out before the shutdown began, so they keep
// the connection alive; once the stream ends, the connection is closed as Node closed the idle
// ones when the server's close() began, and the app ends without waiting for the client.
describe.each([
  ['express', 'signal'],
  ['fastify', 'signal'],
])('RxlogModule when a streamed response on a keep-alive connection is in flight at shutdown, on %s (%s)', (platform, stop) => {
  it('sends it whole, then closes its connection, so the app ends without waiting for the client', async () => {
    const app = await startNestApp('nest-in-flight-app.ts', [platform, stop]);
    const agent = new Agent({ keepAlive: true });
    try {
      const { answer, connectionClosed } = await getKeptAlive(`${app.url}/stream`, agent, { 'x-request-id': 'stream' });
      const run = await app.exited();
      await connectionClosed;
      expect(answer).toEqual([200, 'first,last', 'keep-alive']);
      expect(run.signal ?? run.code).toBe('SIGTERM');
      expect(
        run.events
          .filter((e) => e.properties.RequestId === 'stream')
          .map((e) => e.renderMessage().replace(/in [\d.]+ ms$/, 'in … ms')),
      ).toEqual(['HTTP GET /stream responded 200 in … ms']);
      expect(run.stderr).toBe('');
    } finally {
      agent.destroy();
    }
  }, 120_000);
});
