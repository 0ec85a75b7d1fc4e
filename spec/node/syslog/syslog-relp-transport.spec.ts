import { createServer, type Server, type Socket } from 'node:net';
import { LoggerConfiguration } from '../../../lib/configuration/logger-configuration';
import { PartialDeliveryError } from '../../../lib/core/errors/partial-delivery-error';
import { SelfLog } from '../../../lib/core/self-log';
import { RelpReader, type RelpFrame, relpFrame } from '../../../lib/node/syslog/syslog-relp-frame';
import { SyslogRelpTransport } from '../../../lib/node/syslog/syslog-relp-transport';
import { SyslogSink } from '../../../lib/node/syslog/syslog-sink';
import { makeEvent } from '../../helpers/events';

/**
 * A RELP receiver in the test, for what rsyslogd's imrelp never does on its own (answer 500, refuse
 * the offers, never answer, break the grammar); syslog-relp-rsyslog.spec.ts tests against the real
 * one. `answer` gives the rsp data for a command, or undefined for no answer; `raw` writes bytes of its own.
 */
async function fakeRelpServer(answer: (frame: RelpFrame, socket: Socket) => string | undefined): Promise<{
  port: number;
  frames: RelpFrame[];
  close(): Promise<void>;
}> {
  const frames: RelpFrame[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const reader = new RelpReader();
    socket.on('data', (chunk: Buffer) => {
      for (const frame of reader.push(chunk)) {
        frames.push(frame);
        const data = answer(frame, socket);
        if (data !== undefined && !socket.destroyed) socket.write(relpFrame(frame.txnr, 'rsp', data));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address !== null ? address.port : 0,
    frames,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

const OPEN_OK = '200 OK\nrelp_version=0\nrelp_software=librelp,1.11.0,http://librelp.adiscon.com\ncommands=syslog';

describe('SyslogSink over RELP', () => {
  it('counts a message the receiver answers 500 failed, and the others delivered, never sending it again', async () => {
    const server = await fakeRelpServer((frame) =>
      frame.command === 'open' ? OPEN_OK : frame.command === 'syslog' && frame.data.includes('bad') ? '500 refused' : '200 OK',
    );
    const diagnostics: string[] = [];
    const subscription = SelfLog.events$.subscribe((d) => diagnostics.push(d.message));
    try {
      const log = new LoggerConfiguration().writeTo
        .sink(new SyslogSink({ transport: 'relp', port: server.port }), { batch: { size: 4, maxDelayMs: 10 } })
        .createLogger();
      for (const text of ['good 1', 'bad 2', 'good 3', 'bad 4']) log.information(text);
      const report = await log.close({ strategy: 'flush' });
      expect(report.sinks.syslog).toEqual({ delivered: 2, dropped: 0, failed: 2, undelivered: 0 });
      expect(server.frames.filter((f) => f.command === 'syslog').map((f) => f.data.replace(/^.* - /, ''))).toEqual([
        'good 1',
        'bad 2',
        'good 3',
        'bad 4',
      ]);
      expect(server.frames.map((f) => f.command)).toEqual(['open', 'syslog', 'syslog', 'syslog', 'syslog', 'close']);
      expect(diagnostics).toContainEqual(
        expect.stringContaining(
          `SyslogSink: relp://127.0.0.1:${server.port} refused 2 message(s) of a batch (the last answer: 500 refused); counted failed, not sent again`,
        ),
      );
    } finally {
      subscription.unsubscribe();
      await server.close();
    }
  });

  it('fails the batch for the sink (permanent) when the receiver refuses the session or offers no syslog command', async () => {
    for (const refusal of ['500 required command not supported by client', '200 OK\nrelp_version=0\ncommands=']) {
      const server = await fakeRelpServer((frame) => (frame.command === 'open' ? refusal : '200 OK'));
      const sink = new SyslogSink({ transport: 'relp', port: server.port });
      try {
        await expect(sink.emit([makeEvent({ text: 'x' })])).rejects.toMatchObject({
          permanent: 'sink',
          message: expect.stringContaining(`relp://127.0.0.1:${server.port} refused the RELP session`),
        });
        expect(server.frames.map((f) => f.command)).toEqual(['open']);
      } finally {
        await sink.close();
        await server.close();
      }
    }
  });

  it('fails the batch after connectTimeoutMs on a port that never answers open (a plain syslog receiver), retried', async () => {
    const server = await fakeRelpServer(() => undefined);
    const sink = new SyslogSink({ transport: 'relp', port: server.port, connectTimeoutMs: 200 });
    try {
      const error: unknown = await sink.emit([makeEvent({ text: 'x' })]).catch((e: unknown) => e);
      expect((error as Error).message).toMatch(
        new RegExp(`^SyslogSink: waiting for relp://127\\.0\\.0\\.1:${server.port} to answer RELP open timed out after \\d+ ms$`),
      );
      expect((error as { permanent?: unknown }).permanent).toBeUndefined();
    } finally {
      await sink.close();
      await server.close();
    }
  });

  it('fails the unanswered messages after writeTimeoutMs on a receiver that stops answering, and sends them again on a new session', async () => {
    let sessions = 0;
    const server = await fakeRelpServer((frame) => {
      if (frame.command === 'open') {
        sessions++;
        return OPEN_OK;
      }
      // The first session answers two messages, then nothing.
      return sessions === 1 && frame.txnr > 3 ? undefined : '200 OK';
    });
    const sink = new SyslogSink({ transport: 'relp', port: server.port, writeTimeoutMs: 200 });
    try {
      const events = [1, 2, 3, 4].map((i) => makeEvent({ text: `m${i}` }));
      const error: unknown = await sink.emit(events).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PartialDeliveryError);
      expect(error).toMatchObject({
        delivered: 2,
        rejected: 0,
        cause: expect.objectContaining({
          message: expect.stringContaining('to answer (RELP, 2 message(s) unanswered) timed out after 200 ms'),
        }),
      });
      // The retry: the rest, on a new session.
      await expect(sink.emit(events.slice(2))).resolves.toBeUndefined();
      expect(sessions).toBe(2);
      const sent = server.frames.filter((f) => f.command === 'syslog').map((f) => f.data.replace(/^.* - /, ''));
      expect(sent).toEqual(['m1', 'm2', 'm3', 'm4', 'm3', 'm4']);
    } finally {
      await sink.close();
      await server.close();
    }
  });

  it('fails the batch at once when the receiver breaks the session (serverclose, a reset, garbage) before answering', async () => {
    const behaviours: [(socket: Socket) => void, RegExp][] = [
      [(socket) => socket.end('0 serverclose 0\n'), /closed the RELP session \(serverclose\)/],
      [(socket) => socket.resetAndDestroy(), /ECONNRESET/],
      [(socket) => socket.write('HTTP/1.1 400 Bad Request\r\n\r\n'), /sent no RELP frame: "HTTP/],
    ];
    for (const [behave, reason] of behaviours) {
      const server = await fakeRelpServer((frame, socket) => {
        if (frame.command === 'open') return OPEN_OK;
        behave(socket);
        return undefined;
      });
      const sink = new SyslogSink({ transport: 'relp', port: server.port, writeTimeoutMs: 60_000 });
      try {
        const error: unknown = await sink.emit([makeEvent({ text: 'x' })]).catch((e: unknown) => e);
        expect(error).not.toBeInstanceOf(PartialDeliveryError);
        expect((error as Error).message).toMatch(reason);
        expect((error as { permanent?: unknown }).permanent).toBeUndefined();
      } finally {
        await sink.close();
        await server.close();
      }
    }
  });

  it('takes answers in any order, each for the command its txnr names (librelp does; doc/relp.md: "The server may reply in any order")', async () => {
    const frames: RelpFrame[] = [];
    let sessions = 0;
    const relp = createServer((socket) => {
      const reader = new RelpReader();
      socket.on('data', (chunk: Buffer) => {
        const commands: RelpFrame[] = [];
        for (const frame of reader.push(chunk)) {
          frames.push(frame);
          if (frame.command === 'open') {
            sessions++;
            socket.write(relpFrame(frame.txnr, 'rsp', OPEN_OK));
          } else commands.push(frame);
        }
        // The commands of each read answered newest first, in one write.
        socket.write(
          commands
            .reverse()
            .map((f) => relpFrame(f.txnr, 'rsp', f.data.includes('bad') ? '500 refused' : '200 OK'))
            .join(''),
        );
      });
    });
    await new Promise<void>((resolve) => relp.listen(0, '127.0.0.1', resolve));
    try {
      const log = new LoggerConfiguration().writeTo
        .sink(new SyslogSink({ transport: 'relp', port: (relp.address() as { port: number }).port }), {
          batch: { size: 300, maxDelayMs: 10 },
        })
        .createLogger();
      for (let i = 0; i < 300; i++) log.information(i === 7 ? 'bad {I}' : 'good {I}', i);
      const report = await log.close({ strategy: 'flush' });
      expect(report.sinks.syslog).toEqual({ delivered: 299, dropped: 0, failed: 1, undelivered: 0 });
      // Each sent once, on one session: none taken for a break and sent again.
      expect(frames.filter((f) => f.command === 'syslog')).toHaveLength(300);
      expect(sessions).toBe(1);
      expect(frames.at(-1)?.command).toBe('close');
    } finally {
      await new Promise<void>((resolve) => relp.close(() => resolve()));
    }
  });

  it('closes once the messages written before close are answered too, when the receiver answers close first', async () => {
    const held: RelpFrame[] = [];
    let received: () => void = () => undefined;
    const written = new Promise<void>((resolve) => (received = resolve));
    const server = await fakeRelpServer((frame, socket) => {
      if (frame.command === 'open') return OPEN_OK;
      if (frame.command === 'syslog') {
        held.push(frame);
        if (held.length === 2) received();
        return undefined;
      }
      // close: answered at once, the messages before it a moment later, in a write of their own.
      socket.write(relpFrame(frame.txnr, 'rsp', '200 OK'));
      setTimeout(() => socket.write(held.map((f) => relpFrame(f.txnr, 'rsp', '200 OK')).join('')), 50);
      return undefined;
    });
    const sink = new SyslogSink({ transport: 'relp', port: server.port, writeTimeoutMs: 60_000 });
    try {
      const batch = sink.emit([makeEvent({ text: 'x' }), makeEvent({ text: 'y' })]);
      await written;
      await sink.close();
      await expect(batch).resolves.toBeUndefined();
    } finally {
      await sink.close();
      await server.close();
    }
  });

  it('ends the session on an answer for no command awaiting one (an unknown txnr, or one answered already)', async () => {
    for (const extra of ['99 rsp 6 200 OK\n', '2 rsp 6 200 OK\n']) {
      const server = await fakeRelpServer((frame, socket) => {
        if (frame.command === 'open') return OPEN_OK;
        socket.write(relpFrame(frame.txnr, 'rsp', '200 OK') + extra);
        return undefined;
      });
      const sink = new SyslogSink({ transport: 'relp', port: server.port, writeTimeoutMs: 60_000 });
      try {
        const error: unknown = await sink.emit([makeEvent({ text: 'x' }), makeEvent({ text: 'y' })]).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(PartialDeliveryError);
        expect(error).toMatchObject({
          delivered: 1,
          cause: expect.objectContaining({ message: expect.stringContaining('an answer for no command') }),
        });
      } finally {
        await sink.close();
        await server.close();
      }
    }
  });

  it('opens a new session before its transaction numbers would pass 999 999 999, which imrelp takes for no wrap', async () => {
    // As librelp's receiver: each session's commands numbered 1, 2, 3 … in turn, the session dropped on any other.
    const sessions: number[][] = [];
    const server = await fakeRelpServer((frame, socket) => {
      const txnrs = frame.command === 'open' ? sessions[sessions.push([]) - 1] : (sessions.at(-1) as number[]);
      const expected = txnrs.length === 0 ? 1 : (txnrs.at(-1) as number) + 1;
      txnrs.push(frame.txnr);
      if (frame.txnr !== expected && !(txnrs.length === 3 && frame.txnr === 999_999_997)) {
        socket.destroy();
        return undefined;
      }
      return frame.command === 'open' ? OPEN_OK : '200 OK';
    });
    const transport = new SyslogRelpTransport('127.0.0.1', server.port, 5_000, 5_000);
    try {
      await transport.send(['first']);
      // A long-lived session: 999 999 995 commands later (no test sends that many), as the receiver is told too.
      (transport as unknown as { session: { txnr: number } }).session.txnr = 999_999_997;
      await expect(transport.send(['a', 'b'])).resolves.toBeGreaterThan(0);
      await expect(transport.send(['c', 'd'])).resolves.toBeGreaterThan(0);
      expect(sessions).toEqual([
        [1, 2, 999_999_997, 999_999_998, 999_999_999],
        [1, 2, 3],
      ]);
      expect(server.frames.map((f) => f.command)).toEqual([
        'open',
        'syslog',
        'syslog',
        'syslog',
        'close',
        'open',
        'syslog',
        'syslog',
      ]);
    } finally {
      await transport.close();
      await server.close();
    }
  });

  it('holds at most 128 messages unanswered, writing the rest as answers come', async () => {
    const frames: RelpFrame[] = [];
    let most = 0;
    const relp = createServer((socket) => {
      const reader = new RelpReader();
      let waiting: number[] = [];
      socket.on('data', (chunk: Buffer) => {
        for (const frame of reader.push(chunk)) {
          frames.push(frame);
          if (frame.command === 'open') socket.write(relpFrame(frame.txnr, 'rsp', OPEN_OK));
          else waiting.push(frame.txnr);
        }
        most = Math.max(most, waiting.length);
        // Answers a turn later, so a sender that did not wait for answers would pile up more.
        setImmediate(() => {
          const now = waiting;
          waiting = [];
          for (const txnr of now) socket.write(relpFrame(txnr, 'rsp', '200 OK'));
        });
      });
    });
    await new Promise<void>((resolve) => relp.listen(0, '127.0.0.1', resolve));
    const sink = new SyslogSink({ transport: 'relp', port: (relp.address() as { port: number }).port });
    try {
      await expect(sink.emit(Array.from({ length: 1_000 }, (_, i) => makeEvent({ text: `m${i}` })))).resolves.toBeUndefined();
      expect(frames.filter((f) => f.command === 'syslog')).toHaveLength(1_000);
      expect(most).toBeLessThanOrEqual(128);
    } finally {
      await sink.close();
      await new Promise<void>((resolve) => relp.close(() => resolve()));
    }
  });
});
