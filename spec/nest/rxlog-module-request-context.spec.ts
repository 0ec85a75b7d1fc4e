import type { LogEvent } from '../../lib/core/log-event';
import { type NestApp, type NestAppRun, startNestApp } from './fixtures/run-nest-app';

// A small real NestJS app (spec/nest/fixtures/nest-request-context-app.ts) in a child process on
// 127.0.0.1, on Express and on Fastify; every rxlog event it writes comes back as a CLEF line.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const completions = (run: NestAppRun): LogEvent[] => run.events.filter((e) => e.properties.SourceContext === 'RequestLogging');

/** Runs `requests` against the fixture app on `platform` (with `args`), then stops it and resolves with what it wrote. */
async function withApp(
  platform: string,
  args: readonly string[],
  requests: (app: NestApp) => Promise<void>,
): Promise<NestAppRun> {
  const app = await startNestApp('nest-request-context-app.ts', [platform, ...args]);
  try {
    await requests(app);
  } catch (error) {
    await app.stop();
    throw error;
  }
  return app.stop();
}

describe.each(['express', 'fastify'])('RxlogModule on %s with requestLogging.trustIncomingRequestId: false', (platform) => {
  it('ignores an incoming X-Request-Id and traceparent, and generates and echoes a fresh id', async () => {
    const echoed: (string | null)[] = [];
    const run = await withApp(platform, ['untrusted'], async (app) => {
      for (const headers of [
        { 'x-request-id': 'chosen-by-client' },
        { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
      ]) {
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

describe.each(['express', 'fastify'])('RxlogModule on %s', (platform) => {
  let run: NestAppRun;
  const answers: Record<string, { status: number; body: string } | Error> = {};

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
    });
  }, 120_000);

  it('logs a response the handler destroys before it ends as an error with a ResponseDestroyed exception, not as aborted', () => {
    // The client saw the connection close mid-body.
    expect(answers.cut).toMatchObject({ name: 'TypeError', message: 'terminated' });
    const [completion, ...more] = completions(run).filter((e) => e.properties.RequestId === 'r-cut');
    expect(more).toEqual([]);
    expect(completion.renderMessage()).toMatch(/^HTTP GET \/cut responded 200 in \d+\.\d{4} ms$/);
    expect([completion.level, completion.properties.Aborted, completion.properties.Route]).toEqual(['error', undefined, '/cut']);
    expect(completion.exception?.stack?.split('\n')[0]).toBe(
      'ResponseDestroyed: The server destroyed the response before it ended',
    );
  });
});
