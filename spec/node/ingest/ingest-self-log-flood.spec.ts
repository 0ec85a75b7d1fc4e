import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createIngestHandler, type IngestHandler } from '../../../lib/node/ingest/create-ingest-handler';
import type { IngestHandlerOptions } from '../../../lib/node/ingest/ingest-handler-options';
import { collectSelfLog } from '../../helpers/self-log';
import { listen, memoryLogger } from '../../helpers/node-http';

const REQUESTS = 30;

/**
 * Mounts the handler with `options` (through `wrap`, which may hand it a framework-like request),
 * posts REQUESTS one-event batches with none of the headers an app's functions read, and resolves
 * with the statuses, the events written and the SelfLog diagnostics that name `about`.
 */
async function flood(
  options: IngestHandlerOptions,
  about: string,
  wrap: (ingest: IngestHandler, req: IncomingMessage, res: ServerResponse) => void = (ingest, req, res) => ingest(req, res),
): Promise<{ statuses: number[]; written: number; notices: string[] }> {
  const { log, events } = memoryLogger();
  const ingest = createIngestHandler(log, options);
  const server = await listen(createServer((req, res) => wrap(ingest, req, res)));
  const { diagnostics, stop } = collectSelfLog();
  try {
    const statuses: number[] = [];
    for (let n = 0; n < REQUESTS; n++) {
      const response = await fetch(server.url, {
        method: 'POST',
        body: JSON.stringify({ '@mt': 'Event {N}', N: n }),
        headers: { 'Content-Type': 'application/vnd.serilog.clef' },
      });
      await response.arrayBuffer();
      statuses.push(response.status);
    }
    return { statuses, written: events.length, notices: diagnostics.map((d) => d.message).filter((m) => m.includes(about)) };
  } finally {
    stop();
    await server.close();
    await log.close({ strategy: 'immediate', timeoutMs: 0 });
  }
}

/** What an app's function reads from a header its proxy sets, throwing when a client came around the proxy without it. */
const fromProxyHeader = (req: IncomingMessage): string => (req.headers['x-real-ip'] as string).trim();

// Each failure was written with its stack for every request, before the rate limit: a client
// leaving out the header wrote a line (and a stack) to the server's SelfLog per request, unbounded.
describe("createIngestHandler when an app's function throws for what a client sent", () => {
  it('tells SelfLog once a minute at most that rateLimit.key threw, not once per request', async () => {
    const { statuses, notices } = await flood(
      { rateLimit: { perSecond: 0.001, burst: 5, key: fromProxyHeader } },
      'rateLimit.key threw',
    );
    // The requests share the key "unknown", limited as one client.
    expect(statuses).toEqual([...Array<number>(5).fill(200), ...Array<number>(REQUESTS - 5).fill(429)]);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain('Cannot read properties of undefined');
  });

  it('tells SelfLog once a minute at most that clientAddress threw, and writes every event without the address', async () => {
    const { statuses, written, notices } = await flood(
      { rateLimit: false, clientAddress: fromProxyHeader },
      'clientAddress threw',
    );
    expect(statuses).toEqual(Array<number>(REQUESTS).fill(200));
    expect(written).toBe(REQUESTS);
    expect(notices).toHaveLength(1);
  });

  it("tells SelfLog once a minute at most that reading the framework's ip failed, and limits by the socket's address", async () => {
    const { statuses, notices } = await flood(
      { rateLimit: { perSecond: 0.001, burst: 5 } },
      "reading the request's ip failed",
      (ingest, req, res) => {
        // A framework's request whose ip getter runs the app's code (a trust function reading a header).
        const request = {
          raw: req,
          get ip(): string {
            return fromProxyHeader(req);
          },
        };
        ingest(request, { raw: res });
      },
    );
    expect(statuses).toEqual([...Array<number>(5).fill(200), ...Array<number>(REQUESTS - 5).fill(429)]);
    expect(notices).toHaveLength(1);
  });
});
