import { createSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TlsOptions } from 'node:tls';
import { LoggerConfiguration } from '../../../lib/configuration/logger-configuration';
import type { Sink } from '../../../lib/core/sink';

/** What an in-test syslog receiver has seen, and a way to wait for more. */
export interface SyslogTestServer {
  readonly port: number;
  /** Messages received, as UTF-8 text, in arrival order. */
  readonly messages: string[];
  /** The same messages as the bytes that arrived. */
  readonly payloads: Buffer[];
  /** Resolves once `count` messages have arrived (the test's timeout bounds the wait). */
  waitFor(count: number): Promise<string[]>;
  close(): Promise<void>;
}

/** A stream receiver also keeps the raw bytes, so framing can be asserted exactly. */
export interface SyslogStreamTestServer extends SyslogTestServer {
  /** Every byte received, over all connections. */
  raw(): Buffer;
  /** How many connections were accepted. */
  readonly connections: number;
  /** Resolves once every accepted connection has ended (the client closed it). */
  allEnded(): Promise<void>;
  /** Ends every open connection from the server's side (a FIN, as a receiver restarting cleanly does). */
  endConnections(): void;
}

function waiter(messages: string[]): { notify: () => void; waitFor: (count: number) => Promise<string[]> } {
  const waits: { count: number; resolve: (m: string[]) => void }[] = [];
  return {
    notify() {
      for (let i = waits.length - 1; i >= 0; i--) {
        if (messages.length >= waits[i].count) {
          waits[i].resolve(messages);
          waits.splice(i, 1);
        }
      }
    },
    waitFor(count) {
      if (messages.length >= count) return Promise.resolve(messages);
      return new Promise((resolve) => waits.push({ count, resolve }));
    },
  };
}

/** A UDP receiver on 127.0.0.1: each datagram is one message. */
export function startUdpServer(): Promise<SyslogTestServer> {
  return startUdpServerOn(0);
}

