import dns from 'node:dns';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LoggerConfiguration } from '../../../lib/configuration/logger-configuration';
import { PartialDeliveryError } from '../../../lib/core/errors/partial-delivery-error';
import { SyslogSink } from '../../../lib/node/syslog/syslog-sink';
import type { SyslogTlsOptions } from '../../../lib/node/syslog/syslog-tls-options';
import { makeEvent } from '../../helpers/events';
import { poller } from '../../helpers/poll-until';
import { RSYSLOGD, type Rsyslogd, startRsyslogd } from './rsyslogd';
import { hasOpenssl, makeTestCerts, type TestCerts } from './syslog-test-certs';
import { expectEachOnceUnlessResent, expectNothingLostAcrossRestarts } from './relp-restarts';
import { freeTcpPort } from './syslog-test-servers';

const IMRELP = '/usr/lib/x86_64-linux-gnu/rsyslog/imrelp.so';
const installed = existsSync(RSYSLOGD) && existsSync(IMRELP) && hasOpenssl;
if (!installed) {
  console.warn(
    'SKIPPED spec/node/syslog/syslog-relp-tls-rsyslog.spec.ts: rsyslog, its RELP input or openssl not installed: `apt-get install rsyslog rsyslog-relp openssl` (CI installs them). SyslogSink’s RELP over TLS is not tested against a real rsyslogd.',
  );
}

/** Longest wait for rsyslogd to start or for lines to reach its output file, in milliseconds. */
const WAIT_MS = 15_000;
const pollUntil = poller({ waitMs: WAIT_MS, pollMs: 50 });

/**
 * A real rsyslogd whose imrelp inputs take RELP over TLS (`tls="on"`) with the test CA's server
 * certificate, each writing every message's MSG to one file, on either TLS library of librelp:
 * GnuTLS (its default) or OpenSSL (`tls.tlslib`).
 */
