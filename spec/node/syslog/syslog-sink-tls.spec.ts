import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import dns from 'node:dns';
import { createServer as createHttpServer } from 'node:http';
import { join } from 'node:path';
import {
  checkServerIdentity as tlsCheckServerIdentity,
  createSecureContext,
  type PeerCertificate,
  type TlsOptions,
} from 'node:tls';
import { SelfLog } from '../../../lib/core/self-log';
import { LoggerConfiguration } from '../../../lib/configuration/logger-configuration';
import { SyslogSink } from '../../../lib/node/syslog/syslog-sink';
import type { SyslogSinkOptions } from '../../../lib/node/syslog/syslog-sink-options';
import { makeEvent } from '../../helpers/events';
import { expectBreakerOpens, runBrokenSink } from '../../helpers/sink-breaker';
import { hasOpenssl, makeTestCerts, type TestCerts } from './syslog-test-certs';
import { expectBatchResentWhole, freeTcpPort, startStreamServer, type SyslogStreamTestServer } from './syslog-test-servers';

if (!hasOpenssl) {
  console.warn(
    'SKIPPED spec/node/syslog/syslog-sink-tls.spec.ts: the openssl command-line tool is not installed (`apt-get install openssl`), so no test certificates can be made. SyslogSink over TLS is not tested.',
  );
}

const PID = process.pid;

/** `dns.lookup` answering 127.0.0.1 for `hostname` (a name this host may not resolve); other names as usual. */
function lookupAsLoopback(hostname: string): jest.SpyInstance {
  const real = dns.lookup as (...args: unknown[]) => void;
  return jest
    .spyOn(dns, 'lookup')
    .mockImplementation((name: string, ...rest: unknown[]): void => real(name === hostname ? '127.0.0.1' : name, ...rest));
}
const common = { hostname: 'web-1', appName: 'shop' } as const;

