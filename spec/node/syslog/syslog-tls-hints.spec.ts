import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { SyslogSink } from '../../../lib/node/syslog/syslog-sink';
import type { SyslogSinkOptions } from '../../../lib/node/syslog/syslog-sink-options';
import { makeEvent } from '../../helpers/events';
import { hasOpenssl, makeTestCerts, type TestCerts } from './syslog-test-certs';
import { startStreamServer, type SyslogStreamTestServer } from './syslog-test-servers';

/** `pem` with the last byte of its signature changed: its issuer's name, but a signature that does not verify. */
function withBadSignature(pem: string): string {
  const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  der[der.length - 1] ^= 1;
  return `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE-----\n`;
}

/**
 * `openssl s_server` serving `cert` for the SNI name `logs.example` only, answering any other name
 * with a fatal `unrecognized_name` alert (RFC 6066 §3), as a TLS front end that routes by name does.
 */
async function startNamedOnlyServer(dir: string): Promise<{ port: number; stop: () => void }> {
  const files = ['-cert', 'server.pem', '-key', 'server.key'];
  const server: ChildProcessWithoutNullStreams = spawn(
    'openssl',
    [
      's_server',
      '-accept',
      '127.0.0.1:0',
      ...files,
      '-servername',
      'logs.example',
      '-cert2',
      'server.pem',
      '-key2',
      'server.key',
      '-servername_fatal',
    ],
    { cwd: dir, timeout: 30_000 },
  );
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`openssl s_server did not start: ${output}`)), 10_000);
    server.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const accept = /ACCEPT 127\.0\.0\.1:(\d+)/.exec(output);
      if (accept !== null) {
        clearTimeout(timer);
        resolve(Number(accept[1]));
      }
    });
    server.once('exit', () => reject(new Error(`openssl s_server exited: ${output}`)));
  });
  // stdin stays open: s_server ends at its end.
  return { port, stop: () => void server.kill() };
}

async function failureOf(sink: SyslogSink): Promise<(Error & { code?: unknown; permanent?: unknown }) | undefined> {
  return (await sink.emit([makeEvent()]).then(
    () => undefined,
    (error: unknown) => error,
  )) as (Error & { code?: unknown; permanent?: unknown }) | undefined;
}

// These TLS failures had no hint on the SelfLog line, where every other refusal says what to set.
(hasOpenssl ? describe : describe.skip)('SyslogSink over TLS: the hint of a failure', () => {
  let certs: TestCerts;
  const sinks: SyslogSink[] = [];
  const servers: SyslogStreamTestServer[] = [];
  const sinkFor = (options: SyslogSinkOptions): SyslogSink => {
    const sink = new SyslogSink({ hostname: 'web-1', appName: 'shop', transport: 'tls', connectTimeoutMs: 10_000, ...options });
    sinks.push(sink);
    return sink;
  };

  beforeAll(() => {
    certs = makeTestCerts();
  });
  afterAll(() => certs.remove());
  afterEach(async () => {
    await Promise.all(sinks.splice(0).map((s) => s.close()));
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  // Said "tls.ca names the CA that signed it, tls.servername a name it holds", where tls.ca held a
  // CA of that name: the certificate was altered, or signed by another key under the same name.
  it('says a receiver’s certificate whose signature does not verify was refused, and why (CERT_SIGNATURE_FAILURE)', async () => {
    const receiver = await startStreamServer({
      framing: 'octet-counting',
      tls: { cert: withBadSignature(certs.serverCert), key: certs.serverKey },
    });
    servers.push(receiver);
    const failure = await failureOf(sinkFor({ host: 'localhost', port: receiver.port, tls: { ca: certs.ca } }));
    expect(failure?.message).toMatch(
      /\(CERT_SIGNATURE_FAILURE\): the receiver's certificate was refused: its signature does not verify with the key of the CA of tls\.ca that has its issuer's name \(a CA made again under the same name, or an altered certificate\): give the CA that signed it as tls\.ca$/,
    );
    expect(failure).toMatchObject({ code: 'CERT_SIGNATURE_FAILURE', permanent: 'sink' });
    expect(receiver.messages).toEqual([]);
  });

  it('says a receiver that knows no certificate for the name sent as SNI refused it (ERR_SSL_TLSV1_UNRECOGNIZED_NAME)', async () => {
    const server = await startNamedOnlyServer(certs.dir);
    try {
      const failure = await failureOf(
        sinkFor({ host: '127.0.0.1', port: server.port, tls: { ca: certs.ca, servername: 'localhost' } }),
      );
      expect(failure?.message).toMatch(
        /unrecognized name.* \(ERR_SSL_TLSV1_UNRECOGNIZED_NAME\): the receiver serves no certificate for the name sent as SNI \(host, or tls\.servername when set\): set tls\.servername to the name it serves$/,
      );
      expect(failure).toMatchObject({ code: 'ERR_SSL_TLSV1_UNRECOGNIZED_NAME' });
    } finally {
      server.stop();
    }
  });
});
