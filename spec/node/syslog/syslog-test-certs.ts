import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Throwaway PEM files for TLS tests: a CA, a server and a client certificate it signed, and another CA. */
export interface TestCerts {
  /** The folder holding them as files (`ca.pem`, `server.pem`, `server.key` …), for rsyslogd. */
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
  remove(): void;
}

/** Whether the `openssl` command-line tool can be run. */
export const hasOpenssl = spawnSync('openssl', ['version'], { stdio: 'ignore' }).status === 0;

/**
 * Generates the certificates with the `openssl` CLI (EC P-256, valid 2 days): the server's holds
 * `localhost` and `127.0.0.1`, the client's the name `rxlog-client`.
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
  const issue = (name: string, cn: string, san: string, ca = 'ca'): void => {
    openssl('req', ...newKey, '-keyout', at(`${name}.key`), '-out', at(`${name}.csr`), '-subj', `/CN=${cn}`);
    writeFileSync(
      at(`${name}.ext`),
      `subjectAltName=${san}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth,clientAuth\n`,
    );
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
  const read = (name: string): string => readFileSync(at(name), 'utf8');
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
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
