import { type ChildProcessByStdio, spawn } from 'node:child_process';
import * as net from 'node:net';
import type { Readable, Writable } from 'node:stream';
import type { Formatter } from '../../lib/core/sink';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { SelfLog } from '../../lib/core/self-log';
import { StreamSink } from '../../lib/node/stream-sink';
import type { Logger } from '../../lib/pipeline/logger';

// Real streams whose reader stops reading or goes away: a child process's stdin pipe and a TCP
// socket to 127.0.0.1 whose peer paused. Whatever the reader does, log.flush() and a graceful
// log.close() end within their timeoutMs, and every event is counted.

const numbered: Formatter = { format: (e) => JSON.stringify({ N: e.properties.N }) };

interface Target {
  readonly stream: Writable;
  /** Ends the reader's side and anything left running. */
  dispose(): Promise<void>;
}

/** A child process that never reads its stdin. */
function childNotReading(): Target {
  const child: ChildProcessByStdio<Writable, null, null> = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  // The test's own fill (see fill) fails with EPIPE when the child is killed.
  child.stdin.on('error', () => undefined);
  return {
    stream: child.stdin,
    dispose: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill();
      await exited;
      child.stdin.destroy();
    },
  };
}

/** A socket to 127.0.0.1 whose peer accepted it and paused: it takes bytes until the kernel's buffers are full, then none. */
async function socketNotRead(): Promise<Target> {
  const peers: net.Socket[] = [];
  const server = net.createServer((peer) => {
    peer.pause();
    peers.push(peer);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const socket = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  // Both ends up: the peer is paused before the test writes.
  await Promise.all([
    new Promise((resolve) => socket.once('connect', resolve)),
    new Promise<void>((resolve) => server.once('connection', () => setImmediate(resolve))),
  ]);
  socket.on('error', () => undefined);
  return {
    stream: socket,
    dispose: async () => {
      socket.destroy();
      for (const peer of peers) peer.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * Fills the stream past anything the kernel holds (a pipe's 64 KiB, a loopback socket's few MiB),
 * as an app's own writes or a reader that stopped earlier leave it: it needs draining and, its
 * reader not reading, never drains.
 */
function fill(stream: Writable): void {
  stream.write(Buffer.alloc(64 << 20, 0x2e));
  expect(stream.writableNeedDrain).toBe(true);
}

const targets: ReadonlyArray<[string, () => Promise<Target>]> = [
  ['a child process stdin it never reads', () => Promise.resolve(childNotReading())],
  ['a 127.0.0.1 socket whose peer stopped reading', socketNotRead],
];

describe('StreamSink on a real stream whose reader stopped reading', () => {
  let target: Target | undefined;
  let diagnostics: string[] = [];
  let subscription: { unsubscribe(): void } | undefined;

  beforeEach(() => {
    diagnostics = [];
    subscription = SelfLog.events$.subscribe((d) => diagnostics.push(d.message));
  });

  afterEach(async () => {
    jest.useRealTimers();
    subscription?.unsubscribe();
    await target?.dispose();
    target = undefined;
  });

  /** A logger whose StreamSink writes to `stream` in batches of 10, 25 events logged, in fake timers. */
  function loggerWith25Events(stream: Writable): Logger {
    // Real I/O runs on the real event loop; only the timers are fake.
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    const log = new LoggerConfiguration().writeTo
      .sink(new StreamSink({ stream, formatter: numbered, syncFlushTimeoutMs: 200 }), {
        name: 'stream',
        batch: { size: 10, maxDelayMs: 50 },
      })
      .createLogger();
    for (let n = 0; n < 25; n++) log.information('Event {N}', n);
    return log;
  }

  it.each(targets)(
    'ends log.flush() and a graceful log.close() at their timeoutMs on %s, the events undelivered, said to SelfLog',
    async (_name, make) => {
      target = await make();
      const { stream } = target;
      fill(stream);
      const listenersBefore = ['drain', 'error', 'close'].map((name) => stream.listenerCount(name));
      const log = loggerWith25Events(stream);

      let flushed: { timedOut: boolean } | undefined;
      const flushing = log.flush({ timeoutMs: 1_000 }).then((result) => (flushed = result));
      await jest.advanceTimersByTimeAsync(999);
      expect(flushed).toBeUndefined();
      await jest.advanceTimersByTimeAsync(1);
      await flushing;
      expect(flushed).toEqual({ timedOut: true });
      expect(log.metrics().sinks.stream).toMatchObject({ received: 25, delivered: 0, pending: 25 });

      let report: Awaited<ReturnType<typeof log.close>> | undefined;
      const closing = log.close({ timeoutMs: 2_000 }).then((r) => (report = r));
      await jest.advanceTimersByTimeAsync(1_999);
      expect(report).toBeUndefined();
      await jest.advanceTimersByTimeAsync(1);
      await closing;
      expect(report).toMatchObject({
        timedOut: true,
        sinks: { stream: { delivered: 0, dropped: 0, failed: 0, undelivered: 25 } },
      });
      expect(diagnostics).toEqual(
        expect.arrayContaining([
          expect.stringContaining('StreamSink: a batch has waited 200 ms for its stream'),
          expect.stringContaining('flush timed out after 1000 ms; 25 events are still pending'),
          expect.stringContaining('Sink stream shut down with 25 events undelivered'),
        ]),
      );
      // The sink made no write the stream still holds: it leaves nothing behind on the stream.
      expect(['drain', 'error', 'close'].map((name) => stream.listenerCount(name))).toEqual(listenersBefore);
    },
    20_000,
  );

  // 'flush' waits with no time bound (docs/production-delivery.md): for a reader that never reads,
  // for ever. Destroying the stream is the way out; its events count failed.
  it.each(targets)(
    "waits under strategy 'flush' on %s until the stream is destroyed, then counts the events failed",
    async (_name, make) => {
      target = await make();
      const { stream } = target;
      fill(stream);
      const log = loggerWith25Events(stream);
      let report: Awaited<ReturnType<typeof log.close>> | undefined;
      const closing = log.close({ strategy: 'flush', timeoutMs: 1_000 }).then((r) => (report = r));
      await jest.advanceTimersByTimeAsync(60_000);
      expect(report).toBeUndefined();
      stream.destroy();
      await new Promise((resolve) => stream.once('close', resolve));
      await jest.advanceTimersByTimeAsync(1_000);
      await closing;
      expect(report).toMatchObject({ sinks: { stream: { delivered: 0, dropped: 0, failed: 25, undelivered: 0 } } });
    },
    20_000,
  );
});

describe('StreamSink on a child process stdin whose reader exits (closed stdin, EPIPE)', () => {
  it('fails the batches it can no longer write at once, counts every event, and closes without waiting for its timeout', async () => {
    const diagnostics: string[] = [];
    const subscription = SelfLog.events$.subscribe((d) => diagnostics.push(d.message));
    // Reads the first chunk, then exits: its stdin closes under the writer.
    const child: ChildProcessByStdio<Writable, Readable, null> = spawn(
      process.execPath,
      ['-e', "process.stdin.once('data', (d) => { process.stdout.write(String(d.length)); process.exit(0); })"],
      { stdio: ['pipe', 'pipe', 'ignore'] },
    );
    try {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      const log = new LoggerConfiguration().writeTo
        .sink(new StreamSink({ stream: child.stdin, formatter: numbered }), {
          name: 'stream',
          batch: { size: 10, maxDelayMs: 5 },
        })
        .createLogger();
      for (let n = 0; n < 10; n++) log.information('Event {N}', n);
      await exited;
      // Logged after the reader left, some on the caller's turn, some on the async path.
      for (let n = 10; n < 5_000; n++) log.information('Event {N}', n);
      const report = await log.close({ timeoutMs: 10_000 });
      const { delivered, dropped, failed, undelivered } = report.sinks.stream;
      expect(report.timedOut).toBe(false);
      expect(dropped + undelivered).toBe(0);
      expect(delivered + failed).toBe(5_000);
      // At most the first batch reached the child before it left.
      expect(delivered).toBeLessThanOrEqual(10);
      // Node destroys the stdin of a child that exited (or the next write gets EPIPE): SelfLog says why batches failed.
      expect(diagnostics.some((m) => /EPIPE|the stream is no longer writable/.test(m))).toBe(true);
      // Every later batch failed at once: no retries against a stream that failed for good.
      expect(log.metrics().sinks.stream.retried).toBe(0);
    } finally {
      subscription.unsubscribe();
      child.kill();
    }
  }, 20_000);
});
