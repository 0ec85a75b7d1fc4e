import { createServer } from 'node:http';
import express from 'express';
import { createIngestHandler } from '../../../lib/node/ingest/create-ingest-handler';
import { listen, memoryLogger } from '../../helpers/node-http';
import { postForged } from './post-forged';

/** Mounts the handler in Express 5 under `trust proxy` set to `trust`; POSTs one event a forged X-Forwarded-For each; resolves with the statuses and the SelfLog notices about the setting. */
async function forge(trust: unknown, forged: readonly string[]): Promise<{ statuses: number[]; notices: string[] }> {
  const { log } = memoryLogger();
  const ingest = createIngestHandler(log, { rateLimit: { perSecond: 0.001, burst: 1 } });
  const app = express();
  app.set('trust proxy', trust);
  app.post('/api/logs', ingest);
  const server = await listen(createServer(app));
  try {
    return await postForged(`${server.url}/api/logs`, forged, "Express's 'trust proxy'");
  } finally {
    await server.close();
    await log.close({ strategy: 'immediate', timeoutMs: 0 });
  }
}

describe("createIngestHandler under Express's trust proxy", () => {
  const forged = ['203.0.113.1', '203.0.113.2', '203.0.113.3'];

  // Each of these trusts any address at any hop, as `true` does: req.ip is the first
  // X-Forwarded-For entry, which the client writes. Only `true` was told to SelfLog. (proxy-addr
  // refuses a subnet of every address, '0.0.0.0/0'.)
  it.each([
    ['a function answering true', () => true],
    ['a hop count past any chain of proxies', 10_000],
  ] as const)(
    'tells SelfLog once when the setting trusts every address (%s), under which each forged X-Forwarded-For gets a bucket of its own',
    async (_name, trust) => {
      const { statuses, notices } = await forge(trust, forged);
      expect(statuses).toEqual([200, 200, 200]);
      expect(notices).toHaveLength(1);
      expect(notices[0]).toContain('any client can forge');
    },
  );

  it.each([
    ['loopback', 'loopback'],
    ['a hop count', 1],
    ["the proxy's address", '127.0.0.1'],
  ] as const)("says nothing of a setting that trusts only the app's proxies (%s)", async (_name, trust) => {
    const { notices } = await forge(trust, forged);
    expect(notices).toEqual([]);
  });
});
