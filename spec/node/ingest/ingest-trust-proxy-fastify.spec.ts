import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { createIngestHandler } from '../../../lib/node/ingest/create-ingest-handler';
import { memoryLogger } from '../../helpers/node-http';
import { postForged } from './post-forged';

/**
 * Mounts the handler in Fastify 5 (given Fastify's own request and reply) under `trustProxy`;
 * POSTs one event a forged X-Forwarded-For each; resolves with the statuses and the SelfLog notices
 * about the setting.
 */
async function forge(
  trustProxy: unknown,
  forged: readonly string[],
  wiring: 'route' | 'scope' | 'raw' = 'route',
): Promise<{ statuses: number[]; notices: string[] }> {
  const { log } = memoryLogger();
  const ingest = createIngestHandler(log, { rateLimit: { perSecond: 0.001, burst: 1 } });
  const app = Fastify({ trustProxy: trustProxy as boolean });
  if (wiring === 'route') {
    app.addContentTypeParser('application/vnd.serilog.clef', (_request, _payload, done) => done(null));
    app.post('/api/logs', (request, reply) => ingest(request, reply));
  } else {
    // docs/browser.md's Fastify wiring: a scope whose parser leaves every body to the handler.
    await app.register((scope, _options, done) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', (_request, _payload, parsed) => parsed(null));
      scope.post('/api/logs', (request, reply) => {
        if (wiring === 'scope') ingest(request, reply);
        else {
          reply.hijack();
          ingest(request.raw, reply.raw);
        }
      });
      done();
    });
  }
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  try {
    return await postForged(`http://127.0.0.1:${port}/api/logs`, forged, "Fastify's trustProxy");
  } finally {
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

  // The documented wiring handed over request.raw, which has no ip: the rate limit keyed on the
  // socket's address whatever trustProxy said, so every client behind a proxy shared one bucket,
  // and the probe never ran. Given Fastify's request, it keys on request.ip and the probe runs.
  it("tells SelfLog once under trustProxy: true when the documented scope wiring hands over Fastify's request", async () => {
    const { statuses, notices } = await forge(true, forged, 'scope');
    expect(statuses).toEqual([200, 200, 200]);
    expect(notices).toHaveLength(1);
  });

  it("keys on the socket's address when given request.raw, which has no ip: trustProxy is not read, forged addresses share one bucket", async () => {
    const { statuses, notices } = await forge(true, forged, 'raw');
    expect(statuses).toEqual([200, 429, 429]);
    expect(notices).toEqual([]);
  });
});
