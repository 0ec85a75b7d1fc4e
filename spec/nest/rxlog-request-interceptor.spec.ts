import { request as httpRequest } from 'node:http';
import type { LogEvent } from '../../lib/core/log-event';
import { type NestAppRun, startNestApp } from './fixtures/run-nest-app';

// A hostile client against a real NestJS 12 app (spec/nest/fixtures/nest-hostile-app.ts) on Express 5
// and on Fastify 5, in a child process on 127.0.0.1: every request gets exactly one completion
// event with the status the client saw (or Aborted), its route, its path without the query, and its
// own request id on every event it logged.

interface Exchange {
  /** The status the client saw, 'aborted' when it left first, or 'error' when the server cut it. */
  readonly outcome: string;
  readonly requestId: string | undefined;
}

interface Send {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** Leaves after the first body bytes arrive. */
  readonly leaveOnData?: boolean;
  /** Sends the body (not ended) and leaves this many milliseconds after connecting. */
  readonly leaveAfterMs?: number;
}

/** One request on its own connection. */
function send(url: string, options: Send = {}): Promise<Exchange> {
  return new Promise((resolve) => {
    let requestId: string | undefined;
    const req = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      requestId = res.headers['x-request-id'] as string | undefined;
      res.on('data', () => {
        if (options.leaveOnData !== true) return;
        req.destroy();
        resolve({ outcome: 'aborted', requestId });
      });
      res.on('end', () => resolve({ outcome: String(res.statusCode), requestId }));
      res.on('error', () => resolve({ outcome: 'error', requestId }));
    });
    req.on('error', () => resolve({ outcome: options.leaveAfterMs === undefined ? 'error' : 'aborted', requestId }));
    if (options.leaveAfterMs === undefined) {
      req.end(options.body);
      return;
    }
    req.write(options.body ?? '');
    const leaveAfterMs = options.leaveAfterMs;
    const leave = (): unknown =>
      setTimeout(() => {
        req.destroy();
        resolve({ outcome: 'aborted', requestId });
      }, leaveAfterMs);
    // Counted from the connection, whose 'connect' writes what is pending: counted from the call, a
    // loaded machine could run the timer before the connection, and the server never saw the request.
    req.once('socket', (socket) => (socket.connecting ? socket.once('connect', leave) : leave()));
  });
}

const withId = (run: NestAppRun, id: string): LogEvent[] => run.events.filter((e) => e.properties.RequestId === id);
const completionsOf = (run: NestAppRun, id: string): LogEvent[] =>
  withId(run, id).filter((e) => e.properties.SourceContext === 'RequestLogging');

/** The one completion event of a request, as [level, status, route, path, aborted, exception's first line]. */
function completion(run: NestAppRun, id: string): unknown[] {
  return completionsOf(run, id).map((e) => [
    e.level,
    e.properties.StatusCode,
    e.properties.RoutePattern,
    e.properties.RequestPath,
    e.properties.Aborted,
    e.exception?.stack?.split('\n')[0],
  ]);
}

const CONCURRENT = 200;
const SCOPED = 20;

