import { type ClientRequest, createServer, request } from 'node:http';
import { createIngestHandler, type IngestHandler } from '../../../lib/node/ingest/create-ingest-handler';
import { listen, memoryLogger } from '../../helpers/node-http';

// Real servers and sockets on 127.0.0.1; the handler's clock (timers and performance.now) in jest's
// virtual time. Waits for the network use the real setTimeout, taken before the timers are faked.
const realSetTimeout = globalThis.setTimeout;
const realDelay = (ms: number): Promise<void> => new Promise((resolve) => realSetTimeout(resolve, ms));

/** Polls (every 2 ms of real time, at most 10 s) until `done()`. */
async function until(done: () => boolean): Promise<boolean> {
  for (let waited = 0; waited < 10_000 && !done(); waited += 2) await realDelay(2);
  return done();
}

/** A POST from the client `client` (the rate limit's key) that sends `sent` bytes of a declared `declared`, and no more unless `sent` is all. */
function upload(
  url: string,
  client: string,
  sent: string,
  declared: number,
): { req: ClientRequest; status: () => number | undefined } {
  let status: number | undefined;
  const req = request(url, {
    method: 'POST',
    agent: false,
    headers: { 'Content-Type': 'application/vnd.serilog.clef', 'Content-Length': String(declared), 'X-Client': client },
  });
  req.on('response', (res) => {
    status = res.statusCode;
    res.resume();
  });
  req.on('error', () => undefined);
  if (Buffer.byteLength(sent) === declared) req.end(sent);
  else req.write(sent);
  return { req, status: () => status };
}

describe('createIngestHandler: a body that stalls', () => {
  let close: (() => Promise<void>) | undefined;
  const requests: ClientRequest[] = [];
  beforeEach(() => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'clearImmediate', 'queueMicrotask'] });
  });
  afterEach(async () => {
    jest.useRealTimers();
    for (const req of requests.splice(0)) req.destroy();
    await close?.();
    close = undefined;
  });

  async function mount(): Promise<{ url: string; handler: IngestHandler; events: unknown[] }> {
    const { log, events } = memoryLogger();
    // Two clients' shares fill maxPendingBytes; the rate limit's key (and so the share's) is X-Client.
    const handler = createIngestHandler(log, {
      maxBodyBytes: 8_192,
      maxPendingBytes: 16_384,
      rateLimit: { perSecond: 1_000, burst: 1_000, key: (req) => String(req.headers['x-client']) },
    });
    const server = await listen(createServer((req, res) => handler(req, res)));
    close = async () => {
      await server.close();
      await log.close({ strategy: 'immediate', timeoutMs: 0 });
    };
    return { url: server.url, handler, events };
  }

  // 8 191 bytes sent at once cover 34 s of 240 bytes a second: read by the average since the body
  // began, two such bodies stalled a byte short of their end held maxPendingBytes for 34 s, every
  // other client answered 503 meanwhile (bodies of 1 MiB: until bodyTimeoutMs, 5 minutes).
  it('is answered 408 bodyGracePeriodMs after its last byte, so bodies stalled after a fast start cannot hold maxPendingBytes for bodyTimeoutMs', async () => {
    const { url, handler, events } = await mount();
    const line = `${JSON.stringify({ '@mt': 'Stalled {Pad}', Pad: 'p'.repeat(7_960) })}\n`;
    expect(Buffer.byteLength(line)).toBeLessThan(8_000);
    const attackers = ['a', 'b'].map((client) => upload(url, client, line.padEnd(8_191), 8_192));
    requests.push(...attackers.map((attacker) => attacker.req));
    expect(await until(() => handler.metrics().pendingBytes === 16_382)).toBe(true);
    const line1 = `${JSON.stringify({ '@mt': 'Real client' })}\n`;
    const refused = upload(url, 'c', line1, Buffer.byteLength(line1));
    requests.push(refused.req);
    expect(await until(() => refused.status() !== undefined)).toBe(true);
    expect(refused.status()).toBe(503);
    // Nothing more arrives from either: once the grace period has passed since their last byte, they end.
    jest.advanceTimersByTime(5_001);
    expect(await until(() => attackers.every((attacker) => attacker.status() !== undefined))).toBe(true);
    expect(attackers.map((attacker) => attacker.status())).toEqual([408, 408]);
    expect(handler.metrics()).toMatchObject({ pendingBytes: 0, responses: { 408: 2, 503: 1 } });
    const later = upload(url, 'c', line1, Buffer.byteLength(line1));
    requests.push(later.req);
    expect(await until(() => later.status() !== undefined)).toBe(true);
    expect(later.status()).toBe(200);
    expect(events).toHaveLength(1);
  });

  it('is read to its end while its bytes keep coming, each gap shorter than bodyGracePeriodMs and the rate kept', async () => {
    const { url, handler, events } = await mount();
    const body = Array.from({ length: 40 }, (_, n) => JSON.stringify({ '@mt': 'Slow {N}', N: n, Pad: 'p'.repeat(120) })).join(
      '\n',
    );
    // 1 500 bytes every 4.9 s: about 300 bytes a second, above the least rate (240), each gap under 5 s.
    const slow = upload(url, 'a', body.slice(0, 1_500), Buffer.byteLength(body));
    requests.push(slow.req);
    let sent = 1_500;
    expect(await until(() => handler.metrics().pendingBytes === sent)).toBe(true);
    for (let step = 0; sent < body.length && step < 10; step++) {
      jest.advanceTimersByTime(4_900);
      expect(slow.status()).toBeUndefined();
      const chunk = body.slice(sent, sent + 1_500);
      sent += chunk.length;
      if (sent === body.length) slow.req.end(chunk);
      else slow.req.write(chunk);
      expect(await until(() => slow.status() !== undefined || handler.metrics().pendingBytes === sent)).toBe(true);
    }
    expect(await until(() => slow.status() !== undefined)).toBe(true);
    expect(slow.status()).toBe(200);
    expect(events).toHaveLength(40);
  });
});
