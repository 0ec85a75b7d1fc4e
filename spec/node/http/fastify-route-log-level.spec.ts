import Fastify from 'fastify';
import { fastifyLogger } from '../../../lib/node/http/fastify-logger';
import { fastifyRequestLogging } from '../../../lib/node/http/fastify-request-logging';
import { eventsArrive, get, memoryLogger } from '../../helpers/node-http';

// Fastify's way to quiet a route (a health check) is its `logLevel`: `'silent'` drops Fastify's
// own `incoming request` and `request completed` lines for it. The completion event that stands
// for those lines was written whatever the route's level, so a health check polled every second
// filled the log again once the plugin replaced Fastify's request logging.
describe("fastifyRequestLogging and a route's logLevel", () => {
  it('writes a completion event only at or above the level of its route, failures always', async () => {
    const { log, events } = memoryLogger();
    const app = Fastify({ loggerInstance: fastifyLogger(log) });
    await app.register(fastifyRequestLogging(log));
    let healthy = true;
    app.get('/health', { logLevel: 'silent' }, async (_request, reply) => (healthy ? 'ok' : reply.code(503).send('down')));
    app.get('/quiet', { logLevel: 'warn' }, async () => 'ok');
    app.get('/quiet-missing', { logLevel: 'warn' }, async (_request, reply) => reply.code(404).send());
    app.get('/loud', async () => 'ok');
    await app.register(
      async (plugin) => {
        plugin.get('/status', async () => 'ok');
      },
      { logLevel: 'error', prefix: '/internal' },
    );
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      for (const path of ['/health', '/quiet', '/quiet-missing', '/loud', '/internal/status']) await get(base + path);
      healthy = false;
      await get(`${base}/health`);
      const completed = (): typeof events => events.filter((e) => e.properties.Elapsed !== undefined);
      await eventsArrive(events, 3, (e) => e.properties.Elapsed !== undefined);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(completed().map((e) => [e.properties.RequestPath, e.properties.StatusCode, e.level])).toEqual([
        ['/quiet-missing', 404, 'warning'],
        ['/loud', 200, 'information'],
        ['/health', 503, 'error'],
      ]);
    } finally {
      await app.close();
      await log.close({ strategy: 'immediate', timeoutMs: 0 });
    }
  });
});
