import { connect } from 'node:net';
import type { LogEvent } from '../../lib/core/log-event';
import { type NestApp, type NestAppRun, startNestApp } from './fixtures/run-nest-app';

// A real NestJS 12 app (spec/nest/fixtures/nest-held-filter-app.ts) in a child process on
// 127.0.0.1, whose global exception filter logs the error under `ExceptionsHandler` and then never
// answers; the client leaves once the app writes that the filter holds its request.

/** Sends a GET for `path` with `id`, waits until the filter holds it, then leaves without an answer. */
async function leaveOnceHeld(app: NestApp, path: string, id: string): Promise<string> {
  const socket = connect(Number(new URL(app.url).port), '127.0.0.1');
  let received = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Request-Id: ${id}\r\n\r\n`);
  await app.lineMatching(new RegExp(`^holding ${id}$`));
  socket.destroy();
  await closed;
  return received;
}

const completions = (run: NestAppRun, id: string): LogEvent[] =>
  run.events.filter((e) => e.properties.RequestId === id && e.properties.SourceContext === 'RequestLogging');

describe.each(['express', 'fastify'])('RxlogModule on %s, a global filter that never answers, the client leaving', (platform) => {
  let run: NestAppRun;
  const received: Record<string, string> = {};

  beforeAll(async () => {
    const app = await startNestApp('nest-held-filter-app.ts', [platform]);
    try {
      received.guard = await leaveOnceHeld(app, '/guarded', 'held-guard');
      received.handler = await leaveOnceHeld(app, '/failing', 'held-handler');
      received.forbidden = await leaveOnceHeld(app, '/forbidden', 'held-forbidden');
      received.upstream = await leaveOnceHeld(app, '/upstream', 'held-upstream');
      received.gone = await leaveOnceHeld(app, '/gone', 'held-gone');
    } finally {
      run = await app.stop();
    }
  }, 120_000);

  it.each([
    ['a guard’s error, which reached the event through the filter', 'guard', 'held-guard', '/guarded', 'Guard failed'],
    ['a handler’s error', 'handler', 'held-handler', '/failing', 'Handler failed'],
  ])('writes %s as aborted by the client, with the error, not as responded 500', (_what, key, id, path, message) => {
    expect(received[key]).toBe('');
    const events = completions(run, id);
    expect(events.map((e) => [e.level, e.properties.SourceContext, e.properties.Aborted, e.properties.StatusCode])).toEqual([
      ['error', 'RequestLogging', true, undefined],
    ]);
    expect(events[0].renderMessage()).toMatch(new RegExp(`^HTTP GET ${path} aborted by the client after \\d+\\.\\d{4} ms$`));
    expect(events[0].exception?.stack?.split('\n')[0]).toBe(`Error: ${message}`);
    // The error the filter reported as its message and stack is the event's: not written again beside it.
    expect(run.events.filter((e) => e.properties.RequestId === id && e.properties.SourceContext === 'ExceptionsHandler')).toEqual(
      [],
    );
  });

  it('writes a guard’s ForbiddenException the filter reported as aborted at the level of its 403: a warning', () => {
    expect(received.forbidden).toBe('');
    const events = completions(run, 'held-forbidden');
    expect(events.map((e) => [e.level, e.properties.Aborted, e.properties.StatusCode])).toEqual([['warning', true, undefined]]);
    expect(events[0].renderMessage()).toMatch(/^HTTP GET \/forbidden aborted by the client after \d+\.\d{4} ms$/);
    expect(events[0].exception?.stack?.split('\n')[0]).toBe('ForbiddenException: Forbidden');
    // Carried by the completion event, not written again beside it.
    const beside = run.events.filter(
      (e) => e.properties.RequestId === 'held-forbidden' && e.properties.SourceContext === 'ExceptionsHandler',
    );
    expect(beside).toEqual([]);
  });

  // Nest's own filter would have answered each with the status it reads from the error.
  it.each([
    [
      'an "http-errors" error of a handler, which Nest answers 410, as a warning',
      'gone',
      'held-gone',
      'warning',
      'Error: Order gone',
    ],
    [
      'a guard’s Error that only carries a statusCode, which Nest answers 500, as an error',
      'upstream',
      'held-upstream',
      'error',
      'Error: Upstream answered 404',
    ],
  ])('writes %s at the level of the status Nest would send', (_what, key, id, level, exception) => {
    expect(received[key]).toBe('');
    const events = completions(run, id);
    expect(events.map((e) => [e.level, e.properties.Aborted, e.properties.StatusCode])).toEqual([[level, true, undefined]]);
    expect(events[0].exception?.stack?.split('\n')[0]).toBe(exception);
  });
});