/** A UDP receiver on 127.0.0.1 at `port` (0: a free one): each datagram is one message. */
export async function startUdpServerOn(port: number): Promise<SyslogTestServer> {
  const socket = createSocket('udp4');
  const messages: string[] = [];
  const payloads: Buffer[] = [];
  const { notify, waitFor } = waiter(messages);
  socket.on('message', (data) => {
    payloads.push(data);
    messages.push(data.toString('utf8'));
    notify();
  });
  await new Promise<void>((resolve) => socket.bind(port, '127.0.0.1', resolve));
  return {
    port: socket.address().port,
    messages,
    payloads,
    waitFor,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

/** Splits complete frames off the front of `buffer`; returns the payloads and the rest. */
function unframe(buffer: Buffer, framing: 'octet-counting' | 'newline'): { frames: Buffer[]; rest: Buffer } {
  const frames: Buffer[] = [];
  let at = 0;
  for (;;) {
    if (framing === 'newline') {
      const end = buffer.indexOf(10, at);
      if (end === -1) break;
      frames.push(buffer.subarray(at, end));
      at = end + 1;
    } else {
      const space = buffer.indexOf(32, at);
      if (space === -1) break;
      const length = Number(buffer.toString('ascii', at, space));
      if (!Number.isInteger(length)) throw new Error(`bad octet count at byte ${at}: ${buffer.toString('utf8', at, space)}`);
      if (buffer.length < space + 1 + length) break;
      frames.push(buffer.subarray(space + 1, space + 1 + length));
      at = space + 1 + length;
    }
  }
  return { frames, rest: buffer.subarray(at) };
}

/**
 * A TCP receiver on 127.0.0.1 (on `port`, or a free one), over TLS with `tls`, or a Unix stream
 * socket at `path`, splitting messages by `framing`.
 */
export async function startStreamServer(options: {
  framing: 'octet-counting' | 'newline';
  port?: number;
  path?: string;
  /** A TLS receiver (RFC 5425) with these `tls.createServer` options; `raw()` is then the decrypted stream. */
  tls?: TlsOptions;
  /** Resets the first connection (RST) once it has received this many bytes; the frames it completed are kept. */
  resetFirstAfterBytes?: number;
  /**
   * Closes each of the first `count` connections once it has received `afterBytes` (0: at accept,
   * before reading anything), keeping only the frames complete within them: a receiver restarting,
   * or a load balancer without a backend.
   */
  closeFirst?: { readonly count: number; readonly afterBytes: number };
}): Promise<SyslogStreamTestServer> {
  const messages: string[] = [];
  const payloads: Buffer[] = [];
  const chunks: Buffer[] = [];
  const sockets = new Set<Socket>();
  const ended: Promise<void>[] = [];
  const { notify, waitFor } = waiter(messages);
  let connections = 0;
  const accept = (socket: Socket): void => {
    connections++;
    sockets.add(socket);
    let pending = Buffer.alloc(0);
    ended.push(new Promise<void>((resolve) => socket.once('close', () => resolve())));
    const resetAfter = connections === 1 ? options.resetFirstAfterBytes : undefined;
    const closeAfter = connections <= (options.closeFirst?.count ?? 0) ? options.closeFirst?.afterBytes : undefined;
    let received = 0;
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    if (closeAfter === 0) {
      socket.destroy();
      return;
    }
    socket.on('data', (chunk: Buffer) => {
      if (closeAfter !== undefined) {
        if (received >= closeAfter) return;
        chunk = chunk.subarray(0, closeAfter - received);
        if (received + chunk.length >= closeAfter) socket.destroy();
      }
      chunks.push(chunk);
      received += chunk.length;
      if (resetAfter !== undefined && received >= resetAfter) setImmediate(() => socket.resetAndDestroy());
      const { frames, rest } = unframe(Buffer.concat([pending, chunk]), options.framing);
      pending = Buffer.from(rest);
      for (const frame of frames) {
        payloads.push(Buffer.from(frame));
        messages.push(frame.toString('utf8'));
      }
      notify();
    });
  };
  const server: Server = options.tls ? createTlsServer(options.tls, accept) : createServer(accept);
  // A handshake the server refuses (a client certificate missing) is the client's to see.
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if (options.path !== undefined) server.listen(options.path, resolve);
    else server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address !== null ? address.port : 0,
    messages,
    payloads,
    waitFor,
    raw: () => Buffer.concat(chunks),
    get connections() {
      return connections;
    },
    endConnections: () => {
      for (const socket of sockets) socket.end();
    },
    allEnded: async () => {
      await Promise.all(ended);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then released). */
export async function freeTcpPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

/**
 * Logs ten events in one batch through `sink` to `server`, a receiver that closes its first
 * connection after reading part of it (`closeFirst: { count: 1, afterBytes: 300 }`), and checks
 * the batch was sent again whole on a second connection: every event arrives, all count delivered,
 * after one retry.
 */
export async function expectBatchResentWhole(sink: Sink, server: SyslogStreamTestServer): Promise<void> {
  const log = new LoggerConfiguration().writeTo
    .sink(sink, { batch: { size: 10, maxDelayMs: 1_000 }, retry: { attempts: 3, initialDelayMs: 1, jitter: 0 } })
    .createLogger();
  for (let i = 0; i < 10; i++) log.information('Order {OrderId} paid', i);
  const report = await log.close({ strategy: 'flush' });
  await server.allEnded();
  const ids = server.messages.map((m) => Number(/ Order (\d+) paid$/.exec(m)?.[1]));

  expect(server.connections).toBe(2);
  expect(new Set(ids)).toEqual(new Set(Array.from({ length: 10 }, (_, i) => i)));
  expect(report.sinks.syslog).toEqual({ delivered: 10, dropped: 0, failed: 0, undelivered: 0 });
  expect(log.metrics().sinks.syslog).toMatchObject({ retried: 1 });
}
