import type { LogEvent } from '../../lib/core/log-event';
import { exchangeRaw, requestHttp2 } from '../helpers/node-http';
import { type NestApp, type NestAppRun, runNestApp, startNestApp } from './fixtures/run-nest-app';

// A small real NestJS app (spec/nest/fixtures/nest-request-context-app.ts) in a child process on
// 127.0.0.1, on Express and on Fastify; every rxlog event it writes comes back as a CLEF line.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const completions = (run: NestAppRun): LogEvent[] => run.events.filter((e) => e.properties.SourceContext === 'RequestLogging');

/** Runs `requests` against the fixture app on `platform` (with `args`), then stops it and resolves with what it wrote. */
function withApp(platform: string, args: readonly string[], requests: (app: NestApp) => Promise<void>): Promise<NestAppRun> {
  return runNestApp('nest-request-context-app.ts', [platform, ...args], requests);
}

describe.each(['express', 'fastify'])('RxlogModule on %s with requestLogging.trustIncomingRequestId: false', (platform) => {
  it('ignores an incoming X-Request-Id and traceparent, and generates and echoes a fresh id', async () => {
    const echoed: (string | null)[] = [];
    const run = await withApp(platform, ['untrusted'], async (app) => {
      const sent: Record<string, string>[] = [
        { 'x-request-id': 'chosen-by-client' },
        { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
      ];
      for (const headers of sent) {
        const response = await fetch(`${app.url}/ping`, { headers });
        expect(await response.text()).toBe('pong');
        echoed.push(response.headers.get('x-request-id'));
      }
    });
    expect(echoed).toEqual([expect.stringMatching(UUID), expect.stringMatching(UUID)]);
    expect(completions(run).map((e) => e.properties.RequestId)).toEqual(echoed);
    expect(JSON.stringify(run.events.map((e) => e.properties))).not.toMatch(/chosen-by-client|0af7651916cd43dd/);
  }, 120_000);
});

describe.each(['express', 'fastify'])('RxlogModule on %s, requests pipelined on one connection', (platform) => {
  // Node emits 'finish' of a response queued behind another on a pipelined connection from the one
  // before it, in that request's context: an app's res.on('finish') listener must still log with
  // its own request's RequestId.
  it("logs an app's res.on('finish') listener and each completion event with its own request's id", async () => {
    const requests = ['/ping', '/ping', '/ping'].map(
      (path, i) => `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Request-Id: item-${i + 1}\r\nX-Log-Finish: 1\r\n\r\n`,
    );
    let received = '';
    const run = await withApp(platform, [], async (app) => {
      received = await exchangeRaw(
        Number(new URL(app.url).port),
        requests.join(''),
        (answer) => (answer.match(/HTTP\/1\.1 200/g) ?? []).length === 3,
      );
    });
    expect(received.match(/HTTP\/1\.1 200/g)).toHaveLength(3);
    const sent = run.events.filter((e) => e.messageTemplate.text === 'Sent {Url}');
    expect(sent.map((e) => e.properties.RequestId)).toEqual(['item-1', 'item-2', 'item-3']);
    expect(completions(run).map((e) => e.properties.RequestId)).toEqual(['item-1', 'item-2', 'item-3']);
  }, 120_000);

  // The completion event of a request pipelined behind another carried its RequestId but not what
  // the app's own middleware put in LogContext (UserId): Node emits its response's events from the
  // request before it, and the event fell back to the context the request started in.
  it("writes each completion event in the context of its own request's code that ended the response", async () => {
    const requests = [1, 2, 3].map(
      (i) =>
        `GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Request-Id: item-${i}\r\nX-User: user-${i}\r\n` +
        // The first one answers last, so the others' responses wait behind it on the connection.
        `X-Wait: ${i === 1 ? 100 : 0}\r\n\r\n`,
    );
    const run = await withApp(platform, [], async (app) => {
      await exchangeRaw(
        Number(new URL(app.url).port),
        requests.join(''),
        (answer) => (answer.match(/HTTP\/1\.1 200/g) ?? []).length === 3,
      );
    });
    expect(completions(run).map((e) => [e.properties.RequestId, e.properties.UserId])).toEqual([
      ['item-1', 'user-1'],
      ['item-2', 'user-2'],
      ['item-3', 'user-3'],
    ]);
  }, 120_000);
});

describe.each(['express', 'fastify'])('RxlogModule on %s', (platform) => {
  let run: NestAppRun;
  const answers: Record<string, { status: number; body: string } | Error | string> = {};

  beforeAll(async () => {
    run = await withApp(platform, [], async (app) => {
      const send = (path: string, init: RequestInit): Promise<{ status: number; body: string } | Error> =>
        fetch(`${app.url}${path}`, init)
          .then(async (response) => ({ status: response.status, body: await response.text() }))
          .catch((error: Error) => error);
      answers.cut = await send('/cut', { headers: { 'x-request-id': 'r-cut' } });
      answers.ping = await send('/ping', { headers: { 'x-request-id': 'r-get' } });
      answers.echo = await send('/echo', {
        method: 'POST',
        headers: { 'x-request-id': 'r-post', 'content-type': 'application/json' },
        body: '{"a":1}',
      });
      answers.me = await send('/me', { headers: { 'x-request-id': 'r-me' } });
      answers.missing = await send('/me/orders/7', { headers: { 'x-request-id': 'r-missing' } });
      answers.badChunk = await exchangeRaw(
        Number(new URL(app.url).port),
        'POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Request-Id: r-bad-chunk\r\nContent-Type: application/json\r\n' +
          'Transfer-Encoding: chunked\r\n\r\nzz\r\n',
        () => false,
      );
    });
  }, 120_000);

  it('logs a body the server gave up reading (a malformed chunk) as the 400 Node answered, with its error, not as aborted by the client', () => {
    expect(answers.badChunk).toMatch(/^HTTP\/1\.1 400 /);
    const [completion, ...more] = completions(run).filter((e) => e.properties.RequestId === 'r-bad-chunk');
    expect(more).toEqual([]);
    expect(completion.renderMessage()).toMatch(/^HTTP POST \/echo responded 400 in \d+\.\d{4} ms$/);
    expect([completion.level, completion.properties.Aborted, completion.properties.StatusCode]).toEqual([
      'warning',
      undefined,
      400,
    ]);
    expect(completion.exception?.stack).toMatch(/HPE_INVALID_CHUNK_SIZE|Invalid character in chunk size/);
  });

  it('puts a property an interceptor adds after authentication on every later event of the request (nestjs-pino’s assign)', () => {
    expect(answers.me).toEqual({ status: 200, body: 'me' });
    const events = run.events.filter((e) => e.properties.RequestId === 'r-me');
    expect(
      events.filter((e) => e.properties.SourceContext !== 'RequestLogging').map((e) => [e.renderMessage(), e.properties.UserId]),
    ).toEqual([
      ...(platform === 'fastify' ? [['onRequest hook ran', undefined]] : []),
      ['app.use middleware ran', undefined],
      ['Module middleware ran', undefined],
      ['Authenticating', undefined],
      ['Loading the profile', 'u-42'],
    ]);
    expect(
      completions(run)
        .filter((e) => e.properties.RequestId === 'r-me')
        .map((e) => e.properties.UserId),
    ).toEqual(['u-42']);
  });

  it('leaves the interceptor’s property off what an exception filter logs, until the filter puts it back as the docs show', () => {
    expect(answers.missing).toEqual({ status: 404, body: 'no such order' });
    const events = run.events.filter((e) => e.properties.RequestId === 'r-missing');
    expect(
      events
        .filter((e) => e.level === 'warning')
        .map((e) => [e.renderMessage(), e.properties.SourceContext, e.properties.UserId]),
    ).toEqual([
      // Nest calls the filter after the handler's Observable failed, outside UserLogContext's run.
      ['Filter ran outside the run', undefined, undefined],
      ['Answering No order 7 with 404', undefined, 'u-42'],
      [expect.stringMatching(/^HTTP GET \/me\/orders\/7 responded 404 in /), 'RequestLogging', 'u-42'],
    ]);
    expect(events.find((e) => e.renderMessage() === 'Loading order 7')?.properties.UserId).toBe('u-42');
    const [completion, ...more] = completions(run).filter((e) => e.properties.RequestId === 'r-missing');
    expect(more).toEqual([]);
    expect([
      completion.level,
      completion.properties.StatusCode,
      completion.properties.RoutePattern,
      completion.exception?.stack?.split('\n')[0],
    ]).toEqual(['warning', 404, '/me/orders/:id', 'Error: No order 7']);
  });

  it('logs a response the handler destroys before it ends as an error with a ResponseDestroyed exception, not as aborted', () => {
    // The client saw the connection close mid-body.
    expect(answers.cut).toMatchObject({ name: 'TypeError', message: 'terminated' });
    const [completion, ...more] = completions(run).filter((e) => e.properties.RequestId === 'r-cut');
    expect(more).toEqual([]);
    expect(completion.renderMessage()).toMatch(/^HTTP GET \/cut responded 200 in \d+\.\d{4} ms$/);
    expect([completion.level, completion.properties.Aborted, completion.properties.RoutePattern]).toEqual([
      'error',
      undefined,
      '/cut',
    ]);
    expect(completion.exception?.stack?.split('\n')[0]).toBe(
      'ResponseDestroyed: The server destroyed the response before it ended',
    );
  });

  it('opens the request context before app.use() middleware, module middleware, guards and handlers, a JSON body parsed or not', () => {
    expect([answers.ping, answers.echo]).toEqual([
      { status: 200, body: 'pong' },
      { status: 201, body: '{"a":1}' },
    ]);
    // FastifyAdapter's onRequest slot holds RxlogModule's hook; the app's own, set after it, runs inside it.
    const hook = platform === 'fastify' ? ['onRequest hook ran'] : [];
    for (const [requestId, method, path, status] of [
      ['r-get', 'GET', '/ping', 200],
      ['r-post', 'POST', '/echo', 201],
    ]) {
      expect(
        run.events.filter((e) => e.properties.RequestId === requestId).map((e) => e.renderMessage().split(' in ')[0]),
      ).toEqual([
        ...hook,
        'app.use middleware ran',
        'Module middleware ran',
        'Guard ran',
        'Handler ran',
        `HTTP ${method} ${path} responded ${status}`,
      ]);
    }
    expect(run.events.filter((e) => e.properties.RequestId === undefined)).toEqual([]);
  });
});

// Node's HTTP/2 compatibility response reads as finished once its stream is reset: a client that
// left read as a completed 200 before.
describe('RxlogModule on Fastify serving HTTP/2', () => {
  it('writes a completed request, one the client abandons (aborted) and one the server destroys (ResponseDestroyed)', async () => {
    const run = await withApp('fastify-http2', [], async (app) => {
      await requestHttp2(app.url, '/ping', { headers: { 'x-request-id': 'h2-ping' } });
      await requestHttp2(app.url, '/slow', { cancel: true, headers: { 'x-request-id': 'h2-slow' } });
      await requestHttp2(app.url, '/cut', { headers: { 'x-request-id': 'h2-cut' } });
    });
    expect(
      completions(run).map((e) => [
        e.properties.RequestId,
        e.level,
        e.properties.Aborted,
        e.properties.StatusCode,
        e.exception?.stack?.split('\n')[0],
      ]),
    ).toEqual([
      ['h2-ping', 'information', undefined, 200, undefined],
      ['h2-slow', 'warning', true, undefined, undefined],
      ['h2-cut', 'error', undefined, 200, 'ResponseDestroyed: The server destroyed the response before it ended'],
    ]);
  }, 120_000);
});

describe('RxlogModule on Fastify with a global prefix', () => {
  it('gives a request outside the prefix its request id and completion event', async () => {
    const app = await startNestApp('nest-app.ts', ['fastify', 'sync', 'none', 'prefix']);
    let run: NestAppRun;
    try {
      const response = await fetch(`${app.url}/favicon.ico`, { headers: { 'x-request-id': 'r-outside' } });
      expect([response.status, response.headers.get('x-request-id')]).toEqual([404, 'r-outside']);
    } finally {
      run = await app.stop();
    }
    expect(completions(run).map((e) => [e.properties.RequestId, e.properties.StatusCode, e.level])).toEqual([
      ['r-outside', 404, 'warning'],
    ]);
  }, 120_000);
});

describe.each(['express', 'fastify'])('RxlogModule on %s with forceCloseConnections', (platform) => {
  it('ends on SIGTERM with a server-sent event stream open, writing its completion event once before the logger closes', async () => {
    const app = await startNestApp('nest-request-context-app.ts', [platform, 'trusted', 'force-close']);
    let run: NestAppRun;
    try {
      const response = await fetch(`${app.url}/ticks`, { headers: { 'x-request-id': 'r-ticks' } });
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      let received = '';
      // Up to the end of the first message (its blank line), which a chunk boundary can split.
      for (let chunks = 0; chunks < 20 && !received.includes('data: 0\n\n'); chunks++)
        received += new TextDecoder().decode((await reader.read()).value);
      expect(received).toContain('id: 1\ndata: 0\n');
      const rest = (async (): Promise<string> => {
        try {
          while (!(await reader.read()).done);
          return 'ended';
        } catch (error) {
          return String(error);
        }
      })();
      run = await app.stop();
      expect(await rest).toBe('TypeError: terminated');
    } catch (error) {
      await app.stop();
      throw error;
    }
    // Nest's own shutdown ended the process (it raises the signal again), not the harness's SIGKILL.
    expect(run.signal).toBe('SIGTERM');
    expect(
      completions(run).map((e) => [
        e.properties.RequestId,
        e.properties.RoutePattern,
        e.level,
        e.properties.StatusCode,
        e.exception?.stack?.split('\n')[0],
      ]),
    ).toEqual([['r-ticks', '/ticks', 'error', 200, 'ResponseDestroyed: The server destroyed the response before it ended']]);
  }, 120_000);
});