describe.each(['express', 'fastify'])('RxlogModule on %s, against a hostile client', (platform) => {
  let run: NestAppRun;
  const exchanges: Record<string, Exchange> = {};
  let concurrent: Exchange[] = [];
  let scoped: Exchange[] = [];

  beforeAll(async () => {
    const app = await startNestApp('nest-hostile-app.ts', [platform]);
    const id = (requestId: string, more: Record<string, string> = {}): Record<string, string> => ({
      'x-request-id': requestId,
      ...more,
    });
    const json = (requestId: string): Record<string, string> => id(requestId, { 'content-type': 'application/json' });
    try {
      const u = app.url;
      exchanges.sse = await send(`${u}/sse?token=secret`, { headers: id('sse'), leaveOnData: true });
      exchanges.sseError = await send(`${u}/sse-error`, { headers: id('sse-error') });
      exchanges.sseString = await send(`${u}/sse-string`, { headers: id('sse-string') });
      exchanges.sseUndefined = await send(`${u}/sse-undefined`, { headers: id('sse-undefined') });
      exchanges.webStreamError = await send(`${u}/web-stream-error`, { headers: id('web-stream-error') });
      exchanges.listenerError = await send(`${u}/listener-error`, { headers: id('listener-error') });
      exchanges.listenerAfterHandler = await send(`${u}/listener-after-handler`, { headers: id('listener-after-handler') });
      exchanges.ignoredHttpError = await send(`${u}/ignored/http-error`, { headers: id('ignored-http-error') });
      exchanges.ignoredHttpObject = await send(`${u}/ignored/http-object`, { headers: id('ignored-http-object') });
      exchanges.ignoredFailure = await send(`${u}/ignored/failure`, { headers: id('ignored-failure') });
      exchanges.ignoredListenerError = await send(`${u}/ignored/listener-error`, { headers: id('ignored-listener-error') });
      exchanges.unserializable = await send(`${u}/unserializable`, { headers: id('unserializable') });
      exchanges.chunks = await send(`${u}/chunks`, { headers: id('chunks') });
      exchanges.chunksLeft = await send(`${u}/held`, { headers: id('chunks-left'), leaveOnData: true });
      exchanges.never = await send(`${u}/never?secret=1`, { headers: id('never'), leaveAfterMs: 60 });
      exchanges.pipe = await send(`${u}/pipe/abc`, { headers: id('pipe') });
      exchanges.asyncError = await send(`${u}/async-error`, { headers: id('async-error') });
      exchanges.syncError = await send(`${u}/sync-error`, { headers: id('sync-error') });
      exchanges.foreignError = await send(`${u}/foreign-error`, { headers: id('foreign-error') });
      exchanges.intercepted = await send(`${u}/intercepted`, { headers: id('intercepted') });
      exchanges.interceptedLater = await send(`${u}/intercepted-later`, { headers: id('intercepted-later') });
      exchanges.filtered = await send(`${u}/filtered`, { headers: id('filtered') });
      exchanges.refused = await send(`${u}/refused/7?token=secret`, { headers: id('refused') });
      exchanges.noContent = await send(`${u}/no-content`, { headers: id('no-content') });
      exchanges.notModified = await send(`${u}/not-modified`, { headers: id('not-modified') });
      exchanges.afterHeaders = await send(`${u}/after-headers`, { headers: id('after-headers') });
      exchanges.lateThrow = await send(`${u}/late-throw`, { headers: id('late-throw') });
      exchanges.endThenThrow = await send(`${u}/end-then-throw`, { headers: id('end-then-throw') });
      exchanges.throwString = await send(`${u}/throw-string`, { headers: id('throw-string') });
      exchanges.rejectObject = await send(`${u}/reject-object`, { headers: id('reject-object') });
      exchanges.stringGuarded = await send(`${u}/string-guarded`, { headers: id('string-guarded') });
      exchanges.endThenThrowString = await send(`${u}/end-then-throw-string`, { headers: id('end-then-throw-string') });
      exchanges.rejectEmpty = await send(`${u}/reject-empty`, { headers: id('reject-empty') });
      exchanges.throwNull = await send(`${u}/throw-null`, { headers: id('throw-null') });
      exchanges.undefinedGuarded = await send(`${u}/undefined-guarded`, { headers: id('undefined-guarded') });
      exchanges.endThenThrowUndefined = await send(`${u}/end-then-throw-undefined`, { headers: id('end-then-throw-undefined') });
      exchanges.head = await send(`${u}/context/1`, { headers: id('head'), method: 'HEAD' });
      exchanges.unknown = await send(`${u}/no/such/route?token=secret`, { headers: id('unknown') });
      exchanges.upload = await send(`${u}/upload`, { headers: json('upload'), method: 'POST', body: '{"a":1,"b":2}' });
      exchanges.badJson = await send(`${u}/upload`, { headers: json('bad-json'), method: 'POST', body: '{"a":' });
      exchanges.uploadLeft = await send(`${u}/upload`, {
        headers: id('upload-left', { 'content-type': 'application/json', 'content-length': '100000' }),
        method: 'POST',
        body: '{"a":',
        leaveAfterMs: 60,
      });
      exchanges.upstreamReset = await send(`${u}/upstream-reset`, { headers: id('upstream-reset'), leaveAfterMs: 30 });
      // The handler fails 150 ms after it started, after the client left.
      await new Promise((resolve) => setTimeout(resolve, 200));
      exchanges.hugeId = await send(`${u}/context/2`, { headers: id('x'.repeat(8000)) });
      exchanges.garbageTrace = await send(`${u}/context/3`, { headers: { traceparent: `00-${'f'.repeat(8000)}` } });
      scoped = await Promise.all(Array.from({ length: SCOPED }, (_, i) => send(`${u}/scoped/${i}`, { headers: id(`s-${i}`) })));
      concurrent = await Promise.all(
        Array.from({ length: CONCURRENT }, (_, i) => send(`${u}/context/${i}`, { headers: id(`c-${i}`) })),
      );
    } finally {
      run = await app.stop();
    }
  }, 180_000);

  it('writes a server-sent event stream or chunked response the client leaves as aborted, once', () => {
    expect(completion(run, 'sse')).toEqual([['warning', undefined, '/sse', '/sse', true, undefined]]);
    expect(completion(run, 'chunks')).toEqual([['information', 200, '/chunks', '/chunks', undefined, undefined]]);
    expect(completion(run, 'chunks-left')).toEqual([['warning', undefined, '/held', '/held', true, undefined]]);
    expect(completion(run, 'never')).toEqual([['warning', undefined, '/never', '/never', true, undefined]]);
    expect(withId(run, 'never').map((e) => e.renderMessage())[0]).toBe('Never answering');
  });

  it('writes the error of a server-sent event stream once, on its completion event with the status sent, not also beside it', () => {
    expect(exchanges.sseError.outcome).toBe('200');
    expect(completion(run, 'sse-error')).toEqual([['error', 200, '/sse-error', '/sse-error', undefined, 'Error: Stream kaboom']]);
    // Nest's response controller logs it too (under RouterResponseController), after the interceptor saw it.
    expect(withId(run, 'sse-error').filter((e) => e.exception !== undefined)).toHaveLength(1);
  });

  // Nest's response controller logs such a value as it is, which was written beside the completion event.
  it('writes a server-sent event stream that fails with a value that is not an Error (a string, undefined) once, on its completion event', () => {
    expect([exchanges.sseString.outcome, exchanges.sseUndefined.outcome]).toEqual(['200', '200']);
    expect(completion(run, 'sse-string')).toEqual([
      ['error', 200, '/sse-string', '/sse-string', undefined, 'ThrownValueError: Stream gave up'],
    ]);
    expect(completion(run, 'sse-undefined')).toEqual([
      ['error', 200, '/sse-undefined', '/sse-undefined', undefined, 'ThrownValueError: undefined'],
    ]);
    for (const id of ['sse-string', 'sse-undefined'])
      expect([id, withId(run, id).map((e) => e.properties.SourceContext)]).toEqual([id, ['RequestLogging']]);
  });

  it('writes the error of a streamed web Response body that fails mid-body once, on its completion event, not ResponseDestroyed', () => {
    // Nest logs it under RouterResponseController and cuts the response short: the client got 200 and part of the body.
    expect(exchanges.webStreamError.outcome).toBe('error');
    expect(completion(run, 'web-stream-error')).toEqual([
      ['error', 200, '/web-stream-error', '/web-stream-error', undefined, 'Error: Body kaboom'],
    ]);
    expect(withId(run, 'web-stream-error').filter((e) => e.exception !== undefined)).toHaveLength(1);
  });

  it('writes an event listener’s error, reported while the handler ran and suppressed, beside a 200 completion, not on it', () => {
    expect(exchanges.listenerError.outcome).toBe('200');
    expect(completion(run, 'listener-error')).toEqual([
      ['information', 200, '/listener-error', '/listener-error', undefined, undefined],
    ]);
    const errors = withId(run, 'listener-error').filter((e) => e.exception !== undefined);
    expect(errors.map((e) => [e.level, e.properties.SourceContext, e.exception?.message])).toEqual([
      ['error', 'ExceptionsHandler', 'Error: Listener kaboom'],
    ]);
  });

  // The request context kept what Nest reported once the handler had ended for the completion
  // event (as a guard's error is kept), so a listener failing while the response was still being
  // sent made a 200 request an error with the listener's exception.
  it('writes an event listener’s error, reported after the handler ended but before the response closed, beside a 200 completion', () => {
    expect(exchanges.listenerAfterHandler.outcome).toBe('200');
    expect(completion(run, 'listener-after-handler')).toEqual([
      ['information', 200, '/listener-after-handler', '/listener-after-handler', undefined, undefined],
    ]);
    const errors = withId(run, 'listener-after-handler').filter((e) => e.exception !== undefined);
    expect(errors.map((e) => [e.level, e.properties.SourceContext, e.exception?.message])).toEqual([
      ['error', 'ExceptionsHandler', 'Error: Listener kaboom after the handler'],
    ]);
  });

  it('still writes a failure to send the handler’s result, which Nest reports after the handler ended, once, on its completion event', () => {
    expect(exchanges.unserializable.outcome).toBe('500');
    expect(completion(run, 'unserializable')).toEqual([
      ['error', 500, '/unserializable', '/unserializable', undefined, 'TypeError: Do not know how to serialize a BigInt'],
    ]);
    expect(withId(run, 'unserializable')).toHaveLength(1);
  });

  // On an ignored path the completion event is written only for a failure (5xx). Nest's exception
  // filter answers an "http-errors" error, or a plain object with a statusCode, with that status and
  // reports it under ExceptionsHandler: it was kept for a completion event that was then not written.
  it('writes an error Nest reports and answers with a 4xx on an ignored path once, as its own event, with no completion event', () => {
    expect([exchanges.ignoredHttpError.outcome, exchanges.ignoredHttpObject.outcome]).toEqual(['410', '409']);
    const reported = (id: string): unknown[] =>
      withId(run, id).map((e) => [e.level, e.properties.SourceContext, e.exception?.stack?.split('\n')[0]]);
    expect(reported('ignored-http-error')).toEqual([['error', 'ExceptionsHandler', 'Error: Gone away']]);
    expect(reported('ignored-http-object')).toEqual([['error', 'ExceptionsHandler', undefined]]);
    expect(withId(run, 'ignored-http-object').map((e) => e.renderMessage())).toEqual([expect.stringContaining('Already taken')]);
    // A 5xx on an ignored path is still written once, on its completion event; a listener's error beside a 200 with none.
    expect(completion(run, 'ignored-failure')).toEqual([
      ['error', 500, '/ignored/failure', '/ignored/failure', undefined, 'Error: Ignored path kaboom'],
    ]);
    expect(withId(run, 'ignored-failure')).toHaveLength(1);
    expect(exchanges.ignoredListenerError.outcome).toBe('200');
    expect(reported('ignored-listener-error')).toEqual([['error', 'ExceptionsHandler', 'Error: Listener kaboom']]);
  });

  it('writes an error from a pipe, a handler, an interceptor or an exception filter once, at the level of the status sent', () => {
    expect([exchanges.pipe.outcome, exchanges.asyncError.outcome, exchanges.filtered.outcome]).toEqual(['400', '500', '500']);
    expect(completion(run, 'pipe')).toEqual([
      [
        'warning',
        400,
        '/pipe/:id',
        '/pipe/abc',
        undefined,
        'BadRequestException: Validation failed (numeric string is expected)',
      ],
    ]);
    expect(completion(run, 'async-error')).toEqual([
      ['error', 500, '/async-error', '/async-error', undefined, 'Error: Async kaboom'],
    ]);
    expect(completion(run, 'sync-error')).toEqual([
      ['error', 500, '/sync-error', '/sync-error', undefined, 'Error: Sync kaboom'],
    ]);
    // An Error from another realm (Node's own, in a Jest e2e spec) is an error too: on the event, not lost.
    expect(completion(run, 'foreign-error')).toEqual([
      ['error', 500, '/foreign-error', '/foreign-error', undefined, 'TypeError: Foreign kaboom'],
    ]);
    expect(completion(run, 'intercepted')).toEqual([
      ['error', 500, '/intercepted', '/intercepted', undefined, 'Error: Interceptor broke'],
    ]);
    expect(completion(run, 'intercepted-later')).toEqual([
      ['error', 500, '/intercepted-later', '/intercepted-later', undefined, 'Error: Interceptor broke later'],
    ]);
    expect(completion(run, 'filtered')).toEqual([['error', 500, '/filtered', '/filtered', undefined, 'Error: Filtered']]);
    for (const id of ['pipe', 'async-error', 'sync-error', 'foreign-error', 'intercepted', 'intercepted-later'])
      expect(withId(run, id).filter((e) => e.exception !== undefined)).toHaveLength(1);
  });

  it('writes an exception filter’s own failure beside the handler’s error on the completion event, not dropping it', () => {
    // Nest reports the filter's error under ExceptionsHandler; the completion event holds the handler's.
    const errors = withId(run, 'filtered').filter((e) => e.exception !== undefined);
    expect(errors.map((e) => [e.properties.SourceContext, e.exception?.message])).toEqual([
      ['ExceptionsHandler', 'Error: Filter broke'],
      ['RequestLogging', 'Error: Filtered'],
    ]);
  });

  it('writes a guard’s refusal, an unknown route, 204, 304 and HEAD with their status and route, without the query', () => {
    expect(completion(run, 'refused')).toEqual([['warning', 403, '/refused/:id', '/refused/7', undefined, undefined]]);
    expect(completion(run, 'unknown')).toEqual([['warning', 404, undefined, '/no/such/route', undefined, undefined]]);
    expect(completion(run, 'no-content')).toEqual([['information', 204, '/no-content', '/no-content', undefined, undefined]]);
    expect(completion(run, 'not-modified')).toEqual([
      ['information', 304, '/not-modified', '/not-modified', undefined, undefined],
    ]);
    expect(completion(run, 'head')).toEqual([['information', 200, '/context/:id', '/context/1', undefined, undefined]]);
  });

  it('writes a response the server destroys after its headers went out as failed with the status sent', () => {
    expect(completion(run, 'after-headers')).toEqual([
      ['error', 200, '/after-headers', '/after-headers', undefined, 'Error: Failed after the headers'],
    ]);
  });

  it('writes a handler that throws after its headers went out, or after its answer, at error with the status the client got', () => {
    expect(completion(run, 'late-throw')).toEqual([
      ['error', 200, '/late-throw', '/late-throw', undefined, 'Error: Thrown after the headers'],
    ]);
    expect(exchanges.endThenThrow.outcome).toBe('200');
    expect(completion(run, 'end-then-throw')).toEqual([
      ['error', 200, '/end-then-throw', '/end-then-throw', undefined, 'Error: Thrown after the answer'],
    ]);
  });

  // A value that is not an Error (a string, a plain object) went on no completion event: Nest's
  // exception filter wrote it as an ExceptionsHandler event of its own, beside a completion event
  // that said 500 without saying why.
  it('writes a thrown or rejected value that is not an Error once, on the completion event, as an Error is', () => {
    expect([exchanges.throwString, exchanges.rejectObject, exchanges.stringGuarded].map((e) => e.outcome)).toEqual([
      '500',
      '500',
      '500',
    ]);
    expect(completion(run, 'throw-string')).toEqual([
      ['error', 500, '/throw-string', '/throw-string', undefined, 'ThrownValueError: Out of stock'],
    ]);
    expect(completion(run, 'reject-object')).toEqual([
      ['error', 500, '/reject-object', '/reject-object', undefined, 'ThrownValueError: {"code":"E_STOCK","sku":"a-1"}'],
    ]);
    expect(completion(run, 'string-guarded')).toEqual([
      ['error', 500, '/string-guarded', '/string-guarded', undefined, 'ThrownValueError: Guard says no'],
    ]);
    expect(exchanges.endThenThrowString.outcome).toBe('200');
    expect(completion(run, 'end-then-throw-string')).toEqual([
      ['error', 200, '/end-then-throw-string', '/end-then-throw-string', undefined, 'ThrownValueError: Thrown after the answer'],
    ]);
    for (const id of ['throw-string', 'reject-object', 'string-guarded', 'end-then-throw-string'])
      expect(withId(run, id).map((e) => e.properties.SourceContext)).toEqual(['RequestLogging']);
  });

  // undefined and null stood for no error in a request's state: the completion event said 500
  // without saying why, and Nest's exception filter wrote 'undefined' or 'null' as an
  // ExceptionsHandler event beside it (a thrown null was on both).
  it('writes a thrown or rejected undefined or null once, on the completion event, as any other thrown value', () => {
    expect([exchanges.rejectEmpty, exchanges.throwNull, exchanges.undefinedGuarded].map((e) => e.outcome)).toEqual([
      '500',
      '500',
      '500',
    ]);
    expect(completion(run, 'reject-empty')).toEqual([
      ['error', 500, '/reject-empty', '/reject-empty', undefined, 'ThrownValueError: undefined'],
    ]);
    expect(completion(run, 'throw-null')).toEqual([
      ['error', 500, '/throw-null', '/throw-null', undefined, 'ThrownValueError: null'],
    ]);
    expect(completion(run, 'undefined-guarded')).toEqual([
      ['error', 500, '/undefined-guarded', '/undefined-guarded', undefined, 'ThrownValueError: undefined'],
    ]);
    expect(exchanges.endThenThrowUndefined.outcome).toBe('200');
    expect(completion(run, 'end-then-throw-undefined')).toEqual([
      ['error', 200, '/end-then-throw-undefined', '/end-then-throw-undefined', undefined, 'ThrownValueError: undefined'],
    ]);
    for (const id of ['reject-empty', 'throw-null', 'undefined-guarded', 'end-then-throw-undefined'])
      expect([id, withId(run, id).map((e) => e.properties.SourceContext)]).toEqual([id, ['RequestLogging']]);
  });

  it('logs a request whose JSON body is malformed or cut off, with its request id, and keeps it after body parsing', () => {
    expect(exchanges.badJson).toEqual({ outcome: '400', requestId: 'bad-json' });
    expect(completionsOf(run, 'bad-json').map((e) => [e.level, e.properties.StatusCode, e.properties.RequestPath])).toEqual([
      ['warning', 400, '/upload'],
    ]);
    expect(completionsOf(run, 'upload-left').map((e) => [e.level, e.properties.Aborted, e.properties.RequestPath])).toEqual([
      ['warning', true, '/upload'],
    ]);
    expect(exchanges.upload).toEqual({ outcome: '201', requestId: 'upload' });
    expect(withId(run, 'upload').map((e) => e.renderMessage().replace(/in [\d.]+ ms/, 'in … ms'))).toEqual([
      'Uploaded 2',
      'HTTP POST /upload responded 201 in … ms',
    ]);
  });

  it('writes a client that leaves in the middle of its body once, as aborted, not also as an error', () => {
    expect(exchanges.uploadLeft.outcome).toBe('aborted');
    expect(withId(run, 'upload-left').map((e) => [e.level, e.properties.Aborted, e.properties.RequestPath])).toEqual([
      ['warning', true, '/upload'],
    ]);
  });

  it('still writes a handler’s own connection reset after the client left, which is not the client’s body cut off', () => {
    expect(exchanges.upstreamReset.outcome).toBe('aborted');
    expect(
      withId(run, 'upstream-reset').map((e) => [e.level, e.properties.Aborted ?? e.exception?.stack?.split('\n')[0]]),
    ).toEqual([
      ['warning', true],
      ['error', 'Error: read ECONNRESET'],
    ]);
  });

  it('gives a request with a huge x-request-id or a garbage traceparent an id of its own', () => {
    for (const exchange of [exchanges.hugeId, exchanges.garbageTrace]) {
      expect(exchange.outcome).toBe('200');
      expect(exchange.requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(completionsOf(run, exchange.requestId!)).toHaveLength(1);
    }
  });

  it(`keeps ${CONCURRENT} overlapping requests apart across awaits, timers and RxJS operators`, () => {
    expect(concurrent.filter((e, i) => e.outcome === '200' && e.requestId === `c-${i}`)).toHaveLength(CONCURRENT);
    for (let i = 0; i < CONCURRENT; i++) {
      const events = withId(run, `c-${i}`);
      expect(events.map((e) => e.properties.Item ?? e.properties.SourceContext)).toEqual([
        String(i),
        String(i),
        String(i),
        String(i),
        String(i),
        String(i),
      ]);
    }
  });

  it('gives what a request-scoped provider logs, made and working under concurrent requests, its own request id', () => {
    expect(scoped.filter((e, i) => e.outcome === '200' && e.requestId === `s-${i}`)).toHaveLength(SCOPED);
    for (let i = 0; i < SCOPED; i++)
      expect(withId(run, `s-${i}`).map((e) => [e.properties.SourceContext, e.renderMessage()])).toEqual([
        ['PerRequestAudit', `Audit made for /scoped/${i}`],
        ['PerRequestAudit', `Audited ${i}`],
        ['RequestLogging', expect.stringMatching(new RegExp(`^HTTP GET /scoped/${i} responded 200 in `))],
      ]);
  });

  it('writes no error or warning outside a request, and nothing on stderr', () => {
    expect(
      run.events.filter((e) => (e.level === 'error' || e.level === 'warning') && e.properties.RequestId === undefined),
    ).toEqual([]);
    expect(run.stderr).toBe('');
  });
});

// An e2e test makes its app with @nestjs/testing: `Test.createTestingModule(...).compile()` creates
// the modules before `createNestApplication` gives the app its HTTP adapter.
describe.each(['express', 'fastify'])('RxlogModule on %s in an app made by @nestjs/testing', (platform) => {
  it('logs a request whose JSON body is malformed, with its request id, as an app made by NestFactory does', async () => {
    const app = await startNestApp('nest-hostile-app.ts', [platform, 'testing']);
    const json = (requestId: string): Record<string, string> => ({
      'x-request-id': requestId,
      'content-type': 'application/json',
    });
    let badJson: Exchange;
    let upload: Exchange;
    let run: NestAppRun;
    try {
      badJson = await send(`${app.url}/upload`, { headers: json('bad-json'), method: 'POST', body: '{"a":' });
      upload = await send(`${app.url}/upload`, { headers: json('upload'), method: 'POST', body: '{"a":1}' });
    } finally {
      run = await app.stop();
    }
    expect([badJson, upload]).toEqual([
      { outcome: '400', requestId: 'bad-json' },
      { outcome: '201', requestId: 'upload' },
    ]);
    expect(completionsOf(run, 'bad-json').map((e) => [e.level, e.properties.StatusCode, e.properties.RequestPath])).toEqual([
      ['warning', 400, '/upload'],
    ]);
    expect(completionsOf(run, 'upload').map((e) => [e.level, e.properties.StatusCode, e.properties.RoutePattern])).toEqual([
      ['information', 201, '/upload'],
    ]);
  }, 120_000);
});
