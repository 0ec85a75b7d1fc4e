import type { LogEvent } from '../../lib/core/log-event';
import { type NestAppRun, startNestApp } from './fixtures/run-nest-app';

// A real NestJS 12 app (spec/nest/fixtures/nest-reporting-filter-app.ts) in a child process on
// 127.0.0.1, whose global exception filter reports each error under `ExceptionsHandler` as its
// message and stack (or as itself), then answers with the exception's status.

const completions = (run: NestAppRun, id: string): LogEvent[] =>
  run.events.filter((e) => e.properties.RequestId === id && e.properties.SourceContext === 'RequestLogging');

describe.each(['express', 'fastify'])(
  'RxlogModule on %s, a global filter that reports errors as their message and stack',
  (platform) => {
    let run: NestAppRun;
    const statuses: Record<string, number> = {};

    beforeAll(async () => {
      const app = await startNestApp('nest-reporting-filter-app.ts', [platform]);
      try {
        for (const [id, path] of [
          ['forbidden', '/forbidden'],
          ['itself', '/forbidden-itself'],
          ['failing', '/failing'],
          ['pipe', '/orders/abc'],
        ]) {
          const response = await fetch(`${app.url}${path}`, { headers: { 'x-request-id': id } });
          await response.text();
          statuses[id] = response.status;
        }
      } finally {
        run = await app.stop();
      }
    }, 120_000);

    it.each([
      ['a guard’s ForbiddenException', 'forbidden', '/forbidden', 403, 'warning', 'ForbiddenException: No entry'],
      [
        'a guard’s ForbiddenException reported as itself',
        'itself',
        '/forbidden-itself',
        403,
        'warning',
        'ForbiddenException: No entry',
      ],
      [
        'a pipe’s BadRequestException',
        'pipe',
        '/orders/abc',
        400,
        'warning',
        'BadRequestException: Validation failed (numeric string is expected)',
      ],
      ['a guard’s unknown error', 'failing', '/failing', 500, 'error', 'Error: Guard failed'],
    ])(
      'writes %s at the level of the status the filter sent, with the error, once',
      (_what, id, path, status, level, firstLine) => {
        expect(statuses[id]).toBe(status);
        const events = completions(run, id);
        expect(events.map((e) => [e.level, e.properties.StatusCode, e.exception?.stack?.split('\n')[0]])).toEqual([
          [level, status, firstLine],
        ]);
        expect(events[0].renderMessage()).toMatch(new RegExp(`^HTTP GET ${path} responded ${status} in \\d+\\.\\d{4} ms$`));
        // The filter's report is the completion event's exception: not written again beside it.
        expect(
          run.events.filter((e) => e.properties.RequestId === id && e.properties.SourceContext === 'ExceptionsHandler'),
        ).toEqual([]);
      },
    );
  },
);
