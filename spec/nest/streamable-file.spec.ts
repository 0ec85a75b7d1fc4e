import { request as httpRequest } from 'node:http';
import type { LogEvent } from '../../lib/core/log-event';
import { type NestAppRun, startNestApp } from './fixtures/run-nest-app';

// A StreamableFile whose stream fails, in a real NestJS 12 app (spec/nest/fixtures/nest-streamable-app.ts)
// on Express 5 and on Fastify 5, in a child process on 127.0.0.1. Nest logs the stream's error itself
// under `Logger('StreamableFile')` (Express) or leaves it to Fastify's own logger (off by default),
// then destroys the response without it (failed mid-body) or answers 400 (Express, failed before
// the headers): the request's completion event is the one place that says why, with the error.

/** One GET on its own connection; resolves with the status the client saw, or 'error' when the server cut it. */
function get(url: string, requestId: string): Promise<string> {
  return new Promise((resolve) => {
    const req = httpRequest(url, { headers: { 'x-request-id': requestId }, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(String(res.statusCode)));
      res.on('error', () => resolve('error'));
    });
    req.on('error', () => resolve('error'));
    req.end();
  });
}

const withId = (run: NestAppRun, id: string): LogEvent[] => run.events.filter((e) => e.properties.RequestId === id);

/** Every event of a request but Fastify's Content-Type warning, as [source, level, status, exception's first line]. */
function eventsOf(run: NestAppRun, id: string): unknown[] {
  return withId(run, id)
    .filter((e) => e.properties.SourceContext !== 'FastifyAdapter')
    .map((e) => [e.properties.SourceContext, e.level, e.properties.StatusCode, e.exception?.stack?.split('\n')[0]]);
}

describe.each(['express', 'fastify'])('RxlogModule on %s, with a StreamableFile that fails', (platform) => {
  let run: NestAppRun;
  const seen: Record<string, string> = {};

  beforeAll(async () => {
    const app = await startNestApp('nest-streamable-app.ts', [platform]);
    try {
      seen.midway = await get(`${app.url}/midway`, 'midway');
      seen.missing = await get(`${app.url}/missing`, 'missing');
      seen.handled = await get(`${app.url}/handled`, 'handled');
      seen.cut = await get(`${app.url}/cut`, 'cut');
      seen.fine = await get(`${app.url}/fine`, 'fine');
    } finally {
      run = await app.stop();
    }
  }, 120_000);

  it('carries the error of a stream that failed mid-body on the completion event, not beside it', () => {
    expect(seen.midway).toBe('error');
    expect(eventsOf(run, 'midway')).toEqual([['RequestLogging', 'error', 200, 'Error: disk read failed midway']]);
  });

  it('carries the error of a stream that failed before the headers on the completion event, with the status sent', () => {
    // Express's StreamableFile answers 400 itself; Fastify's error handler answers 500.
    const status = platform === 'express' ? 400 : 500;
    expect(seen.missing).toBe(String(status));
    expect(eventsOf(run, 'missing')).toEqual([
      ['RequestLogging', 'error', status, expect.stringMatching(/^Error: ENOENT: no such file or directory, open /)],
    ]);
  });

  it("carries the stream's error when the app's own error handler answered, at the level of the status it sent", () => {
    // Fastify sends the stream itself, without the StreamableFile's error handler: its error handler answers 500.
    const [status, level] = platform === 'express' ? [404, 'warning'] : [500, 'error'];
    expect(seen.handled).toBe(String(status));
    expect(eventsOf(run, 'handled')).toEqual([
      ['RequestLogging', level, status, expect.stringMatching(/^Error: ENOENT: no such file or directory, open /)],
    ]);
  });

  it("carries the stream's error when the app's own error handler cut the response short without it", () => {
    expect(seen.cut).toBe('error');
    expect(eventsOf(run, 'cut')).toEqual([['RequestLogging', 'error', 200, 'Error: disk read failed midway']]);
  });

  it('writes a StreamableFile sent whole as an information event without an exception', () => {
    expect(seen.fine).toBe('200');
    expect(eventsOf(run, 'fine')).toEqual([['RequestLogging', 'information', 200, undefined]]);
  });
});
