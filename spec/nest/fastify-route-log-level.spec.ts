import { fixtureOutcomes } from './fixtures/run-nest-app';

// A Fastify route's `logLevel` (given to the route, or to the plugin that adds it) quiets Fastify's
// own request lines, and fastifyRequestLogging's completion events below it (docs/http-servers.md):
// RxlogModule on Fastify reads it the same way, for the routes an app adds on the Fastify
// instance (a real Nest 12 app on Fastify 5, spec/nest/fixtures/nest-fastify-route-level.ts).
describe('RxlogModule on Fastify, a route’s logLevel', () => {
  it('writes a completion event only at or above the level of its route, failures always', async () => {
    const { rows } = await fixtureOutcomes<{ rows: [string, string][] }>('nest-fastify-route-level.ts', [], {
      timeoutMs: 90_000,
    });
    expect(rows).toEqual([
      ['information', 'HTTP GET /orders/7 responded 200 in … ms'],
      // '/health' at 'silent' answering 200, '/internal/ping' of a plugin at 'warn' answering 200: not written.
      ['warning', 'HTTP GET /internal/gone responded 410 in … ms'],
      // A failing health check is written, as on an ignored path.
      ['error', 'HTTP GET /health responded 503 in … ms'],
    ]);
  }, 120_000);
});
