import dns, { type LookupAddress } from 'node:dns';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LoggerConfiguration } from '../../../lib/configuration/logger-configuration';
import { SyslogRelpTransport } from '../../../lib/node/syslog/syslog-relp-transport';
import { SyslogSink } from '../../../lib/node/syslog/syslog-sink';
import { SyslogStreamTransport } from '../../../lib/node/syslog/syslog-stream-transport';
import { SyslogUdpTransport } from '../../../lib/node/syslog/syslog-udp-transport';
import type { SyslogSinkOptions } from '../../../lib/node/syslog/syslog-sink-options';
import { collectSelfLog } from '../../helpers/self-log';
import { freeTcpPort } from './syslog-test-servers';

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** `dns.lookup` answering ENOTFOUND for `hostname` (as a name that does not resolve gets), on the next tick; other names as usual. */
function lookupFails(hostname: string): void {
  const real = dns.lookup as (...args: unknown[]) => void;
  jest.spyOn(dns, 'lookup').mockImplementation((name: string, ...rest: unknown[]): void => {
    if (name !== hostname) return real(name, ...rest);
    const callback = rest[rest.length - 1] as LookupCallback;
    const error = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname });
    process.nextTick(() => callback(error, []));
  });
}

/** A TCP receiver on 127.0.0.1 that, once a connection's first bytes arrive, resets it, or closes it mid-frame; or that never reads. */
async function hostileReceiver(how: 'reset' | 'close' | 'never-read'): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    if (how === 'never-read') socket.pause();
    else socket.once('data', () => (how === 'reset' ? socket.resetAndDestroy() : socket.destroy()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// A failed batch's error reaches SelfLog (the delivery stage's line) and metrics' lastError; with
// Node's own errors alone (`read ECONNRESET`, `getaddrinfo ENOTFOUND logs`) neither said which
// receiver failed, nor its port or transport, with two syslog sinks or one.
describe('SyslogSink failures', () => {
  const missing = 'missing.rxlog.invalid';
  let dir: string;
  let resetting: { port: number; close: () => Promise<void> };
  let closing: { port: number; close: () => Promise<void> };
  let neverReading: { port: number; close: () => Promise<void> };
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rxlog-syslog-failures-'));
    resetting = await hostileReceiver('reset');
    closing = await hostileReceiver('close');
    neverReading = await hostileReceiver('never-read');
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await Promise.all([resetting, closing, neverReading].map((receiver) => receiver.close()));
  });
  afterEach(() => jest.restoreAllMocks());

  /** What fails, how to reach it, and the receiver as named; that many events (default 1), in one batch. */
  const cases: [string, () => Promise<[SyslogSinkOptions, string, number?]>][] = [
    [
      'udp, a host name that does not resolve',
      () => Promise.resolve([{ transport: 'udp', host: missing }, `udp://${missing}:514`]),
    ],
    [
      'tcp, a host name that does not resolve',
      () => Promise.resolve([{ transport: 'tcp', host: missing }, `tcp://${missing}:514`]),
    ],
    [
      'tcp, a receiver that resets the connection',
      () => Promise.resolve([{ transport: 'tcp', port: resetting.port }, `tcp://127.0.0.1:${resetting.port}`]),
    ],
    [
      'tcp, a receiver that closes the connection mid-frame',
      () => Promise.resolve([{ transport: 'tcp', port: closing.port }, `tcp://127.0.0.1:${closing.port}`]),
    ],
    [
      // A batch of 24 MB, more than the kernel's buffers on both ends hold: the write stalls, and fails writeTimeoutMs later.
      'tcp, a receiver that accepts and never reads',
      () =>
        Promise.resolve([
          { transport: 'tcp', port: neverReading.port, writeTimeoutMs: 300, maxMessageBytes: 65_536, structuredData: false },
          `tcp://127.0.0.1:${neverReading.port}`,
          400,
        ]),
    ],
    [
      'unix, no socket at path',
      () => Promise.resolve([{ transport: 'unix', path: join(dir, 'none.sock') }, `unix:${join(dir, 'none.sock')}`]),
    ],
    [
      'relp, nothing listening',
      async () => {
        const port = await freeTcpPort();
        return [{ transport: 'relp', port }, `relp://127.0.0.1:${port}`];
      },
    ],
  ];

  it.each(cases)(
    'names the receiver in SelfLog and in metrics’ lastError (%s), its events counted failed',
    async (_name, make) => {
      lookupFails(missing);
      const [options, where, count = 1] = await make();
      const selfLog = collectSelfLog();
      const log = new LoggerConfiguration().writeTo
        .sink(new SyslogSink({ ...options, appName: 'shop' }), { batch: { size: 512, maxDelayMs: 1 }, retry: false })
        .createLogger();
      try {
        const body = count === 1 ? '' : 'b'.repeat(60_000);
        for (let i = 0; i < count; i++) log.information('Order {OrderId} paid {Body}', i, body);
        await log.flush();
        const metrics = log.metrics().sinks.syslog;
        const report = await log.close({ strategy: 'flush' });

        expect(report.sinks.syslog).toEqual({ delivered: 0, dropped: 0, failed: count, undelivered: 0 });
        expect(metrics.lastError).toContain(where);
        expect(selfLog.diagnostics.map((d) => d.message).filter((m) => m.includes('Sink syslog failed'))).toEqual([
          expect.stringContaining(where),
        ]);
      } finally {
        selfLog.stop();
      }
    },
  );
});

// Found by a review: an IPv6 address was written bare, `tcp://fe80::1:514`, where the port cannot be
// told from the address; URLs bracket it (RFC 3986 §3.2.2).
describe('the receiver as errors and SelfLog name it', () => {
  it('brackets an IPv6 address, as a URL does, and writes the rest as given', async () => {
    const transports = [
      new SyslogUdpTransport('::1', 514, 5_000, 10_000),
      new SyslogStreamTransport({ host: 'fe80::1%eth0', port: 601 }, 'octet-counting', 5_000, 10_000),
      new SyslogStreamTransport({ host: '2001:db8::5', port: 6514, tls: {} }, 'octet-counting', 5_000, 10_000),
      new SyslogRelpTransport('::1', 2514, 5_000, 10_000),
      new SyslogStreamTransport({ host: '10.0.0.5', port: 514 }, 'newline', 5_000, 10_000),
      new SyslogUdpTransport('logs.internal', 5514, 5_000, 10_000),
      new SyslogStreamTransport({ path: '/run/syslog.sock' }, 'newline', 5_000, 10_000),
    ];
    expect(transports.map((transport) => transport.where)).toEqual([
      'udp://[::1]:514',
      'tcp://[fe80::1%eth0]:601',
      'tls://[2001:db8::5]:6514',
      'relp://[::1]:2514',
      'tcp://10.0.0.5:514',
      'udp://logs.internal:5514',
      'unix:/run/syslog.sock',
    ]);
    await Promise.all(transports.map((transport) => transport.close()));
  });
});
