import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { SelfLog } from '../../../lib/core/self-log';
import { createIngestHandler } from '../../../lib/node/ingest/create-ingest-handler';
import { memoryLogger } from '../../helpers/node-http';

/**
 * Mounts the handler in Fastify 5 (given Fastify's own request and reply) under `trustProxy`;
 * POSTs one event a forged X-Forwarded-For each; resolves with the statuses and the SelfLog notices
 * about the setting.
 */
async function forge(trustProxy: unknown, forged: readonly string[]): Promise<{ statuses: number[]; notices: string[] }> {
  const { log } = memoryLogger();
  const ingest = createIngestHandler(log, { rateLimit: { perSecond: 0.001, burst: 1 } });
  const app = Fastify({ trustProxy: trustProxy as boolean });
  app.addContentTypeParser('application/vnd.serilog.clef', (_request, _payload, done) => done(null));
  app.post('/api/logs', (request, reply) => ingest(request, reply));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  const diagnostics: string[] = [];
  const subscription = SelfLog.events$.subscribe((event) => diagnostics.push(event.message));
  try {
    const statuses: number[] = [];
    for (const address of forged) {
      const response = await fetch(`http://127.0.0.1:${port}/api/logs`, {
        method: 'POST',
        body: JSON.stringify({ '@mt': 'From {Address}', Address: address }),
        headers: { 'Content-Type': 'application/vnd.serilog.clef', 'X-Forwarded-For': address },
      });
      await response.arrayBuffer();
      statuses.push(response.status);
    }
    return { statuses, notices: diagnostics.filter((text) => text.includes("Fastify's trustProxy")) };
  } finally {
    subscription.unsubscribe();
    await app.close();
    await log.close({ strategy: 'immediate', timeoutMs: 0 });
  }
}

describe("createIngestHandler under Fastify's trustProxy", () => {
  const forged = ['203.0.113.1', '203.0.113.2', '203.0.113.3'];

  // request.ip is then the first X-Forwarded-For entry, which the client writes: each forged
  // address got a bucket of its own, and only Express's setting was told to SelfLog.
  it.each([
    ['true', true],
    ['a function answering true', () => true],
    ['a list of subnets that holds every IPv4 address', '0.0.0.0/1,128.0.0.0/1'],
  ] as const)(
    'tells SelfLog once when the setting trusts every address (%s), under which each forged X-Forwarded-For gets a bucket of its own',
    async (_name, trustProxy) => {
      const { statuses, notices } = await forge(trustProxy, forged);
      expect(statuses).toEqual([200, 200, 200]);
      expect(notices).toHaveLength(1);
      expect(notices[0]).toContain('any client can forge');
    },
  );

  it.each([
    ['none', false],
    // Fastify 5 trusts no peer by a hop count alone (it cannot tell a proxy from a client).
    ['a hop count', 10_000],
    ["the proxy's address", '127.0.0.1'],
  ] as const)("says nothing of a setting that trusts only the app's proxies (%s)", async (_name, trustProxy) => {
    const { notices } = await forge(trustProxy, forged);
    expect(notices).toEqual([]);
  });
});
