import { createServer, request, type Server } from 'node:http';
import express from 'express';
import { createIngestHandler, type IngestHandler } from '../../../lib/node/ingest/create-ingest-handler';
import type { IngestHandlerOptions } from '../../../lib/node/ingest/ingest-handler-options';
import { listen, memoryLogger } from '../../helpers/node-http';

// Real servers and sockets on 127.0.0.1; the handler's clock (timers and performance.now) in jest's
// virtual time, so a body trickling for minutes takes milliseconds. Waits for the network use the
// real setTimeout, taken before the timers are faked, each bounded.
const realSetTimeout = globalThis.setTimeout;
const realDelay = (ms: number): Promise<void> => new Promise((resolve) => realSetTimeout(resolve, ms));

/** Polls (every 2 ms of real time, at most 10 s: a bound for loaded machines) until `done()`. */
async function until(done: () => boolean): Promise<boolean> {
  for (let waited = 0; waited < 10_000 && !done(); waited += 2) await realDelay(2);
  return done();
}

interface Mounted {
  url: string;
  handler: IngestHandler;
  events: unknown[];
  close(): Promise<void>;
}

async function mount(where: 'node:http' | 'express', options: IngestHandlerOptions): Promise<Mounted> {
  const { log, events } = memoryLogger();
  const handler = createIngestHandler(log, { rateLimit: false, ...options });
  let server: Server;
  if (where === 'express') {
    const app = express();
    app.post('/ingest', handler);
    server = createServer(app);
  } else {
    server = createServer((req, res) => handler(req, res));
  }
  const listening = await listen(server);
  return {
    url: `${listening.url}/ingest`,
    handler,
    events,
    close: async () => {
      await listening.close();
      await log.close({ strategy: 'immediate', timeoutMs: 0 });
    },
  };
}

/** CLEF lines of about `bytes` bytes in all, one event each. */
function clefBody(bytes: number): { body: string; count: number } {
  const line = JSON.stringify({ '@t': '2026-12-05T10:00:00.000Z', '@mt': 'Slow {N}', N: 0, Pad: 'p'.repeat(200) });
  const count = Math.ceil(bytes / (line.length + 1));
  return { body: Array.from({ length: count }, () => line).join('\n'), count };
}

/**
 * POSTs `body`, `step` bytes at a time (or `step(n)` at the n-th step, from 0), one step every
 * `stepMs` of virtual time: each step is
 * written, the server seen holding it (its `pendingBytes`), then the clock moved on. Stops at the
 * first answer, or once `maxMs` of virtual time went by. Resolves with the status (or undefined)
 * and the virtual time it came at.
 */
async function trickle(
  mounted: Mounted,
  body: string,
  step: number | ((n: number) => number),
  stepMs: number,
  maxMs: number,
): Promise<{ status: number | undefined; atMs: number; sent: number }> {
  let status: number | undefined;
  let failed = false;
  const req = request(mounted.url, {
    method: 'POST',
    agent: false,
    headers: { 'Content-Type': 'application/vnd.serilog.clef', 'Content-Length': String(Buffer.byteLength(body)) },
  });
  req.on('response', (res) => {
    res.resume();
    status = res.statusCode;
  });
  req.on('error', () => (failed = true));
  let sent = 0;
  let atMs = 0;
  try {
    for (let n = 0; status === undefined && !failed && atMs < maxMs; n++) {
      const size = typeof step === 'number' ? step : step(n);
      if (sent < body.length && size > 0) {
        const chunk = body.slice(sent, sent + size);
        sent += chunk.length;
        if (sent === body.length) req.end(chunk);
        else req.write(chunk);
        // Read by the handler (or answered already): only then does virtual time move on.
        await until(() => status !== undefined || failed || mounted.handler.metrics().pendingBytes >= sent);
        if (sent === body.length) await until(() => status !== undefined || failed);
      }
      if (status !== undefined) break;
      jest.advanceTimersByTime(stepMs);
      atMs += stepMs;
      // A timer that fired answers over the real network.
      await until(() => status !== undefined || failed || mounted.handler.metrics().pendingBytes >= sent);
      await realDelay(5);
    }
    return { status, atMs, sent };
  } finally {
    req.destroy();
  }
}

