import { createServer } from 'node:http';
import { connect as connectHttp2, constants as http2Constants, createServer as createHttp2Server } from 'node:http2';
import { type AddressInfo, connect } from 'node:net';
import { LoggerConfiguration } from '../../../lib/configuration/logger-configuration';
import { createIngestHandler } from '../../../lib/node/ingest/create-ingest-handler';
import { MemorySink } from '../../../lib/sinks/memory-sink';
import { signal } from '../../helpers/node-http';
import { collectSelfLog } from '../../helpers/self-log';

/** Polls (every 5 ms, at most 10 s) until `done()`. */
async function until(done: () => boolean): Promise<boolean> {
  for (let waited = 0; waited < 10_000 && !done(); waited += 5) await new Promise((resolve) => setTimeout(resolve, 5));
  return done();
}

describe('createIngestHandler accounting under concurrent hostile requests', () => {
  it('answers or counts as aborted every request it was handed, writes exactly the events it counts accepted, and holds no bytes after', async () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().minimumLevel.verbose().writeTo.sink(memory).createLogger();
    const ingest = createIngestHandler(log, {
      maxBodyBytes: 16_384,
      maxPendingBytes: 65_536,
      rateLimit: { perSecond: 1, burst: 10 },
      bodyTimeoutMs: 1_000,
      bodyGracePeriodMs: 300,
    });
    let handed = 0;
    const server = createServer((req, res) => {
      handed++;
      ingest(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    /** Sends `text` from `from` on a connection of its own; `abort` destroys it once sent. Resolves with what came back. */
    const send = (from: string, text: string, abort = false): Promise<string> =>
      new Promise((resolve) => {
        const socket = connect({ port, host: '127.0.0.1', localAddress: from });
        let answer = '';
        socket.setEncoding('latin1');
        socket.on('data', (chunk: string) => (answer += chunk));
        socket.on('error', () => undefined);
        socket.on('close', () => resolve(answer));
        socket.write(text, () => {
          if (abort) socket.destroy();
        });
      });
    const statusOf = (answer: string): number => Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);
    const head = (extra: string): string =>
      `POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/vnd.serilog.clef\r\n${extra}\r\n`;
    const lines = (count: number): string =>
      Array.from({ length: count }, (_, n) => JSON.stringify({ '@mt': 'Event {N}', N: n, Pad: 'p'.repeat(100) })).join('\n');
    const good = lines(20);
    const badAndGood = `${lines(3)}\n{"@mt":\n${lines(2)}`;
    const kinds = [
      () => head(`Content-Length: ${good.length}\r\n`) + good,
      () => head(`Content-Length: ${badAndGood.length}\r\n`) + badAndGood,
      () => head('Content-Length: 10000000\r\n'),
      () => `${head('Transfer-Encoding: chunked\r\n')}${`1000\r\n${'y'.repeat(4_096)}\r\n`.repeat(5)}`,
      () => head('Content-Encoding: gzip\r\nContent-Length: 4\r\n') + 'abcd',
      () => head('Content-Length: 9000\r\n') + 'z'.repeat(4_000),
    ];
    try {
      // Kind 5 (a body that stalls) is also sent by clients that leave mid-body; whole bodies never are,
      // so every event written belongs to a request answered 200.
      const kindOf = (n: number): number => n % kinds.length;
      const answers = await Promise.all(
        Array.from({ length: 84 }, (_, n) => send(`127.0.0.${2 + (n % 6)}`, kinds[kindOf(n)](), n % 12 === 11)),
      );
      const statuses = answers.map(statusOf);
      expect(new Set(statuses)).toEqual(new Set([0, 200, 408, 413, 415, 429]));
      // Every request the server handed over is answered (by status) or counted as aborted.
      expect(
        await until(() => {
          const metrics = ingest.metrics();
          return Object.values(metrics.responses).reduce((sum, count) => sum + count, 0) + metrics.aborted === handed;
        }),
      ).toBe(true);
      const written = (kind: number): number => statuses.filter((status, n) => status === 200 && kindOf(n) === kind).length;
      const metrics = ingest.metrics();
      expect(metrics).toMatchObject({ pendingBytes: 0, accepted: 20 * written(0) + 5 * written(1), rejected: written(1) });
      expect(memory.events).toHaveLength(metrics.accepted);
      // Each answer a client that stayed read is counted under its status; a client that left may
      // have been answered first (counted under the status it was sent) or not (counted aborted).
      const leavers = answers.filter((_, n) => n % 12 === 11).length;
      for (const status of [200, 408, 413, 415, 429]) {
        const seen = statuses.filter((answer, n) => answer === status && n % 12 !== 11).length;
        const counted = metrics.responses[status] ?? 0;
        expect([status, counted >= seen && counted <= seen + leavers]).toEqual([status, true]);
      }
      // A 429 says when to come back.
      expect(
        answers.filter((answer) => statusOf(answer) === 429).every((answer) => /\r\nRetry-After: \d+\r\n/.test(answer)),
      ).toBe(true);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await log.close({ strategy: 'immediate', timeoutMs: 0 });
    }
  });

  it('counts an HTTP/2 client that reset its stream while a middleware before the handler was still working as aborted, blaming no middleware', async () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().writeTo.sink(memory).createLogger();
    const ingest = createIngestHandler(log, { rateLimit: false });
    const handled = signal();
    // An authentication check that awaits something while the client gives up: here it goes on
    // once the stream is closed and Node's compatibility API has read the request to its end.
    const server = createHttp2Server((req, res) => {
      req.stream.once('close', () =>
        req.once('end', () => {
          ingest(req, res);
          handled.resolve();
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const session = connectHttp2(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    session.on('error', () => undefined);
    const { diagnostics, stop } = collectSelfLog();
    try {
      const stream = session.request({ ':method': 'POST', ':path': '/', 'content-type': 'text/plain' });
      stream.on('error', () => undefined);
      stream.write(JSON.stringify({ '@mt': 'half a batch' }), () => stream.close(http2Constants.NGHTTP2_CANCEL));
      await handled.promise;
      await until(() => ingest.metrics().aborted + Object.keys(ingest.metrics().responses).length > 0);
      expect(ingest.metrics()).toEqual({ responses: {}, aborted: 1, accepted: 0, rejected: 0, pendingBytes: 0 });
      expect(diagnostics.map((event) => event.message)).toEqual([]);
      expect(memory.events).toEqual([]);
    } finally {
      stop();
      session.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await log.close({ strategy: 'immediate', timeoutMs: 0 });
    }
  });
});
