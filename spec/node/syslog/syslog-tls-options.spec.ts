import { ConfigurationError } from '../../../lib/core/errors/configuration-error';
import { SyslogSink } from '../../../lib/node/syslog/syslog-sink';
import type { SyslogSinkOptions } from '../../../lib/node/syslog/syslog-sink-options';
import { syslogTlsConnectOptions, type SyslogTlsOptions } from '../../../lib/node/syslog/syslog-tls-options';

/** PEM-shaped text that is no certificate or key: it gets past the shape check to OpenSSL. */
const BROKEN_CERT = '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n';
const BROKEN_KEY = '-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n';

describe('syslogTlsConnectOptions', () => {
  const build = (options: SyslogSinkOptions) => () => new SyslogSink(options);

  it.each<[string, SyslogSinkOptions, string]>([
    ['tls with transport tcp', { transport: 'tcp', tls: {} }, "SyslogSink: tls is set with transport 'tcp'"],
    ['tls with the default transport (udp)', { tls: { rejectUnauthorized: false } }, "tls is set with transport 'udp'"],
    ['newline framing, which RFC 5425 does not allow', { transport: 'tls', tcpFraming: 'newline' }, 'tcpFraming "newline"'],
    [
      'a tls that is no object',
      { transport: 'tls', tls: 'on' as unknown as SyslogTlsOptions },
      'SyslogSink: tls (a string) is not valid',
    ],
    ['a tls that is true', { transport: 'tls', tls: true as unknown as SyslogTlsOptions }, 'SyslogSink: tls true is not valid'],
    ['a misspelt option', { transport: 'tls', tls: { rejectUnauthorised: false } as SyslogTlsOptions }, '"rejectUnauthorised"'],
    ['a file path as ca', { transport: 'tls', tls: { ca: '/etc/ssl/certs/ca.pem' } }, 'tls.ca is not valid (expected PEM text'],
    ['an empty list as ca', { transport: 'tls', tls: { ca: [] } }, 'tls.ca is not valid'],
    [
      'cert without key',
      { transport: 'tls', tls: { cert: BROKEN_CERT } },
      'tls.key is not valid (expected cert and key together)',
    ],
    [
      'key without cert',
      { transport: 'tls', tls: { key: BROKEN_KEY } },
      'tls.cert is not valid (expected cert and key together)',
    ],
    ['an IP address as servername', { transport: 'tls', tls: { servername: '10.0.0.1' } }, 'tls.servername is not valid'],
    [
      'a string as rejectUnauthorized',
      { transport: 'tls', tls: { rejectUnauthorized: 'false' as unknown as boolean } },
      'tls.rejectUnauthorized',
    ],
    [
      'a checkServerIdentity that is no function',
      { transport: 'tls', tls: { checkServerIdentity: 'sha256' as never } },
      'tls.checkServerIdentity',
    ],
    [
      'checkServerIdentity with rejectUnauthorized false, whose Error Node ignores',
      { transport: 'tls', tls: { rejectUnauthorized: false, checkServerIdentity: () => undefined } },
      'tls.rejectUnauthorized is not valid (expected true with checkServerIdentity',
    ],
    [
      'a cert and key OpenSSL cannot load',
      { transport: 'tls', tls: { cert: BROKEN_CERT, key: BROKEN_KEY } },
      'tls.cert and tls.key cannot be loaded',
    ],
  ])('throws a ConfigurationError at build time for %s', (_, options, message) => {
    expect(build(options)).toThrow(ConfigurationError);
    expect(build(options)).toThrow(message);
  });

  // tls given a key's text instead of { cert, key }: the error repeated the private key, which
  // went wherever the failed start was logged.
  it('never repeats a tls given as text, which may be a private key, in its error', () => {
    let error: unknown;
    try {
      new SyslogSink({ transport: 'tls', tls: BROKEN_KEY as unknown as SyslogTlsOptions });
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toBe(
      'SyslogSink: tls (a string) is not valid (expected an object of TLS options: ca, cert, key …, which hold the PEM text)',
    );
  });

  it('leaves tls.connect its own defaults for what is not set (the name check, rejectUnauthorized)', () => {
    const options = syslogTlsConnectOptions({ servername: 'logs.example' });
    expect(Object.keys(options).sort()).toEqual(['secureContext', 'servername']);
    expect(Object.keys(syslogTlsConnectOptions(undefined))).toEqual(['secureContext']);
  });
});