describe('createIngestHandler: the body rate (minBodyBytesPerSecond after bodyGracePeriodMs, bodyTimeoutMs the bound)', () => {
  const open: Mounted[] = [];
  beforeEach(() => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'clearImmediate', 'queueMicrotask'] });
  });
  afterEach(async () => {
    jest.useRealTimers();
    await Promise.all(open.splice(0).map((mounted) => mounted.close()));
  });

  it.each(['node:http', 'express'] as const)(
    'reads a large batch from a slow link to the end, past the old 10 s bound, when it keeps above the least rate (%s)',
    async (where) => {
      const mounted = await mount(where, {});
      open.push(mounted);
      const { body, count } = clefBody(8_000);
      // 400 bytes a second (a poor mobile link is faster; 240 is the least): 20 s for the whole body.
      const outcome = await trickle(mounted, body, 400, 1_000, 60_000);
      expect(outcome.status).toBe(200);
      expect(outcome.atMs).toBeGreaterThan(10_000);
      expect(mounted.events).toHaveLength(count);
      expect(mounted.handler.metrics()).toMatchObject({ responses: { 200: 1 }, pendingBytes: 0 });
    },
  );

  it.each(['node:http', 'express'] as const)(
    'answers 408 to a body slower than the least rate once the grace period is over, not only at bodyTimeoutMs (%s)',
    async (where) => {
      const mounted = await mount(where, { bodyTimeoutMs: 120_000 });
      open.push(mounted);
      const { body } = clefBody(8_000);
      // 100 bytes a second: behind 240 a second from the start, so answered as the 5 s grace ends.
      const outcome = await trickle(mounted, body, 100, 1_000, 60_000);
      expect(outcome).toMatchObject({ status: 408, atMs: 5_000 });
      expect(mounted.events).toHaveLength(0);
      expect(mounted.handler.metrics()).toMatchObject({ responses: { 408: 1 }, pendingBytes: 0 });
    },
  );

  it('answers 408 to a body that stalls after a fast start bodyGracePeriodMs after its last byte, though what it sent still covers the rate', async () => {
    const mounted = await mount('node:http', { minBodyBytesPerSecond: 1_000, bodyGracePeriodMs: 2_000 });
    open.push(mounted);
    const { body } = clefBody(20_000);
    // 6 000 bytes at once, then nothing: they cover 1 000 bytes a second for 6 s, but nothing came for 2 s.
    const outcome = await trickle(mounted, body, (n) => (n === 0 ? 6_000 : 0), 1_000, 60_000);
    expect(outcome).toMatchObject({ status: 408, atMs: 2_000, sent: 6_000 });
  });

  it('still ends a client that keeps just above the rate at bodyTimeoutMs, the bound on the whole body', async () => {
    const mounted = await mount('node:http', { bodyTimeoutMs: 30_000 });
    open.push(mounted);
    const { body } = clefBody(100_000);
    const outcome = await trickle(mounted, body, 300, 1_000, 120_000);
    expect(outcome).toMatchObject({ status: 408, atMs: 30_000 });
    expect(mounted.handler.metrics()).toMatchObject({ responses: { 408: 1 }, pendingBytes: 0 });
  });

  it('checks no rate with minBodyBytesPerSecond 0: only bodyTimeoutMs ends a slow body', async () => {
    const mounted = await mount('node:http', { minBodyBytesPerSecond: 0, bodyTimeoutMs: 20_000 });
    open.push(mounted);
    const { body } = clefBody(8_000);
    const outcome = await trickle(mounted, body, 50, 1_000, 60_000);
    expect(outcome).toMatchObject({ status: 408, atMs: 20_000 });
  });
});
