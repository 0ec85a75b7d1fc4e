import type { LogEvent } from '../../lib/core/log-event';
import { type NestAppRun, startNestApp } from './fixtures/run-nest-app';

// A real NestJS 12 app (spec/nest/fixtures/nest-throwing-filter-app.ts) whose global exception
// filter throws, in a child process on 127.0.0.1: the filter's error escapes Nest to the HTTP
// framework, which answers 500 itself (Express's final handler, Fastify's default error handler).

const cases = [
  ['express', ''],
  ['express', 'prefix'],
  ['express', 'own-handler'],
  ['express', 'shared'],
  ['fastify', ''],
] as const;

const ofRequest = (run: NestAppRun, id: string): LogEvent[] => run.events.filter((e) => e.properties.RequestId === id);
const summary = (events: readonly LogEvent[]): unknown[] =>
  events.map((e) => [e.level, e.properties.SourceContext, e.properties.StatusCode, e.exception?.message]);

describe.each(cases)('RxlogModule with a global exception filter that throws (%s %s)', (platform, variant) => {
  let run: NestAppRun;
  const statuses: Record<string, number> = {};

  beforeAll(async () => {
    const app = await startNestApp('nest-throwing-filter-app.ts', variant === '' ? [platform] : [platform, variant]);
    const base = variant === 'prefix' ? `${app.url}/api` : app.url;
    try {
      for (const [id, path] of [
        ['failing', '/failing'],
        ['unknown', '/no/such/route'],
        ['refused', '/refused'],
        ['fine', '/fine'],
      ]) {
        const response = await fetch(`${base}${path}`, { headers: { 'x-request-id': id } });
        await response.arrayBuffer();
        statuses[id] = response.status;
      }
    } finally {
      run = await app.stop();
    }
  }, 120_000);

  it('writes the filter’s error beside the handler’s error on the completion event, once', () => {
    expect(statuses.failing).toBe(500);
    expect(summary(ofRequest(run, 'failing'))).toEqual([
      ['error', 'ExceptionsHandler', undefined, 'Error: Global filter broke'],
      ['error', 'RequestLogging', 500, 'Error: Handler failed'],
    ]);
  });

  it('puts the filter’s error on the completion event of a request that had no error of its own', () => {
    expect([statuses.unknown, statuses.refused]).toEqual([500, 500]);
    expect(summary(ofRequest(run, 'unknown'))).toEqual([['error', 'RequestLogging', 500, 'Error: Global filter broke']]);
    expect(summary(ofRequest(run, 'refused'))).toEqual([['error', 'RequestLogging', 500, 'Error: Global filter broke']]);
  });

  it('leaves requests the filter never sees as they are', () => {
    expect(statuses.fine).toBe(200);
    expect(summary(ofRequest(run, 'fine'))).toEqual([['information', 'RequestLogging', 200, undefined]]);
  });
});