(hasOpenssl ? describe : describe.skip)('SyslogSink over TLS (RFC 5425)', () => {
  let certs: TestCerts;
  const servers: SyslogStreamTestServer[] = [];
  const sinks: SyslogSink[] = [];
  const serve = async (
    options: Omit<Parameters<typeof startStreamServer>[0], 'framing' | 'tls'> & {
      requestClientCert?: boolean;
      selfSigned?: boolean;
      /** Another certificate of `serverKey`'s than `serverCert`. */
      serverCert?: string;
      /** Another certificate chain and its key. */
      chain?: { cert: string; key: string };
      /** Is told the name the sender asked for (SNI). */
      SNICallback?: TlsOptions['SNICallback'];
    } = {},
  ): Promise<SyslogStreamTestServer> => {
    const { requestClientCert, selfSigned, serverCert, chain, SNICallback, ...rest } = options;
    const server = await startStreamServer({
      ...rest,
      framing: 'octet-counting',
      tls: {
        key: chain?.key ?? (selfSigned === true ? certs.selfSignedKey : certs.serverKey),
        cert: chain?.cert ?? (selfSigned === true ? certs.selfSignedCert : (serverCert ?? certs.serverCert)),
        ...(requestClientCert === true ? { ca: certs.ca, requestCert: true, rejectUnauthorized: true } : {}),
        ...(SNICallback === undefined ? {} : { SNICallback }),
      },
    });
    servers.push(server);
    return server;
  };
  const sinkFor = (options: SyslogSinkOptions): SyslogSink => {
    const sink = new SyslogSink({ ...common, transport: 'tls', ...options });
    sinks.push(sink);
    return sink;
  };
  const selfLog = (): { lines: string[]; stop: () => void } => {
    const lines: string[] = [];
    const subscription = SelfLog.events$.subscribe((d) => lines.push(d.message));
    return { lines, stop: () => subscription.unsubscribe() };
  };

  beforeAll(() => {
    certs = makeTestCerts();
  });
  afterAll(() => certs.remove());
  afterEach(async () => {
    await Promise.all(sinks.splice(0).map((s) => s.close()));
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  it('sends octet-counted RFC 5424 messages (RFC 5425 §4.3) inside TLS, byte for byte', async () => {
    const server = await serve();
    const sink = sinkFor({ port: server.port, tls: { ca: certs.ca } });

    await sink.emit([makeEvent({ text: 'ünïcode one' }), makeEvent({ text: 'two', properties: { Id: 7 } })]);
    await server.waitFor(2);

    const one = `<14>1 2026-11-22T12:00:00.000Z web-1 shop ${PID} - - ünïcode one`;
    const two = `<14>1 2026-11-22T12:00:00.000Z web-1 shop ${PID} - [rxlog@32473 Id="7"] two`;
    expect(server.raw().toString('utf8')).toBe(`${Buffer.byteLength(one)} ${one}${Buffer.byteLength(two)} ${two}`);
    expect(server.connections).toBe(1);
    expect(sink.bytesWritten).toBe(server.raw().length);
  });

  it('checks the certificate against servername when host is not its name', async () => {
    const server = await serve();
    const sink = sinkFor({ host: '127.0.0.1', port: server.port, tls: { ca: certs.ca, servername: 'localhost' } });

    await sink.emit([makeEvent({ text: 'by name' })]);

    expect(await server.waitFor(1)).toEqual([expect.stringMatching(/ by name$/)]);
  });

  it('sends a host with letters outside ASCII as its IDNA A-labels in SNI and checks the certificate against them', async () => {
    // Node sent the name as given, the UTF-8 bytes in SNI (RFC 6066 §3 takes A-labels) and checked
    // it against the certificate's names, which hold A-labels (RFC 5280 §7.2): a receiver whose
    // certificate holds bücher.example was refused (ERR_TLS_CERT_ALTNAME_INVALID), each batch failing.
    const lookup = lookupAsLoopback('bücher.example');
    const sni: string[] = [];
    const secureContext = createSecureContext({ cert: certs.idnServerCert, key: certs.idnServerKey });
    try {
      const server = await serve({
        chain: { cert: certs.idnServerCert, key: certs.idnServerKey },
        SNICallback: (name, callback) => {
          sni.push(name);
          callback(null, secureContext);
        },
      });
      const sink = sinkFor({ host: 'bücher.example', port: server.port, tls: { ca: certs.ca } });
      // tls.servername given with such letters is sent and checked alike.
      const named = sinkFor({
        host: '127.0.0.1',
        port: server.port,
        tls: { ca: certs.ca, servername: 'Bücher.example', checkServerIdentity },
      });
      const checked: string[] = [];
      function checkServerIdentity(hostname: string, cert: PeerCertificate): Error | undefined {
        checked.push(hostname);
        return tlsCheckServerIdentity(hostname, cert);
      }

      await sink.emit([makeEvent({ text: 'by its IDN' })]);
      await named.emit([makeEvent({ text: 'by servername' })]);

      expect(await server.waitFor(2)).toEqual([expect.stringMatching(/ by its IDN$/), expect.stringMatching(/ by servername$/)]);
      expect(sni).toEqual(['xn--bcher-kva.example', 'xn--bcher-kva.example']);
      expect(checked).toEqual(['xn--bcher-kva.example']);
      expect(lookup).toHaveBeenCalledWith('bücher.example', expect.anything(), expect.any(Function));
    } finally {
      lookup.mockRestore();
    }
  });

  // Node sent no SNI for a host ending in a dot, and a servername ending in one as given; and none
  // for a plain host name, which tls.connect leaves out unless told: a receiver choosing its
  // certificate by SNI (OpenSSL's s_server -servername with -servername_fatal, a front end routing
  // by name) answered with unrecognized_name, each batch retried.
  it.each([
    ['a host name ending in a dot (fully qualified) without the dot, as RFC 6066 §3 asks', 'localhost.'],
    ['a plain host name, which tls.connect leaves out unless told', 'localhost'],
  ])('sends in SNI %s', async (_, name) => {
    const sni: string[] = [];
    const secureContext = createSecureContext({ cert: certs.serverCert, key: certs.serverKey });
    const server = await serve({
      SNICallback: (given, callback) => {
        sni.push(given);
        callback(null, secureContext);
      },
    });
    const sink = sinkFor({ host: name, port: server.port, tls: { ca: certs.ca } });
    const named = sinkFor({ host: '127.0.0.1', port: server.port, tls: { ca: certs.ca, servername: name } });

    const lookup = lookupAsLoopback(name);
    try {
      await sink.emit([makeEvent({ text: 'by its name' })]);
      await named.emit([makeEvent({ text: 'by servername' })]);
    } finally {
      lookup.mockRestore();
    }

    expect(await server.waitFor(2)).toEqual([expect.stringMatching(/ by its name$/), expect.stringMatching(/ by servername$/)]);
    expect(sni).toEqual(['localhost', 'localhost']);
  });

  it('connects to port 6514 by default', async () => {
    const sink = sinkFor({ connectTimeoutMs: 2_000, tls: { ca: certs.ca } });

    await expect(sink.emit([makeEvent()])).rejects.toThrow(/^SyslogSink: .*tls:\/\/127\.0\.0\.1:6514/);
  });

  it('sends its certificate to a receiver that asks for one (mutual TLS)', async () => {
    const server = await serve({ requestClientCert: true });
    const sink = sinkFor({ port: server.port, tls: { ca: certs.ca, cert: certs.clientCert, key: certs.clientKey } });

    await sink.emit([makeEvent({ text: 'signed' })]);

    expect(await server.waitFor(1)).toEqual([expect.stringMatching(/ signed$/)]);
  });

  // Over TLS 1.3 the receiver refuses a certificate after the sender's handshake is done: its alert
  // came with or after the batch's write, which counted delivered unless the alert beat the turns
  // the sink waits after a write. The new connection settles first: the alert fails the batch unsent.
  // An alert naming the certificate is the sink's (not retried); a plain close may be a receiver
  // at its session limit, so it is retried.
  it.each([
    [
      'gets none (an alert)',
      () => ({ ca: certs.ca }),
      /certificate required.*: the receiver refused this sender's certificate \(tls\.cert, tls\.key\)/is,
      'sink',
    ],
    [
      'gets one its CA did not sign (a close)',
      () => ({ ca: certs.ca, cert: certs.selfSignedCert, key: certs.selfSignedKey }),
      /closed the connection right after the handshake, before anything was written: it refuses this sender's certificate/,
      undefined,
    ],
  ])('fails the batch unsent when a receiver that asks for a certificate %s', async (_, tls, reason, permanent) => {
    const server = await serve({ requestClientCert: true });
    const sink = sinkFor({ port: server.port, tls: tls() });

    const failure = (await sink.emit([makeEvent()]).then(
      () => undefined,
      (error: unknown) => error,
    )) as (Error & { permanent?: unknown }) | undefined;
    expect(failure?.message).toMatch(reason);
    expect(failure?.permanent).toBe(permanent);
    expect(sink.bytesWritten).toBe(0);
    expect(server.raw().length).toBe(0);
  });

  // The TLS path wrapped Node's error without its `code`, which the TCP path keeps: a caller could
  // not tell a receiver that is down from a certificate refused but by parsing the message.
  it.each([
    ['nothing listening', 'ECONNREFUSED', async () => ({ port: await freeTcpPort() })],
    [
      'a self-signed receiver not trusted',
      'DEPTH_ZERO_SELF_SIGNED_CERT',
      async () => ({ port: (await serve({ selfSigned: true })).port }),
    ],
    [
      'a receiver signed by another CA than tls.ca',
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      async () => ({ port: (await serve()).port, tls: { ca: certs.otherCa } }),
    ],
    [
      'a receiver without the name in servername',
      'ERR_TLS_CERT_ALTNAME_INVALID',
      async () => ({ port: (await serve()).port, tls: { ca: certs.ca, servername: 'logs.example' } }),
    ],
  ] as const)('keeps Node’s code on a failed batch’s error: %s (%s)', async (_, code, make) => {
    const sink = sinkFor(await make());
    const failure = (await sink.emit([makeEvent()]).then(
      () => undefined,
      (error: unknown) => error,
    )) as (Error & { code?: unknown; cause?: { code?: unknown } }) | undefined;
    expect(failure?.message).toMatch(/^SyslogSink: the TLS connection to tls:\/\/127\.0\.0\.1:\d+ failed: /);
    expect(failure?.code).toBe(code);
    expect(failure?.cause?.code).toBe(code);
  });

  // Each refusal said "tls.ca names the CA that signed it, tls.servername a name it holds",
  // which sent a user whose receiver's certificate had expired looking at the CA; and a receiver
  // given a client's certificate (INVALID_PURPOSE) was not taken as refused: each batch was
  // retried, a new handshake each try. A Node TLS server stands in for the receiver here (the
  // check is the sender's); syslog-rsyslog-tls.spec.ts has rsyslogd serve the same certificates.
  it.each([
    [
      'expired (2020)',
      'CERT_HAS_EXPIRED',
      () => ({ serverCert: certs.expiredServerCert }),
      /certificate has expired \(CERT_HAS_EXPIRED\): the receiver's certificate was refused: it has expired: renew it on the receiver/,
    ],
    [
      'not valid yet (2099)',
      'CERT_NOT_YET_VALID',
      () => ({ serverCert: certs.futureServerCert }),
      /\(CERT_NOT_YET_VALID\): the receiver's certificate was refused: it is not valid yet: set this host's clock right/,
    ],
    [
      'self-signed, without tls.ca',
      'DEPTH_ZERO_SELF_SIGNED_CERT',
      () => ({ selfSigned: true }),
      /\(DEPTH_ZERO_SELF_SIGNED_CERT\): the receiver's certificate was refused: it is self-signed: give it as tls\.ca/,
    ],
    [
      'of a CA tls.ca does not name',
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      () => ({}),
      /\(UNABLE_TO_VERIFY_LEAF_SIGNATURE\): the receiver's certificate was refused: it chains to no CA of tls\.ca/,
    ],
    [
      'without the name checked',
      'ERR_TLS_CERT_ALTNAME_INVALID',
      () => ({}),
      /\(ERR_TLS_CERT_ALTNAME_INVALID\): the receiver's certificate was refused: it does not hold the name checked .*set tls\.servername/,
    ],
    [
      'for clients only (extendedKeyUsage clientAuth)',
      'INVALID_PURPOSE',
      () => ({ serverCert: certs.clientOnlyServerCert }),
      /\(INVALID_PURPOSE\): the receiver's certificate was refused: it is not for a server/,
    ],
    [
      'signed by one that is no CA (a client certificate, CA:FALSE)',
      'INVALID_PURPOSE',
      () => ({ chain: { cert: certs.underClientChain, key: certs.underClientKey } }),
      /\(INVALID_PURPOSE\): the receiver's certificate was refused: .*a certificate of its chain no CA/,
    ],
    // Said "tls.ca names the CA that signed it, tls.servername a name it holds", where tls.ca had it.
    [
      'signed by one without basicConstraints but keyUsage keyCertSign',
      'INVALID_CA',
      () => ({ chain: { cert: certs.underNoCaChain, key: certs.underNoCaKey } }),
      /invalid CA certificate \(INVALID_CA\): the receiver's certificate was refused: a certificate of its chain is no valid CA \(a CA needs basicConstraints CA:TRUE.*give the receiver a chain of CAs that may sign/,
    ],
    // Node has no name for OpenSSL's code: it was no refusal, so each batch was retried, a new
    // handshake each try, with no hint.
    [
      'signed by a CA whose keyUsage lacks keyCertSign',
      'UNSPECIFIED',
      () => ({ chain: { cert: certs.underNoCertSignChain, key: certs.underNoCertSignKey } }),
      /key usage does not include certificate signing \(UNSPECIFIED\): the receiver's certificate was refused: OpenSSL's reason is before the code, which Node has no name for .*give the receiver a certificate and chain of CAs that may sign/,
    ],
    [
      'through more CAs than pathlen allows',
      'PATH_LENGTH_EXCEEDED',
      () => ({ chain: { cert: certs.pastPathLengthChain, key: certs.pastPathLengthKey } }),
      /\(PATH_LENGTH_EXCEEDED\): the receiver's certificate was refused: its chain is longer than a CA's basicConstraints pathlen allows/,
    ],
    // tls.ca holds the CA that signed it: "give the CA that signed it as tls.ca" sent the user in a circle.
    [
      'whose issuer tls.ca holds, but not that CA’s own issuer',
      'UNABLE_TO_GET_ISSUER_CERT',
      () => ({ chain: { cert: certs.underIntermediateChain, key: certs.underIntermediateKey } }),
      /\(UNABLE_TO_GET_ISSUER_CERT\): the receiver's certificate was refused: tls\.ca holds a CA of its chain but not the CA that signed that one: add the root CA \(self-signed\) to tls\.ca/,
    ],
  ] as const)(
    'says why it refuses a receiver’s certificate %s, with Node’s code, and opens the breaker: no batch retried',
    async (_, code, server, reason) => {
      const receiver = await serve(server());
      const tls =
        code === 'DEPTH_ZERO_SELF_SIGNED_CERT'
          ? undefined
          : code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'
            ? { ca: certs.otherCa }
            : code === 'UNABLE_TO_GET_ISSUER_CERT'
              ? { ca: certs.intermediateCa }
              : { ca: certs.ca, ...(code === 'ERR_TLS_CERT_ALTNAME_INVALID' ? { servername: 'logs.example' } : {}) };
      const sink = sinkFor({ port: receiver.port, tls });
      const failure = (await sink.emit([makeEvent()]).then(
        () => undefined,
        (error: unknown) => error,
      )) as (Error & { code?: unknown; permanent?: unknown }) | undefined;
      expect(failure?.message).toMatch(reason);
      expect(failure).toMatchObject({ code, permanent: 'sink' });
      expect(failure?.message).not.toContain('BEGIN');

      const run = await runBrokenSink(sinkFor({ port: receiver.port, tls }), 2_000);
      expectBreakerOpens(run, reason);
      expect(receiver.messages).toEqual([]);
    },
  );

  const refused: [string, () => SyslogSinkOptions['tls'], RegExp][] = [
    ['signed by another CA than tls.ca', () => ({ ca: certs.otherCa }), /UNABLE_TO_VERIFY_LEAF_SIGNATURE|unable to verify/],
    ['signed by a CA Node does not bundle (no tls.ca)', () => undefined, /UNABLE_TO_VERIFY_LEAF_SIGNATURE|unable to verify/],
    ['without the name in servername', () => ({ ca: certs.ca, servername: 'logs.example' }), /ERR_TLS_CERT_ALTNAME_INVALID/],
  ];

  it.each(refused)(
    'fails and counts the batches of a receiver whose certificate is %s, and says why in SelfLog',
    async (_, tls, reason) => {
      const server = await serve();
      const diagnostics = selfLog();
      const log = new LoggerConfiguration().writeTo
        .sink(sinkFor({ port: server.port, tls: tls() }), {
          batch: { size: 2, maxDelayMs: 1 },
          retry: { attempts: 2, initialDelayMs: 1, jitter: 0 },
        })
        .createLogger();
      for (let i = 0; i < 4; i++) log.information('Order {OrderId} paid', i);
      const report = await log.close({ strategy: 'flush' });
      diagnostics.stop();

      expect(server.messages).toEqual([]);
      expect(report.sinks.syslog).toEqual({ delivered: 0, dropped: 0, failed: 4, undelivered: 0 });
      const line = diagnostics.lines.find((l) => l.includes('failed to write a batch'));
      expect(line).toContain(`the TLS connection to tls://127.0.0.1:${server.port} failed`);
      expect(line).toMatch(reason);
      expect(line).toContain("the receiver's certificate was refused");
    },
  );

  // A refused certificate refuses every batch until the sink or the receiver is reconfigured: it
  // was an ordinary error, so each batch was retried (a new handshake each try, refused alike)
  // before it failed. It is the sink's now (`permanent: 'sink'`): no retry, the breaker opens,
  // and its probes find a receiver whose certificate was renewed.
  const pinRefusal = (): SyslogSinkOptions['tls'] => ({
    ca: certs.ca,
    checkServerIdentity: () => new Error('fingerprint not pinned'),
  });
  it.each([...refused, ['refused by checkServerIdentity (a pin)', pinRefusal, /fingerprint not pinned/] as const])(
    'opens the circuit breaker on a receiver whose certificate is %s: no batch retried, later ones go to the fallback without a handshake',
    async (_, tls, reason) => {
      const server = await serve();
      const run = await runBrokenSink(sinkFor({ port: server.port, tls: tls() }), 2_000);
      expectBreakerOpens(run, reason);
      expect(server.messages).toEqual([]);
    },
  );

  it('accepts any certificate with rejectUnauthorized false', async () => {
    const server = await serve();
    const sink = sinkFor({ port: server.port, tls: { rejectUnauthorized: false } });

    await sink.emit([makeEvent({ text: 'unchecked' })]);

    expect(await server.waitFor(1)).toEqual([expect.stringMatching(/ unchecked$/)]);
  });

  it('refuses a certificate that checkServerIdentity refuses (a fingerprint pinned, RFC 5425 §5.2)', async () => {
    const server = await serve();
    const sink = sinkFor({
      port: server.port,
      tls: { ca: certs.ca, checkServerIdentity: (_, cert) => new Error(`fingerprint ${cert.fingerprint256} not pinned`) },
    });

    await expect(sink.emit([makeEvent()])).rejects.toThrow(/failed: fingerprint [0-9A-F:]+ not pinned/);
    expect(server.messages).toEqual([]);
  });

  // RFC 5425 §5.2: a receiver with a self-signed certificate, known by its fingerprint. The
  // certificate itself is the CA; the pin is then checked on top of the chain.
  it('delivers to a self-signed receiver whose certificate is tls.ca and whose fingerprint is pinned', async () => {
    const server = await serve({ selfSigned: true });
    const pinned = new X509Certificate(certs.selfSignedCert).fingerprint256;
    const pin = (_: string, cert: { fingerprint256: string }): Error | undefined =>
      cert.fingerprint256 === pinned ? undefined : new Error(`fingerprint ${cert.fingerprint256} not pinned`);
    const sink = sinkFor({ port: server.port, tls: { ca: certs.selfSignedCert, checkServerIdentity: pin } });

    await sink.emit([makeEvent({ text: 'pinned' })]);

    expect(await server.waitFor(1)).toEqual([expect.stringMatching(/ pinned$/)]);
  });

  // NODE_TLS_REJECT_UNAUTHORIZED=0 (set for a development proxy) made Node ignore the pin's
  // Error: any certificate was accepted though a fingerprint was pinned. Node reads it from the
  // real environment, so the sink runs in a child process.
  it('keeps a pinned fingerprint in force under NODE_TLS_REJECT_UNAUTHORIZED=0', () => {
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(__dirname, '..', 'fixtures', 'syslog-tls-pinned.ts'), certs.dir],
      { encoding: 'utf8', timeout: 60_000, env: { ...process.env, NODE_TLS_REJECT_UNAUTHORIZED: '0', NODE_NO_WARNINGS: '1' } },
    );

    expect(child.stderr).toBe('');
    expect(child.stdout.trim()).toMatch(/^rejected: .*fingerprint not pinned/);
  }, 60_000);

  // A plain TCP port given by mistake: the receiver reads the ClientHello as a message and never
  // answers it, so the handshake would wait for ever; connectTimeoutMs bounds it.
  it('fails a batch whose receiver never completes the handshake once connectTimeoutMs passes', async () => {
    const plain = await startStreamServer({ framing: 'newline' });
    servers.push(plain);
    const sink = sinkFor({ port: plain.port, connectTimeoutMs: 300, tls: { ca: certs.ca } });

    await expect(sink.emit([makeEvent()])).rejects.toThrow(
      `SyslogSink: connecting to tls://127.0.0.1:${plain.port} timed out after 300 ms`,
    );
  });

  // A port that answers the ClientHello in something else than TLS (an HTTP server's 400 here):
  // the line held only OpenSSL's 'ssl3_get_record:wrong version number' and its source file.
  it('says the receiver does not speak TLS on its port when it answers in something else (an HTTP server)', async () => {
    const http = createHttpServer((_, response) => response.end());
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = http.address() as { port: number };
      const failure = (await sinkFor({ port, tls: { ca: certs.ca } })
        .emit([makeEvent()])
        .then(
          () => undefined,
          (error: unknown) => error,
        )) as (Error & { code?: unknown; permanent?: unknown }) | undefined;

      expect(failure?.message).toMatch(
        /wrong version number.* \(ERR_SSL_WRONG_VERSION_NUMBER\): the receiver does not speak TLS on that port: give the port of its syslog over TLS input \(6514\), or transport 'tcp' for a plain one$/,
      );
      expect(failure).toMatchObject({ code: 'ERR_SSL_WRONG_VERSION_NUMBER' });
      expect(failure?.permanent).toBeUndefined();
    } finally {
      await new Promise((resolve) => http.close(resolve));
    }
  });

  // A receiver restarting after reading part of a batch: the batch is sent again whole on a new
  // TLS connection, as over TCP.
  it('sends a batch again on a new connection when the receiver closes after reading part of it', async () => {
    const server = await serve({ closeFirst: { count: 1, afterBytes: 300 } });
    await expectBatchResentWhole(sinkFor({ port: server.port, tls: { ca: certs.ca } }), server);
  });

  it('ends the connection on close, and rejects later batches', async () => {
    const server = await serve();
    const sink = sinkFor({ port: server.port, tls: { ca: certs.ca } });
    await sink.emit([makeEvent()]);

    await sink.close();

    await server.allEnded();
    await expect(sink.emit([makeEvent()])).rejects.toThrow('SyslogSink: closed');
  });
});
