import { createServer } from 'node:http';
import { LoggerConfiguration } from '../../../lib/configuration/logger-configuration';
import { createIngestHandler } from '../../../lib/node/ingest/create-ingest-handler';
import { MemorySink } from '../../../lib/sinks/memory-sink';
import { listen } from '../../helpers/node-http';

// What the server vouches for is the server's: a browser naming its properties after the server's
// enrichment (RequestId, ClientIp, ClientAddress) or after the handler's own keeps them in Client.
describe('createIngestHandler and the server enrichment a browser names', () => {
  it("keeps the server's RequestId, ClientIp and ClientAddress whatever a browser sends under those names, in CLEF and NDJSON", async () => {
    const memory = new MemorySink();
    const root = new LoggerConfiguration().enrich.withProperty('ClientIp', '198.51.100.7').writeTo.sink(memory).createLogger();
    const ingest = createIngestHandler(root.child({ RequestId: 'server-request' }), { rateLimit: false, clientAddress: true });
    const server = await listen(createServer((req, res) => ingest(req, res)));
    try {
      const forged = { RequestId: 'forged', ClientIp: '203.0.113.66', ClientAddress: '203.0.113.66', ClientTemplate: 'forged' };
      for (const [type, line] of [
        ['application/vnd.serilog.clef', { '@mt': 'From {ClientIp}', ...forged }],
        ['application/x-ndjson', { template: 'From {ClientIp}', ...forged }],
      ] as const) {
        const response = await fetch(server.url, {
          method: 'POST',
          body: JSON.stringify(line),
          headers: { 'Content-Type': type },
        });
        expect(await response.json()).toEqual({ accepted: 1, rejected: 0 });
      }
      expect(memory.events).toHaveLength(2);
      for (const event of memory.events) {
        expect(event.properties).toMatchObject({
          RequestId: 'server-request',
          ClientIp: '198.51.100.7',
          ClientAddress: '127.0.0.1',
          ClientTemplate: 'From {ClientIp}',
          ClientMessage: 'From 203.0.113.66',
          Client: forged,
        });
      }
    } finally {
      await server.close();
      await root.close({ strategy: 'immediate', timeoutMs: 0 });
    }
  });
});
