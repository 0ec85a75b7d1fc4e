import { type ChildProcess, spawn } from 'node:child_process';
import { connect, createServer, type Socket } from 'node:net';
import { SyslogStreamTransport } from '../../../lib/node/syslog/syslog-stream-transport';
import { startStreamServer } from './syslog-test-servers';

/**
 * A TCP receiver on 127.0.0.1 for the tests of one describe block: it keeps every connection it
 * accepts; `pauseFirst` leaves the first one unread, so the kernel's buffers fill and writes stall.
 */
function tcpReceiver(pauseFirst: boolean): { accepted: Socket[]; port: () => number } {
  const accepted: Socket[] = [];
  const server = createServer((socket) => {
    accepted.push(socket);
    socket.on('error', () => undefined);
    if (pauseFirst && accepted.length === 1) socket.pause();
  });
  let port = 0;
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    for (const socket of accepted) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { accepted, port: () => port };
}

describe('SyslogStreamTransport', () => {
  it('frames a batch, writes it, and resolves with the bytes written', async () => {
    const server = await startStreamServer({ framing: 'octet-counting' });
    const transport = new SyslogStreamTransport({ host: '127.0.0.1', port: server.port }, 'octet-counting', 5_000, 10_000);

    const written = await transport.send(['<14>1 a', '<14>1 b']);
    await server.waitFor(2);

    expect(server.raw().toString()).toBe('7 <14>1 a7 <14>1 b');
    expect(written).toBe(18);
    await transport.close();
    await server.allEnded();
    await server.close();
  });

  it('ends the connection on close and rejects later sends', async () => {
    const server = await startStreamServer({ framing: 'newline' });
    const transport = new SyslogStreamTransport({ host: '127.0.0.1', port: server.port }, 'newline', 5_000, 10_000);
    await transport.send(['x']);

    await transport.close();

    await server.allEnded();
    await expect(transport.send(['y'])).rejects.toThrow('SyslogSink: closed');
    await server.close();
  });

  describe('with a receiver that stops reading', () => {
    // The first connection is never read, so the kernel's buffers fill and the write stalls.
    const { accepted, port } = tcpReceiver(true);
    afterEach(() => jest.useRealTimers());

    it('rejects a write that outlasts writeTimeoutMs, then reconnects for the next batch', async () => {
      jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
      const transport = new SyslogStreamTransport({ host: '127.0.0.1', port: port() }, 'octet-counting', 5_000, 1_000);
      await transport.send(['hello']);
      const big = Array.from({ length: 8 }, () => 'x'.repeat(2 * 1024 * 1024));

      const stalled = transport.send(big);
      const assertion = expect(stalled).rejects.toThrow(
        `SyslogSink: writing to tcp://127.0.0.1:${port()} timed out after 1000 ms`,
      );
      while (jest.getTimerCount() === 0) await new Promise((resolve) => setImmediate(resolve));
      jest.advanceTimersByTime(1_000);
      await assertion;
      // Node's connect path misbehaves under fake timers; the reconnect needs none of them.
      jest.useRealTimers();

      await transport.send(['after']);
      expect(accepted).toHaveLength(2);
      await transport.close();
    });
  });

  describe('with a receiver that reads slowly', () => {
    const { accepted, port } = tcpReceiver(true);

    // writeTimeoutMs bounded the whole batch: a receiver that kept reading, but took longer than
    // that for a large batch, failed it every try, and each retry sent again what it had read.
    it('writes a batch that takes longer than writeTimeoutMs while the receiver keeps reading, on one connection', async () => {
      const writeTimeoutMs = 1_500;
      const transport = new SyslogStreamTransport({ host: '127.0.0.1', port: port() }, 'newline', 5_000, writeTimeoutMs);
      await transport.send(['hello']);
      const receiver = accepted[0];
      const total = 6 + 16 * 1024 * 1024;
      let received = 0;
      let budget = 0;
      let allReceived: () => void = () => undefined;
      receiver.on('data', (chunk: Buffer) => {
        received += chunk.length;
        budget -= chunk.length;
        if (received === total) allReceived();
        else if (budget <= 0) receiver.pause();
      });
      // 16 MiB, of which the kernel's buffers take a few MiB without the receiver reading; it reads
      // the rest 64 KiB (and at most one 64 KiB read more) every 25 ms: over 96 steps, 2.4 s.
      const batch = Array.from({ length: 16 }, () => 'x'.repeat(1024 * 1024 - 1));
      let steps = 0;
      let outcome: string | undefined;
      const sent = transport.send(batch).then(
        (bytes) => (outcome = `wrote ${bytes}`),
        (error: Error) => (outcome = error.message),
      );
      while (outcome === undefined && steps < 2_000) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        steps++;
        budget = 64 * 1024;
        receiver.resume();
      }
      await sent;
      expect(outcome).toBe(`wrote ${16 * 1024 * 1024}`);
      // The reader's steps alone outlasted writeTimeoutMs.
      expect(steps * 25).toBeGreaterThan(writeTimeoutMs);
      budget = Infinity;
      await new Promise<void>((resolve) => {
        allReceived = resolve;
        if (received === total) resolve();
        receiver.resume();
      });
      expect(accepted).toHaveLength(1);
      await transport.close();
    }, 30_000);
  });

  describe('closed while it is still connecting', () => {
    // A receiver that never answers: a listener whose process is blocked, so it never accepts, and
    // whose accept queue (backlog 1) the fillers have filled. The kernel drops later SYNs, so a
    // connect neither succeeds nor fails for minutes: as with a host that drops packets.
    let listener: ChildProcess;
    let port = 0;
    const fillers: Socket[] = [];

    beforeAll(async () => {
      listener = spawn(process.execPath, [
        '-e',
        "const s = require('net').createServer().listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => { process.stdout.write(s.address().port + '\\n'); Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0); });",
      ]);
      port = await new Promise<number>((resolve) =>
        listener.stdout?.once('data', (chunk: Buffer) => resolve(Number(String(chunk)))),
      );
      const queued: Promise<void>[] = [];
      for (let i = 0; i < 16; i++) {
        const filler = connect(port, '127.0.0.1').on('error', () => undefined);
        fillers.push(filler);
        queued.push(new Promise((resolve) => filler.once('connect', () => resolve())));
      }
      // The accept queue holds two (backlog + 1) and is full once they are in.
      await Promise.any(queued);
    });

    afterAll(() => {
      for (const filler of fillers) filler.destroy();
      listener.kill();
    });

    it('abandons the connection at once: the send rejects, so nothing keeps the process alive until connectTimeoutMs', async () => {
      const transport = new SyslogStreamTransport({ host: '127.0.0.1', port }, 'octet-counting', 600_000, 10_000);
      const sending = transport.send(['never sent']).then(
        () => 'sent',
        (error: Error) => error.message,
      );
      await new Promise((resolve) => setImmediate(resolve));

      await transport.close();

      expect(await sending).toBe('SyslogSink: closed');
    }, 10_000);
  });

  it('rejects a batch the receiver resets mid-write with the reset, not as if the sink were closed', async () => {
    // The receiver takes the first bytes, then resets: the batch's rejection is what metrics' lastError shows.
    const server = createServer((socket) => socket.once('data', () => socket.resetAndDestroy()));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const transport = new SyslogStreamTransport({ host: '127.0.0.1', port }, 'octet-counting', 5_000, 10_000);

    const error = await transport.send(Array.from({ length: 8 }, () => 'x'.repeat(1024 * 1024))).then(
      () => undefined,
      (rejection: NodeJS.ErrnoException) => rejection,
    );

    expect(error?.code).toMatch(/^(ECONNRESET|EPIPE)$/);
    expect(error?.message).not.toMatch(/closed during the write/);
    await transport.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }, 10_000);

  describe('closed with a write the receiver never takes', () => {
    const { accepted, port } = tcpReceiver(false);

    it('drops the connection at once instead of waiting writeTimeoutMs for it (the logger has already counted those events undelivered)', async () => {
      const transport = new SyslogStreamTransport({ host: '127.0.0.1', port: port() }, 'octet-counting', 5_000, 600_000);
      const batch = Array.from({ length: 8 }, () => 'x'.repeat(2 * 1024 * 1024));
      const stalled = transport.send(batch).then(
        () => 'written',
        () => 'rejected',
      );
      // The receiver reads the first bytes of the batch, then stops: the rest stalls in the sender.
      while (accepted.length === 0) await new Promise((resolve) => setImmediate(resolve));
      const receiver = accepted[0];
      let received = 0;
      await new Promise<void>((resolve) =>
        receiver.once('data', (chunk: Buffer) => {
          received += chunk.length;
          receiver.pause();
          resolve();
        }),
      );

      await transport.close();

      expect(await stalled).toBe('rejected');
      receiver.on('data', (chunk: Buffer) => (received += chunk.length));
      await new Promise((resolve) => receiver.once('close', resolve).resume());
      expect(received).toBeLessThan(16 * 1024 * 1024);
    }, 10_000);
  });
});