(installed ? describe.each : describe.skip.each)([{ tlslib: 'gnutls' }, { tlslib: 'openssl' }])(
  'SyslogSink over RELP with TLS, with a real rsyslogd (imrelp tls="on", $tlslib)',
  ({ tlslib }) => {
    const run = `${process.pid}-${Date.now().toString(36)}`;
    let certs: TestCerts;
    let dir: string;
    let file: string;
    let config: string[];
    let daemon: Rsyslogd | undefined;
    /** Asks for the sender's certificate and admits only `rxlog-client` (tls.authmode="name", tls.permittedpeer). */
    let namePort: number;
    /**
     * Asks for the sender's certificate and admits any (tls.authmode="certvalid"): librelp's OpenSSL
     * code checks that the test CA signed it, its GnuTLS code only that there is one.
     */
    let certvalidPort: number;
    /** As certvalidPort, serving the certificate of the IDN `bücher.example` (it holds its A-labels). */
    let idnPort: number;

    const received = (): string[] =>
      existsSync(file)
        ? readFileSync(file, 'utf8')
            .split('\n')
            .filter((line) => line !== '')
        : [];
    const output = (): string => daemon?.output() ?? '(not running)';
    const clientTls = (): SyslogTlsOptions => ({ ca: certs.ca, cert: certs.clientCert, key: certs.clientKey });

    /** Starts rsyslogd, then waits until a probe over RELP with TLS is acknowledged. */
    async function start(): Promise<void> {
      daemon = startRsyslogd(dir, config, WAIT_MS);
      const probe = new SyslogSink({ transport: 'relp', port: certvalidPort, appName: 'probe', tls: clientTls() });
      await pollUntil(
        () =>
          probe.emit([makeEvent({ text: `probe ${run}` })]).then(
            () => true,
            () => undefined,
          ),
        () => `rsyslogd did not take a RELP session over TLS; its output:\n${output()}`,
      );
      await probe.close();
    }

    beforeAll(async () => {
      certs = makeTestCerts();
      dir = mkdtempSync(join(tmpdir(), 'rxlog-relp-tls-'));
      file = join(dir, 'out.log');
      namePort = await freeTcpPort();
      certvalidPort = await freeTcpPort();
      idnPort = await freeTcpPort();
      const server = `tls="on" tls.cacert="${join(certs.dir, 'ca.pem')}" tls.mycert="${join(certs.dir, 'server.pem')}" tls.myprivkey="${join(certs.dir, 'server.key')}"`;
      config = [
        `global(workDirectory="${dir}")`,
        `module(load="imrelp" tls.tlslib="${tlslib}")`,
        `input(type="imrelp" address="127.0.0.1" port="${namePort}" ${server} tls.authmode="name" tls.permittedpeer=["rxlog-client"])`,
        `input(type="imrelp" address="127.0.0.1" port="${certvalidPort}" ${server} tls.authmode="certvalid")`,
        `input(type="imrelp" address="127.0.0.1" port="${idnPort}" tls="on" tls.cacert="${join(certs.dir, 'ca.pem')}" tls.mycert="${join(certs.dir, 'idn-server.pem')}" tls.myprivkey="${join(certs.dir, 'idn-server.key')}" tls.authmode="certvalid")`,
        'template(name="rxlogMsg" type="string" string="%msg%\\n")',
        `*.* action(type="omfile" file="${file}" template="rxlogMsg")`,
      ];
      await start();
    }, 30_000);

    afterAll(async () => {
      await daemon?.stop();
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
      certs?.remove();
    });

    it('delivers every event exactly once over TLS (at least once after a session that broke) to a receiver that admits only its certificate’s name', async () => {
      const count = 300;
      const tag = `once ${run}`;
      const log = new LoggerConfiguration().writeTo // Batches larger than the window of 128 unacknowledged messages, and smaller ones.
        .sink(new SyslogSink({ transport: 'relp', port: namePort, appName: 'rxlog-relp-tls', tls: clientTls() }), {
          batch: { size: 200, maxDelayMs: 20 },
        })
        .createLogger();
      for (let i = 0; i < count; i++) log.information('Event {I} of {Tag}', i, tag);
      const report = await log.close({ strategy: 'flush' });
      expect(report.sinks.syslog).toEqual({ delivered: count, dropped: 0, failed: 0, undelivered: 0 });
      const mine = await pollUntil(
        () => {
          const found = received().filter((line) => line.endsWith(` of ${tag}`));
          return found.length >= count ? found : undefined;
        },
        () => `rsyslogd wrote ${received().length} lines; its output:\n${output()}`,
      );
      expectEachOnceUnlessResent(
        mine,
        Array.from({ length: count }, (_, i) => `Event ${i} of ${tag}`),
        log.metrics().sinks.syslog.retried,
      );
    });

    it('sends close and gets its answer, so rsyslogd sees a clean end of the TLS session', async () => {
      const before = output().length;
      const text = `closing ${run}`;
      const sink = new SyslogSink({ transport: 'relp', port: namePort, appName: 'rxlog-close', tls: clientTls() });
      await sink.emit([makeEvent({ text })]);
      await sink.close();
      await pollUntil(
        () => (received().includes(text) ? true : undefined),
        () => `the message did not reach rsyslogd; its output:\n${output()}`,
      );
      // librelp reports a session that ended without close (or TLS without close_notify) as an error;
      // this test runs before those of refused certificates, whose errors rsyslogd reports late.
      expect(output().slice(before)).toBe('');
    });

    const otherCaTls = (): SyslogTlsOptions => ({ ca: certs.ca, cert: certs.otherClientCert, key: certs.otherClientKey });
    const refusals: [string, () => number, () => SyslogTlsOptions][] = [
      ['the permitted name in a certificate of a CA it does not trust', () => namePort, otherCaTls],
      ['no certificate', () => certvalidPort, () => ({ ca: certs.ca })],
    ];
    // librelp's GnuTLS code takes a certificate of any CA under certvalid (see certvalidPort).
    if (tlslib === 'openssl') refusals.push(['a certificate of a CA it does not trust', () => certvalidPort, otherCaTls]);
    it.each(refusals)('fails the batch, counted delivered never, when the receiver refuses %s', async (name, port, tls) => {
      const text = `refused ${name} ${run}`;
      const sink = new SyslogSink({ transport: 'relp', port: port(), appName: 'rxlog-refused', tls: tls() });
      try {
        // Refused after the sender's side of the handshake is done (TLS 1.3): the session closes before `open` is answered.
        const error = await sink.emit([makeEvent({ text })]).then(
          () => undefined,
          (failed: unknown) => failed,
        );
        expect(error).toBeInstanceOf(Error);
        expect(error).not.toBeInstanceOf(PartialDeliveryError);
        expect((error as Error).message).toMatch(/refuse(s|d) this sender's certificate/);
      } finally {
        await sink.close();
      }
      // The next message on an admitted connection is written after it: once that is in, the refused one never comes.
      const after = `after ${name} ${run}`;
      const admitted = new SyslogSink({ transport: 'relp', port: certvalidPort, appName: 'rxlog-after', tls: clientTls() });
      await admitted.emit([makeEvent({ text: after })]);
      await admitted.close();
      await pollUntil(
        () => (received().includes(after) ? true : undefined),
        () => `rsyslogd did not write the admitted message; its output:\n${output()}`,
      );
      expect(received()).not.toContain(text);
    });

    it.each([
      [
        'a name it does not hold',
        (): SyslogTlsOptions => ({ ...clientTls(), servername: 'other.example' }),
        /ERR_TLS_CERT_ALTNAME_INVALID/,
      ],
      [
        'a CA that did not sign it',
        (): SyslogTlsOptions => ({ ...clientTls(), ca: certs.otherCa }),
        // librelp's OpenSSL code sends the CA with the server's certificate, its GnuTLS code does not.
        /UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN/,
      ],
    ])('refuses the receiver’s certificate for good when tls names %s, as transport tls does', async (_name, tls, code) => {
      const sink = new SyslogSink({ transport: 'relp', port: certvalidPort, appName: 'rxlog-server-refused', tls: tls() });
      try {
        const text = `server refused ${code.source} ${run}`;
        await expect(sink.emit([makeEvent({ text })])).rejects.toMatchObject({
          permanent: 'sink',
          message: expect.stringMatching(new RegExp(`\\((${code.source})\\): the receiver's certificate was refused`)) as unknown,
        });
        expect(received()).not.toContain(text);
      } finally {
        await sink.close();
      }
    });

    it('delivers to a host with letters outside ASCII whose certificate holds its IDNA A-labels, as transport tls does', async () => {
      // The name was sent in SNI and checked as given, never matching the A-labels a certificate
      // holds (RFC 5280 §7.2): ERR_TLS_CERT_ALTNAME_INVALID, each batch failing for good.
      const real = dns.lookup as (...args: unknown[]) => void;
      const lookup = jest
        .spyOn(dns, 'lookup')
        .mockImplementation((name: string, ...rest: unknown[]): void =>
          real(name === 'bücher.example' ? '127.0.0.1' : name, ...rest),
        );
      const text = `by its IDN ${run}`;
      const sink = new SyslogSink({
        transport: 'relp',
        host: 'bücher.example',
        port: idnPort,
        appName: 'rxlog-idn',
        tls: clientTls(),
      });
      try {
        await sink.emit([makeEvent({ text })]);
      } finally {
        await sink.close();
        lookup.mockRestore();
      }
      await pollUntil(
        () => (received().includes(text) ? true : undefined),
        () => `the message did not reach rsyslogd; its output:\n${output()}`,
      );
    });

    it('loses nothing uncounted while rsyslogd is stopped and restarted during batches', async () => {
      const sink = new SyslogSink({
        transport: 'relp',
        port: certvalidPort,
        appName: 'rxlog-restart',
        connectTimeoutMs: 1_000,
        tls: clientTls(),
      });
      await expectNothingLostAcrossRestarts(
        sink,
        {
          received,
          output,
          stop: async () => {
            await daemon?.stop();
          },
          restart: () => {
            daemon = startRsyslogd(dir, config, WAIT_MS);
          },
        },
        pollUntil,
        { tag: `restart ${run}`, rounds: 2, stopBetweenBatches: false },
      );
    }, 60_000);
  },
);
