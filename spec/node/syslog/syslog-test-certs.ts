import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Throwaway PEM files for TLS tests: a CA, a server and a client certificate it signed, and another CA. */
export interface TestCerts {
  /** The folder holding them as files (`ca.pem`, `server.pem`, `server.key`, `under-no-ca-chain.pem` …), for rsyslogd. */
  readonly dir: string;
  readonly ca: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
  /** A CA that signed none of them but `otherClientCert`. */
  readonly otherCa: string;
  /** A client certificate holding `rxlog-client` too, signed by `otherCa`, and its key. */
  readonly otherClientCert: string;
  readonly otherClientKey: string;
  /** A self-signed certificate holding `localhost` and `127.0.0.1` (RFC 5425 §5.2's case for fingerprints), and its key. */
  readonly selfSignedCert: string;
  readonly selfSignedKey: string;
  /** Server certificates of `ca` holding what `serverCert` holds, with `serverKey`: one that expired in 2020, one valid from 2099 only. */
  readonly expiredServerCert: string;
  readonly futureServerCert: string;
  /** A certificate of `ca` holding what `serverCert` holds, with `serverKey`, for clients only (extendedKeyUsage clientAuth). */
  readonly clientOnlyServerCert: string;
  /** A client certificate of `ca` holding `rxlog-client`, with `clientKey`, that expired in 2020. */
  readonly expiredClientCert: string;
  /** A chain whose server certificate (holding what `serverCert` holds) `clientCert` signed, which is no CA, then `clientCert`; and its key. */
  readonly underClientChain: string;
  readonly underClientKey: string;
  /**
   * Chains whose server certificate (holding what `serverCert` holds) a certificate of `ca` that
   * may not sign certificates signed, then that certificate; and the key of each: one without
   * basicConstraints but with keyUsage keyCertSign (Node's INVALID_CA), one with CA:TRUE but
   * keyUsage digitalSignature only (OpenSSL's "key usage does not include certificate signing",
   * which Node gives no name: UNSPECIFIED).
   */
  readonly underNoCaChain: string;
  readonly underNoCaKey: string;
  readonly underNoCertSignChain: string;
  readonly underNoCertSignKey: string;
  /**
   * A chain whose server certificate a CA signed that a CA of `ca` with pathlen 0 signed, then
   * those two (Node's PATH_LENGTH_EXCEEDED); and its key.
   */
  readonly pastPathLengthChain: string;
  readonly pastPathLengthKey: string;
  /** A CA of `ca` (the pathlen 0 one above), a chain whose server certificate it signed, then it; and its key. */
  readonly intermediateCa: string;
  readonly underIntermediateChain: string;
  readonly underIntermediateKey: string;
  /**
   * A server certificate of `ca` holding the IDN `bücher.example` as a certificate holds one, its
   * A-labels `xn--bcher-kva.example` (RFC 5280 §7.2), and its key.
   */
  readonly idnServerCert: string;
  readonly idnServerKey: string;
  remove(): void;
}

/** Whether the `openssl` command-line tool can be run. */
export const hasOpenssl = spawnSync('openssl', ['version'], { stdio: 'ignore' }).status === 0;

/**
 * Generates the certificates with the `openssl` CLI (EC P-256, valid 2 days, but the expired and
 * future ones, whose dates `openssl ca` sets: this OpenSSL's `req` and `x509` take only `-days`):
 * the server's hold `localhost` and `127.0.0.1`, the client's the name `rxlog-client`.
 */
