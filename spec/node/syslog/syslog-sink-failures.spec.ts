import dns, { type LookupAddress } from 'node:dns';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
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

/** A TCP receiver on 127.0.0.1 that resets each connection once its first bytes arrive. */
async function resettingReceiver(): Promise<{ port: number; server: Server }> {
  const server = createServer((socket) => {
    socket.on('error', () => undefined);
    socket.once('data', () => socket.resetAndDestroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as { port: number }).port, server };
}

// A failed batch's error reaches SelfLog (the delivery stage's line) and metrics' lastError; with
// Node's own errors alone (`read ECONNRESET`, `getaddrinfo ENOTFOUND logs`) neither said which
// receiver failed, nor its port or transport, with two syslog sinks or one.
describe('SyslogSink failures', () => {
  const missing = 'missing.rxlog.invalid';
  let dir: string;
  let resetting: { port: number; server: Server };
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rxlog-syslog-failures-'));
    resetting = await resettingReceiver();
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await new Promise<void>((resolve) => resetting.server.close(() => resolve()));
  });
  afterEach(() => jest.restoreAllMocks());

  const cases: [string, () => Promise<[SyslogSinkOptions, string]>][] = [
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
    'names the receiver in SelfLog and in metrics’ lastError (%s), the event counted failed',
    async (_name, make) => {
      lookupFails(missing);
      const [options, where] = await make();
      const selfLog = collectSelfLog();
      const log = new LoggerConfiguration().writeTo
        .sink(new SyslogSink({ ...options, appName: 'shop' }), { batch: { size: 1, maxDelayMs: 1 }, retry: false })
        .createLogger();
      try {
        log.information('Order {OrderId} paid', 7);
        await log.flush();
        const metrics = log.metrics().sinks.syslog;
        const report = await log.close({ strategy: 'flush' });

        expect(report.sinks.syslog).toEqual({ delivered: 0, dropped: 0, failed: 1, undelivered: 0 });
        expect(metrics.lastError).toContain(`SyslogSink: ${where}`);
        expect(selfLog.diagnostics.map((d) => d.message).filter((m) => m.includes('Sink syslog failed'))).toEqual([
          expect.stringContaining(`SyslogSink: ${where}`),
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
