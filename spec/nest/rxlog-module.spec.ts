import { request } from 'node:http';
import { connect } from 'node:net';
import type { LogEvent } from '../../lib/core/log-event';
import { type NestAppRun, startNestApp, fixtureOutcomes } from './fixtures/run-nest-app';

// A real NestJS 12 app (spec/nest/fixtures/nest-app.ts) in a child process on 127.0.0.1, hit with
// real HTTP requests; every rxlog event it writes comes back as a CLEF line on its stdout.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface Answer {
  status: number;
  requestId: string | null;
  body: string;
}

async function get(url: string, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(url, { headers });
  return { status: response.status, requestId: response.headers.get('x-request-id'), body: await response.text() };
}

/** Starts the download, reads about 256 KiB of its body, then abandons it; resolves with the bytes read. */
function abandonDownload(url: string, requestId: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/download`, { headers: { 'x-request-id': requestId } }, (res) => {
      let received = 0;
      res.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received >= 256 * 1024) {
          req.destroy();
          resolve(received);
        }
      });
      res.on('end', () => reject(new Error('the whole download arrived')));
    });
    req.on('error', () => undefined);
    req.end();
  });
}

/** Sends one GET with `target` as the request line's target (absolute-form too), and waits for the answer. */
function rawGet(url: string, target: string, requestId: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(new URL(url).port), '127.0.0.1');
    socket.on('data', () => socket.end());
    socket.on('error', reject);
    socket.on('close', () => resolve());
    socket.write(`GET ${target} HTTP/1.1\r\nHost: example.com\r\nX-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n`);
  });
}

/**
 * Sends three GETs pipelined on one connection, /poll first (answered only by a /send, which never
 * comes), then, once a GET on another connection was answered (so the server has taken all three),
 * closes the connection: the two behind /poll are answered by their handlers, but their responses
 * wait for /poll's, so none of the three is sent.
 */
async function pipelinedThenLeave(url: string, prefix: string): Promise<void> {
  const socket = connect(Number(new URL(url).port), '127.0.0.1');
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  socket.on('error', () => undefined);
  const line = (target: string, id: string): string => `GET ${target} HTTP/1.1\r\nHost: x\r\nX-Request-Id: ${id}\r\n\r\n`;
  await new Promise<void>((resolve) =>
    socket.write(line('/poll', `${prefix}-1`) + line('/orders/p2', `${prefix}-2`) + line('/orders/p3', `${prefix}-3`), () =>
      resolve(),
    ),
  );
  await get(`${url}/orders/p4`, { 'x-request-id': `${prefix}-sync` });
  socket.destroy();
  await closed;
}

/** Asserts the completion event of a download whose body failed on the server: failed with that error, not aborted. */
function expectBrokenDownload(run: NestAppRun, requestId: string): void {
  const [completion, ...more] = completions(run).filter((e) => e.properties.RequestId === requestId);
  expect(more).toEqual([]);
  expect([completion.level, completion.properties.Aborted, completion.exception?.stack?.split('\n')[0]]).toEqual([
    'error',
    undefined,
    'Error: disk gone',
  ]);
  expect(completion.renderMessage()).toMatch(/^HTTP GET \/broken responded 200 in \d+\.\d{4} ms$/);
}

/** Asserts the one completion event of the route whose exception filter answers its error with 418. */
function expectTeapot(run: NestAppRun, requestId: string): void {
  const [completion, ...more] = completions(run).filter((e) => e.properties.RequestId === requestId);
  expect(more).toEqual([]);
  expect([completion.level, completion.properties.StatusCode, completion.exception?.stack?.split('\n')[0]]).toEqual([
    'warning',
    418,
    'Error: Short and stout',
  ]);
  expect(completion.renderMessage()).toMatch(/^HTTP GET \/teapot responded 418 in \d+\.\d{4} ms$/);
  expect(withRequestId(run, requestId).filter((e) => e.exception !== undefined)).toEqual([completion]);
}

/** The events of modules' shutdown hooks, as [source, message]. */
const shutdownEvents = (run: NestAppRun): [unknown, string][] =>
  sourced(run.events).filter(([, message]) => message.includes('shut down on') || message === 'Shutdown hook done');

/** Asserts the completion event of an abandoned download: aborted, a warning, no status it never sent. */
function expectAbortedDownload(run: NestAppRun, requestId: string): void {
  const [completion, ...more] = completions(run).filter((e) => e.properties.RequestId === requestId);
  expect(more).toEqual([]);
  expect(completion.level).toBe('warning');
  expect(completion.renderMessage()).toMatch(/^HTTP GET \/download aborted by the client after \d+\.\d{4} ms$/);
  expect(completion.properties).toMatchObject({ RequestPath: '/download', RoutePattern: '/download', Aborted: true });
  expect(completion.properties).not.toHaveProperty('StatusCode');
}

const withRequestId = (run: NestAppRun, id: string): LogEvent[] => run.events.filter((e) => e.properties.RequestId === id);
const completions = (run: NestAppRun): LogEvent[] => run.events.filter((e) => e.properties.SourceContext === 'RequestLogging');
const sourced = (events: readonly LogEvent[]): [unknown, string][] =>
  events.map((e) => [e.properties.SourceContext, e.renderMessage()]);

describe('RxlogModule on Express (forRoot)', () => {
  let run: NestAppRun;
  const answers: Record<string, Answer> = {};

  beforeAll(async () => {
    const app = await startNestApp('nest-app.ts', ['express', 'sync']);
    try {
      await abandonDownload(app.url, 'req-download');
      answers.order = await get(`${app.url}/orders/7`, { 'x-request-id': 'req-order' });
      answers.stream = await get(`${app.url}/stream`, { 'x-request-id': 'req-stream' });
      answers.missing = await get(`${app.url}/missing`, { 'x-request-id': 'req-missing' });
      answers.boom = await get(`${app.url}/boom`, { 'x-request-id': 'req-boom' });
      answers.guard = await get(`${app.url}/guarded`, { 'x-request-id': 'req-guard' });
      answers.teapot = await get(`${app.url}/teapot`, { 'x-request-id': 'req-teapot' });
      answers.health = await get(`${app.url}/health`, { 'x-request-id': 'req-health' });
      answers.unrouted = await get(`${app.url}/no/such/route`, { 'x-request-id': 'req-unrouted' });
      answers.later = await get(`${app.url}/later`, { 'x-request-id': 'req-later' });
      const poll = get(`${app.url}/poll`, { 'x-request-id': 'req-poll' });
      answers.send = await get(`${app.url}/send`, { 'x-request-id': 'req-send' });
      answers.poll = await poll;
      // The same again, with /send carrying the poll's request id (a client chooses it).
      const sharedPoll = get(`${app.url}/poll`, { 'x-request-id': 'req-shared' });
      answers.sharedSend = await get(`${app.url}/send`, { 'x-request-id': 'req-shared' });
      answers.sharedPoll = await sharedPoll;
      await pipelinedThenLeave(app.url, 'req-piped');
      answers.traced = await get(`${app.url}/orders/8`, {
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      });
      answers.generated = await get(`${app.url}/orders/9`);
      answers.broken = await get(`${app.url}/broken`, { 'x-request-id': 'req-broken' }).catch(() => ({
        status: -1,
        requestId: null,
        body: '',
      }));
      await rawGet(app.url, 'http://user:secret@example.com/orders/abs?token=secret', 'req-absolute');
      const concurrent = await Promise.all(
        Array.from({ length: 12 }, (_, i) => get(`${app.url}/orders/c${i}`, { 'x-request-id': `req-c${i}` })),
      );
      concurrent.forEach((answer, i) => (answers[`c${i}`] = answer));
    } finally {
      run = await app.stop();
    }
  }, 180_000);

  it('routes the messages Nest buffered during boot through rxlog, with their context as SourceContext', () => {
    expect(sourced(run.events)).toEqual(
      expect.arrayContaining([
        ['NestFactory', 'Starting Nest application...'],
        ['InstanceLoader', 'RxlogModule dependencies initialized'],
        ['RoutesResolver', 'OrdersController {/}:'],
        ['RouterExplorer', 'Mapped {/orders/:id, GET} route'],
        ['NestApplication', 'Nest application successfully started'],
      ]),
    );
    // Nothing reached Nest's console logger before the app's logger took over: the first line is CLEF.
    expect(run.lines[0]).toMatch(/^\{/);
    expect(run.lines.indexOf(run.otherLines[0] ?? '')).toBeGreaterThan(
      run.lines.findIndex((l) => l.includes('successfully started')),
    );
  });

  it('puts the request id on every event of a request: guard, controller, async service call and completion', () => {
    const events = withRequestId(run, 'req-order');
    expect(sourced(events)).toEqual([
      ['Audit', 'Request allowed'],
      [undefined, 'Finding order 7'],
      ['Orders', 'Loaded order 7'],
      ['RequestLogging', 'HTTP GET /orders/7 responded 200 in ' + events[3].renderMessage().split(' in ')[1]],
    ]);
    expect(answers.order).toEqual({ status: 200, requestId: 'req-order', body: '{"id":"7"}' });
  });

  it('puts the request id on events logged inside an Observable the handler returns', () => {
    expect(sourced(withRequestId(run, 'req-stream'))).toEqual([
      ['Audit', 'Request allowed'],
      [undefined, 'Observable handler ran'],
      ['RequestLogging', expect.stringMatching(/^HTTP GET \/stream responded 200 in \d+\.\d{4} ms$/)],
    ]);
  });

  it('writes one completion event with method, path, route, status, elapsed and the diagnostic context', () => {
    const [completion, ...more] = completions(run).filter((e) => e.properties.RequestId === 'req-order');
    expect(more).toEqual([]);
    expect(completion.level).toBe('information');
    expect(completion.messageTemplate.text).toBe(
      'HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed:0.0000} ms',
    );
    expect(completion.properties).toEqual({
      SourceContext: 'RequestLogging',
      RequestMethod: 'GET',
      RequestPath: '/orders/7',
      RoutePattern: '/orders/:id',
      StatusCode: 200,
      Elapsed: expect.any(Number),
      RequestId: 'req-order',
      UserId: 42,
      OrderId: '7',
    });
    expect(completion.properties.Elapsed).toBeGreaterThanOrEqual(5);
  });

  it("writes a long poll's completion, its response ended by another request, without that request's context", () => {
    expect([answers.poll.body, answers.send.body]).toEqual(['message', 'sent']);
    const [completion, ...more] = completions(run).filter((e) => e.properties.RequestId === 'req-poll');
    expect(more).toEqual([]);
    expect(completion.properties).toMatchObject({ RoutePattern: '/poll', StatusCode: 200 });
    // The response was ended inside /send's LogContext.run({ UserId: 'bob' }): bob's, not this request's.
    expect(completion.properties).not.toHaveProperty('UserId');
  });

  // Whose code ended the response was told by RequestId, which a client chooses: a /send that took
  // the poll's id wrote its context (bob's UserId) onto the poll's completion event.
  it("writes a long poll's completion without the context of a request that took the poll's request id", () => {
    expect([answers.sharedPoll.body, answers.sharedSend.body]).toEqual(['message', 'sent']);
    const polls = completions(run).filter(
      (e) => e.properties.RequestId === 'req-shared' && e.properties.RoutePattern === '/poll',
    );
    expect(polls).toHaveLength(1);
    expect(polls[0].properties).toMatchObject({ StatusCode: 200 });
    expect(polls[0].properties).not.toHaveProperty('UserId');
  });

  // A response queued behind an unfinished one emits neither 'finish' nor 'close' when the client
  // leaves (node:_http_server, abortIncoming): the two behind /poll were never logged.
  it('writes an aborted completion for each of three pipelined requests when the client leaves before any is answered', () => {
    const piped = completions(run).filter((e) => /^req-piped-\d$/.test(String(e.properties.RequestId)));
    expect(piped.map((e) => [e.properties.RequestId, e.properties.Aborted, e.level]).sort()).toEqual([
      ['req-piped-1', true, 'warning'],
      ['req-piped-2', true, 'warning'],
      ['req-piped-3', true, 'warning'],
    ]);
  });

  it('writes the completion when the response is sent: a handler answering later itself (@Res()) gets its status and time', () => {
    expect(answers.later.status).toBe(202);
    const [completion, ...more] = completions(run).filter((e) => e.properties.RequestId === 'req-later');
    expect(more).toEqual([]);
    expect(completion.properties).toMatchObject({ RoutePattern: '/later', StatusCode: 202 });
    expect(completion.properties.Elapsed).toBeGreaterThanOrEqual(25);
  });

  it('keeps concurrent requests apart: each event carries its own request id', () => {
    for (let i = 0; i < 12; i++) {
      const events = withRequestId(run, `req-c${i}`);
      expect(events.map((e) => e.renderMessage().split(' in ')[0])).toEqual([
        'Request allowed',
        `Finding order c${i}`,
        `Loaded order c${i}`,
        `HTTP GET /orders/c${i} responded 200`,
      ]);
      expect(events[3].properties.OrderId).toBe(`c${i}`);
      expect(answers[`c${i}`].requestId).toBe(`req-c${i}`);
    }
  });

  it('logs a thrown HttpException once, with the exception, at the level its status maps to', () => {
    const events = withRequestId(run, 'req-missing');
    expect(events.filter((e) => e.exception !== undefined)).toHaveLength(1);
    const completion = events.find((e) => e.properties.SourceContext === 'RequestLogging')!;
    expect(completion.level).toBe('warning');
    expect(completion.properties.StatusCode).toBe(404);
    expect(completion.exception!.message).toBe('No such order');
    expect(completion.exception!.name).toBe('NotFoundException');
    expect(answers.missing.status).toBe(404);
  });

  it('logs an unknown error once as a 500 error, and Nest exception filter does not repeat it', () => {
    const events = withRequestId(run, 'req-boom');
    const withException = run.events.filter((e) => e.exception?.stack?.startsWith('Error: Kaboom\n') === true);
    expect(withException).toHaveLength(1);
    expect(withException[0]).toBe(events.find((e) => e.properties.SourceContext === 'RequestLogging'));
    expect(withException[0].level).toBe('error');
    expect(withException[0].properties.StatusCode).toBe(500);
    expect(run.events.filter((e) => e.properties.SourceContext === 'ExceptionsHandler')).toEqual([]);
    expect(answers.boom.status).toBe(500);
  });

  it('logs an unknown error a guard throws once, on the completion event, and Nest exception filter does not repeat it', () => {
    const failures = withRequestId(run, 'req-guard').filter((e) => e.level === 'error' || e.exception !== undefined);
    expect(
      failures.map((e) => [e.properties.SourceContext, e.level, e.properties.StatusCode, e.exception?.stack?.split('\n')[0]]),
    ).toEqual([['RequestLogging', 'error', 500, 'Error: Guard broke']]);
    expect(failures[0].properties.RoutePattern).toBe('/guarded');
    expect(answers.guard.status).toBe(500);
  });

  it('writes the status an exception filter sent for a handler error, and the level it maps to', () => {
    expect(answers.teapot.status).toBe(418);
    expectTeapot(run, 'req-teapot');
  });

  it('writes no completion event for an ignored path, but its events still carry the request id', () => {
    expect(sourced(withRequestId(run, 'req-health'))).toEqual([
      ['Audit', 'Request allowed'],
      [undefined, 'Health checked'],
    ]);
  });

  it('writes a completion event for a request no route matched', () => {
    const [completion] = withRequestId(run, 'req-unrouted');
    expect(completion.properties).toMatchObject({
      SourceContext: 'RequestLogging',
      StatusCode: 404,
      RequestPath: '/no/such/route',
    });
    expect(completion.properties).not.toHaveProperty('RoutePattern');
    expect(completion.level).toBe('warning');
    expect(answers.unrouted.requestId).toBe('req-unrouted');
  });

  it('takes the request id from traceparent, else generates one, and echoes it', () => {
    expect(answers.traced.requestId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(withRequestId(run, '0af7651916cd43dd8448eb211c80319c')).toHaveLength(4);
    expect(answers.generated.requestId).toMatch(UUID);
    expect(withRequestId(run, answers.generated.requestId!)).toHaveLength(4);
  });

  it('writes a StreamableFile download the client abandons as aborted, not as responded 200', () => {
    expectAbortedDownload(run, 'req-download');
  });

  it('writes a download whose body fails on the server as failed with that error, not as aborted by the client', () => {
    expectBrokenDownload(run, 'req-broken');
  });

  it('logs only the path of an absolute-form request target, never its user:password or query', () => {
    const [completion] = completions(run).filter((e) => e.properties.RequestId === 'req-absolute');
    expect(completion.properties).toMatchObject({ RequestPath: '/orders/abs', StatusCode: 200 });
    expect(JSON.stringify(withRequestId(run, 'req-absolute').map((e) => e.properties))).not.toContain('secret');
  });

  it("closes the logger after every module's shutdown hooks, a global module imported before RxlogModule and a deeper one included", () => {
    const hooks = shutdownEvents(run);
    expect(hooks).toEqual(
      expect.arrayContaining([
        [undefined, 'Infrastructure shut down on SIGTERM'],
        ['Infrastructure', 'Shutdown hook done'],
        [undefined, 'Feature shut down on SIGTERM'],
        [undefined, 'Deep shut down on SIGTERM'],
        ['Deep', 'Shutdown hook done'],
      ]),
    );
    expect(hooks).toHaveLength(6);
  });

  it('closes the logger on SIGTERM after everything was written, and reports the shutdown', () => {
    expect(run.signal ?? run.code).toBe('SIGTERM');
    const report = run.otherLines.find((line) => line.includes('[RxlogModule]'));
    expect(report).toMatch(
      new RegExp(
        `Logger closed \\(graceful, \\d+ ms\\): stdout: ${run.events.length} delivered, 0 dropped, 0 failed, 0 undelivered$`,
      ),
    );
    expect(run.lines[run.lines.length - 1]).toBe(report);
    expect(run.stderr).toBe('');
  });
});

describe('RxlogModule on Fastify (forRootAsync), with installProcessHooks too', () => {
  it('carries request ids through guard, service and Observable handlers, and writes completion events', async () => {
    const app = await startNestApp('nest-app.ts', ['fastify', 'async', 'hooks']);
    let run: NestAppRun | undefined;
    try {
      const order = await get(`${app.url}/orders/5`, { 'x-request-id': 'f-order' });
      const stream = await get(`${app.url}/stream`, { 'x-request-id': 'f-stream' });
      const missing = await get(`${app.url}/missing`, { 'x-request-id': 'f-missing' });
      await abandonDownload(app.url, 'f-download');
      await get(`${app.url}/broken`, { 'x-request-id': 'f-broken' }).catch(() => undefined);
      const teapot = await get(`${app.url}/teapot`, { 'x-request-id': 'f-teapot' });
      const guard = await get(`${app.url}/guarded?token=secret`, { 'x-request-id': 'f-guard' });
      expect([order.status, stream.status, missing.status, teapot.status, guard.status]).toEqual([200, 200, 404, 418, 500]);
      expect(order.requestId).toBe('f-order');
    } finally {
      run = await app.stop();
    }
    expect(sourced(withRequestId(run, 'f-order')).map(([source]) => source)).toEqual([
      'Audit',
      undefined,
      'Orders',
      'RequestLogging',
    ]);
    expect(withRequestId(run, 'f-order')[3].properties).toMatchObject({
      RoutePattern: '/orders/:id',
      StatusCode: 200,
      UserId: 42,
      OrderId: '5',
    });
    expect(sourced(withRequestId(run, 'f-stream'))[1]).toEqual([undefined, 'Observable handler ran']);
    const missingCompletion = withRequestId(run, 'f-missing').find((e) => e.exception !== undefined)!;
    expect([missingCompletion.level, missingCompletion.properties.StatusCode]).toEqual(['warning', 404]);
    expect(sourced(run.events)).toEqual(expect.arrayContaining([['NestApplication', 'Nest application successfully started']]));
    expectAbortedDownload(run, 'f-download');
    expectBrokenDownload(run, 'f-broken');
    expectTeapot(run, 'f-teapot');
    // A guard's rejection: the interceptor never saw the request, but Fastify knew its route.
    const guardCompletions = completions(run).filter((e) => e.properties.RequestId === 'f-guard');
    expect(
      guardCompletions.map((e) => [e.level, e.properties.StatusCode, e.properties.RoutePattern, e.properties.RequestPath]),
    ).toEqual([['error', 500, '/guarded', '/guarded']]);
    expect(shutdownEvents(run)).toHaveLength(6);
    expect(run.otherLines.some((line) => /Logger closed \(graceful, \d+ ms\): stdout: \d+ delivered, 0 dropped/.test(line))).toBe(
      true,
    );
  }, 180_000);
});

describe('RxlogModule in an app with a global prefix', () => {
  it('opens the request context for every path under the prefix, without a warning about its own route at boot', async () => {
    const app = await startNestApp('nest-app.ts', ['express', 'sync', 'none', 'prefix']);
    let run: NestAppRun | undefined;
    try {
      expect((await get(`${app.url}/api/orders/4`, { 'x-request-id': 'p-order' })).status).toBe(200);
      expect((await get(`${app.url}/api`, { 'x-request-id': 'p-root' })).status).toBe(404);
      expect((await get(`${app.url}/api/no/such/route`, { 'x-request-id': 'p-unrouted' })).status).toBe(404);
    } finally {
      run = await app.stop();
    }
    expect(
      run.events
        .filter((e) => e.level === 'warning' && e.properties.SourceContext !== 'RequestLogging')
        .map((e) => e.renderMessage()),
    ).toEqual([]);
    expect(sourced(withRequestId(run, 'p-order')).map(([source]) => source)).toEqual([
      'Audit',
      undefined,
      'Orders',
      'RequestLogging',
    ]);
    expect(completions(run).map((e) => [e.properties.RequestId, e.properties.StatusCode])).toEqual([
      ['p-order', 200],
      ['p-root', 404],
      ['p-unrouted', 404],
    ]);
  }, 180_000);
});

describe('RxlogModule in an app created with logger: false', () => {
  it('writes its events, and nothing through Nest’s console, not even the shutdown report', async () => {
    const app = await startNestApp('nest-app.ts', ['express', 'sync', 'quiet']);
    let run: NestAppRun | undefined;
    try {
      expect((await get(`${app.url}/orders/3`, { 'x-request-id': 'q-order' })).status).toBe(200);
    } finally {
      run = await app.stop();
    }
    expect(sourced(withRequestId(run, 'q-order')).map(([source]) => source)).toEqual([
      'Audit',
      undefined,
      'Orders',
      'RequestLogging',
    ]);
    expect(run.otherLines).toEqual([expect.stringMatching(/^listening \d+$/)]);
    expect(run.stderr).toBe('');
  }, 180_000);
});

describe('RxlogModule registrations a new user gets wrong, in real Nest application contexts', () => {
  let outcomes: Record<string, string>;

  beforeAll(async () => {
    outcomes = await fixtureOutcomes<Record<string, string>>('nest-module-mistakes.ts');
  }, 120_000);

  it('refuses a misspelt option with a ConfigurationError naming it, in forRoot and in what forRootAsync’s factory returns', () => {
    expect(outcomes).toMatchObject({
      'forRoot, correct': 'started',
      'forRoot, misspelt option':
        'ConfigurationError: RxlogModule: unknown option "requestLoging" (expected one of configure, logger, requestLogging, shutdown)',
      'forRootAsync, misspelt option from the factory':
        'ConfigurationError: RxlogModule: unknown option "shutdwn" (expected one of configure, logger, requestLogging, shutdown)',
      'forRootAsync, misspelt requestLogging option':
        'ConfigurationError: RxlogModule requestLogging: unknown option "ignorePath" (expected one of ignorePaths, level, requestIdHeader, messageTemplate, abortedTemplate, trustIncomingRequestId, generateRequestId)',
      'forRoot, trustIncomingRequestId not a boolean':
        'ConfigurationError: RxlogModule requestLogging.trustIncomingRequestId: expected true or false, got "false"',
      'forRootAsync, misspelt shutdown option':
        'ConfigurationError: RxlogModule shutdown: unknown option "timeout" (expected one of strategy, timeoutMs, report)',
      'forRootAsync, misspelt own option':
        'ConfigurationError: RxlogModule.forRootAsync: unknown option "injects" (expected one of imports, inject, useFactory, useClass, useExisting, extraProviders, provideInjectionTokensFrom)',
      'forRootAsync, inject not an array':
        'ConfigurationError: RxlogModule.forRootAsync inject: expected an array of the providers useFactory takes, got "ConfigService"',
      'forRootAsync, imports not an array':
        'ConfigurationError: RxlogModule.forRootAsync imports: expected an array of modules, got "ConfigModule"',
    });
  });

  it('refuses a second registration, which would give every request two ids and two completion events', () => {
    expect(outcomes['registered twice']).toBe(
      'ConfigurationError: RxlogModule: registered 2 times in one app (forRoot or forRootAsync); import it once, in the root module: it is global, so every module can inject its Logger',
    );
    expect(outcomes['the same registration imported twice']).toBe('started');
  });

  it('refuses a logger an earlier app’s shutdown closed, which would reject everything the new app logs', () => {
    expect(outcomes['the logger an earlier app closed']).toBe(
      'ConfigurationError: RxlogModule logger: this logger was closed when an earlier app shut down, and would reject everything this app logs; give each app a logger of its own (configure, or forRootAsync with a useFactory that makes one), or shutdown: false and close it yourself',
    );
  });

  it('refuses a logger closed otherwise (by an earlier app’s own hook, or before), which would reject everything too', () => {
    const closed =
      'ConfigurationError: RxlogModule logger: this logger is closed (its close() was called: by an earlier app, or by the code that made it), and would reject everything this app logs; give the app an open logger, a new one for each app (configure, or forRootAsync with a useFactory that makes one)';
    expect(outcomes['the logger an earlier app closed itself']).toBe(closed);
    expect(outcomes['a closed logger from forRootAsync']).toBe(closed);
  });

  it('refuses both logger and configure, rather than ignoring configure', () => {
    expect(outcomes['logger and configure both']).toBe(
      'ConfigurationError: RxlogModule: give logger or configure, not both (configure would be ignored)',
    );
  });
});