export function makeTestCerts(): TestCerts {
  const dir = mkdtempSync(join(tmpdir(), 'rxlog-tls-'));
  const at = (name: string): string => join(dir, name);
  const openssl = (...args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'pipe', timeout: 30_000 });
  const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  for (const ca of ['ca', 'other-ca'])
    openssl(
      'req',
      '-x509',
      ...newKey,
      '-keyout',
      at(`${ca}.key`),
      '-out',
      at(`${ca}.pem`),
      '-days',
      '2',
      '-subj',
      `/CN=rxlog test ${ca}`,
    );
  const issue = (
    name: string,
    cn: string,
    san: string,
    ca = 'ca',
    ext = `subjectAltName=${san}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth,clientAuth\n`,
  ): void => {
    openssl('req', ...newKey, '-keyout', at(`${name}.key`), '-out', at(`${name}.csr`), '-subj', `/CN=${cn}`);
    writeFileSync(at(`${name}.ext`), ext);
    openssl(
      'x509',
      '-req',
      '-in',
      at(`${name}.csr`),
      '-CA',
      at(`${ca}.pem`),
      '-CAkey',
      at(`${ca}.key`),
      '-CAcreateserial',
      '-out',
      at(`${name}.pem`),
      '-days',
      '2',
      '-extfile',
      at(`${name}.ext`),
    );
  };
  issue('server', 'localhost', 'DNS:localhost,IP:127.0.0.1');
  openssl(
    'req',
    '-x509',
    ...newKey,
    '-keyout',
    at('self.key'),
    '-out',
    at('self.pem'),
    '-days',
    '2',
    '-subj',
    '/CN=localhost',
    '-addext',
    'subjectAltName=DNS:localhost,IP:127.0.0.1',
  );
  issue('client', 'rxlog-client', 'DNS:rxlog-client');
  issue('other-client', 'rxlog-client', 'DNS:rxlog-client', 'other-ca');
  writeFileSync(
    at('ca.cnf'),
    '[ca]\ndefault_ca = test\n[test]\ndatabase = index.txt\nnew_certs_dir = .\nserial = ca.srl\ndefault_md = sha256\npolicy = any\nunique_subject = no\n[any]\ncommonName = supplied\n',
  );
  writeFileSync(at('index.txt'), '');
  /** Signs `csr` again with `ca` as `name`.pem, valid from `start` to `end` (YYYYMMDDHHMMSSZ), with the extensions in `ext`. */
  const sign = (name: string, csr: string, ext: string, start: string, end: string): void =>
    openssl(
      'ca',
      '-batch',
      '-config',
      at('ca.cnf'),
      '-cert',
      at('ca.pem'),
      '-keyfile',
      at('ca.key'),
      '-in',
      at(`${csr}.csr`),
      '-out',
      at(`${name}.pem`),
      '-extfile',
      at(`${ext}.ext`),
      '-startdate',
      start,
      '-enddate',
      end,
      '-notext',
    );
  sign('expired-server', 'server', 'server', '20200101000000Z', '20200102000000Z');
  sign('future-server', 'server', 'server', '20990101000000Z', '20990102000000Z');
  sign('expired-client', 'client', 'client', '20200101000000Z', '20200102000000Z');
  writeFileSync(
    at('client-only.ext'),
    'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n',
  );
  const now = (days: number): string => new Date(Date.now() + days * 86_400_000).toISOString().replace(/[-:T]|\.\d+/g, '');
  sign('client-only-server', 'server', 'client-only', now(-1), now(2));
  issue('under-client', 'localhost', 'DNS:localhost,IP:127.0.0.1', 'client');
  issue('no-ca', 'rxlog test no-ca', '', 'ca', 'keyUsage=critical,keyCertSign,cRLSign\n');
  issue(
    'no-cert-sign',
    'rxlog test no-cert-sign',
    '',
    'ca',
    'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,digitalSignature\n',
  );
  issue('under-no-ca', 'localhost', 'DNS:localhost,IP:127.0.0.1', 'no-ca');
  issue('under-no-cert-sign', 'localhost', 'DNS:localhost,IP:127.0.0.1', 'no-cert-sign');
  issue('path-len-0', 'rxlog test path-len-0', '', 'ca', 'basicConstraints=critical,CA:TRUE,pathlen:0\n');
  issue('past-path-len', 'rxlog test past-path-len', '', 'path-len-0', 'basicConstraints=critical,CA:TRUE\n');
  issue('under-past-path-len', 'localhost', 'DNS:localhost,IP:127.0.0.1', 'past-path-len');
  issue('under-intermediate', 'localhost', 'DNS:localhost,IP:127.0.0.1', 'path-len-0');
  issue('idn-server', 'xn--bcher-kva.example', 'DNS:xn--bcher-kva.example');
  const read = (name: string): string => readFileSync(at(name), 'utf8');
  // As files too, for rsyslogd's streamDriver.certFile: the server certificate, then its issuer.
  for (const name of ['under-no-ca', 'under-no-cert-sign'])
    writeFileSync(at(`${name}-chain.pem`), read(`${name}.pem`) + read(`${name.slice('under-'.length)}.pem`));
  return {
    dir,
    ca: read('ca.pem'),
    serverCert: read('server.pem'),
    serverKey: read('server.key'),
    clientCert: read('client.pem'),
    clientKey: read('client.key'),
    otherCa: read('other-ca.pem'),
    otherClientCert: read('other-client.pem'),
    otherClientKey: read('other-client.key'),
    selfSignedCert: read('self.pem'),
    selfSignedKey: read('self.key'),
    expiredServerCert: read('expired-server.pem'),
    futureServerCert: read('future-server.pem'),
    clientOnlyServerCert: read('client-only-server.pem'),
    expiredClientCert: read('expired-client.pem'),
    underClientChain: read('under-client.pem') + read('client.pem'),
    underClientKey: read('under-client.key'),
    underNoCaChain: read('under-no-ca-chain.pem'),
    underNoCaKey: read('under-no-ca.key'),
    underNoCertSignChain: read('under-no-cert-sign-chain.pem'),
    underNoCertSignKey: read('under-no-cert-sign.key'),
    pastPathLengthChain: read('under-past-path-len.pem') + read('past-path-len.pem') + read('path-len-0.pem'),
    pastPathLengthKey: read('under-past-path-len.key'),
    intermediateCa: read('path-len-0.pem'),
    underIntermediateChain: read('under-intermediate.pem') + read('path-len-0.pem'),
    underIntermediateKey: read('under-intermediate.key'),
    idnServerCert: read('idn-server.pem'),
    idnServerKey: read('idn-server.key'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
