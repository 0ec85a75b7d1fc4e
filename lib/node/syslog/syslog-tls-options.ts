import { isIP } from 'node:net';
import { type ConnectionOptions, createSecureContext, type PeerCertificate } from 'node:tls';
import { checkOptionKeys } from '../../core/check-option-keys';
import { ConfigurationError } from '../../core/errors/configuration-error';
import { asciiHostname } from './syslog-host-name';

/** The errors a `tls.checkServerIdentity` answered with: a certificate refused (see tlsError). */
export const identityRefusals = new WeakSet<object>();

/** PEM text: a string, or its bytes. */
export type SyslogPem = string | Buffer;

/**
 * How a SyslogSink with `transport: 'tls'` (RFC 5425) checks the receiver and shows itself, as
 * `tls.connect` takes these options. rsyslog's names for the same settings are given for each.
 */
export interface SyslogTlsOptions {
  /**
   * The CA certificates (PEM text, not a file path) the receiver's certificate must chain to; they
   * replace Node's bundled roots (rsyslog's `DefaultNetstreamDriverCAFile`). Default Node's bundled
   * roots, which a hosted receiver's certificate chains to.
   */
  ca?: SyslogPem | readonly SyslogPem[] | undefined;
  /** This sender's certificate chain (PEM), for a receiver that asks for one (its `StreamDriver.AuthMode` `x509/…`); with `key`. No default: none is sent. */
  cert?: SyslogPem | readonly SyslogPem[] | undefined;
  /** The private key (PEM) of `cert`; with `cert`. No default. */
  key?: SyslogPem | undefined;
  /** The passphrase of an encrypted `key`. No default. */
  passphrase?: string | undefined;
  /**
   * The name the receiver's certificate must hold, sent as SNI too, when `host` is not it (a load
   * balancer's address, an IP address). Default `host`: a host name is matched against the
   * certificate's DNS names, an IP address against its IP addresses (and sends no SNI). A name with
   * letters outside ASCII (`bücher.example`), given here or as `host`, is sent and matched as its
   * IDNA A-labels (`xn--bcher-kva.example`), as SNI (RFC 6066 §3) and certificates (RFC 5280 §7.2)
   * hold it, and a fully qualified name's trailing dot (`logs.example.`) is left out of SNI, as RFC
   * 6066 §3 asks; `checkServerIdentity` is given that name.
   */
  servername?: string | undefined;
  /**
   * `false` accepts any certificate: encrypted, but to whoever answers (rsyslog's AuthMode `anon`).
   * Default `true`, unless the `NODE_TLS_REJECT_UNAUTHORIZED=0` environment variable turns it off, as for every Node TLS client.
   */
  rejectUnauthorized?: boolean | undefined;
  /**
   * Checks the receiver's certificate once its chain is verified, returning an Error to refuse it:
   * RFC 5425 §5.2's fingerprint matching (a self-signed certificate is then its own `ca`), or
   * rsyslog's `PermittedPeer`. It holds under `NODE_TLS_REJECT_UNAUTHORIZED=0` too; with
   * `rejectUnauthorized: false`, under which Node ignores its answer, it is a ConfigurationError. Default
   * Node's `tls.checkServerIdentity` (the name, as above).
   */
  checkServerIdentity?: ((hostname: string, cert: PeerCertificate) => Error | undefined) | undefined;
}

const TLS_OPTIONS = [
  'ca',
  'cert',
  'key',
  'passphrase',
  'servername',
  'rejectUnauthorized',
  'checkServerIdentity',
] as const satisfies readonly (keyof SyslogTlsOptions)[];

function fail(option: string, expected: string): never {
  throw new ConfigurationError(`SyslogSink: tls.${option} is not valid (expected ${expected})`);
}

/** Whether `value` is PEM text (or, with `list`, an array of it); a file path is the usual mistake, since rsyslog's settings take paths. */
function isPem(value: unknown, list: boolean): boolean {
  if (list && Array.isArray(value)) return value.length !== 0 && value.every((item) => isPem(item, false));
  return (typeof value === 'string' || Buffer.isBuffer(value)) && value.includes('-----BEGIN ');
}

/**
 * Checks a SyslogSink's `tls` option and builds the `tls.connect` options its connections use:
 * one secure context, so a CA, certificate or key that cannot be loaded fails here, not on every batch.
 * `host` is the receiver's (the sink's `host` option): a name (not an IP address) is the
 * servername's default as sniHostname writes it, sent in SNI (tls.connect sends none unless told)
 * and checked in that form: a name with letters outside ASCII would otherwise go as its UTF-8
 * bytes, matched against certificates that hold A-labels only (ERR_TLS_CERT_ALTNAME_INVALID).
 *
 * @throws ConfigurationError naming the option when one is not valid.
 */
export function syslogTlsConnectOptions(tls: SyslogTlsOptions | undefined, host?: string): ConnectionOptions {
  // Always for a name: tls.connect, unlike an https Agent, sends no SNI unless told, so a receiver
  // behind a front end that routes by name got none. An IP address is never sent as SNI.
  const hostServername = host === undefined || isIP(host) !== 0 ? {} : { servername: sniHostname(host) };
  if (tls === undefined) return { secureContext: createSecureContext(), ...hostServername };
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- JavaScript callers can pass anything
  if (typeof tls !== 'object' || tls === null)
    // A string is not repeated: it may be a private key's PEM text (`tls: readFileSync('client.key')`),
    // which the error's message would carry into whatever logs a failed start. Nor is a function,
    // whose text (a Proxy's, read through its traps) may throw.
    throw new ConfigurationError(
      `SyslogSink: tls ${typeof tls === 'string' || typeof tls === 'function' ? `(a ${typeof tls})` : String(tls)} is not valid (expected an object of TLS options: ca, cert, key …, which hold the PEM text)`,
    );
  checkOptionKeys('SyslogSink tls', tls, TLS_OPTIONS);
  const { ca, cert, key, passphrase, servername, rejectUnauthorized, checkServerIdentity } = tls;
  const pem = 'PEM text (a file path is not read: pass readFileSync(path))';
  if (ca !== undefined && !isPem(ca, true)) fail('ca', `${pem}, or an array of it`);
  if (cert !== undefined && !isPem(cert, true)) fail('cert', `${pem}, or an array of it`);
  if (key !== undefined && !isPem(key, false)) fail('key', pem);
  if ((cert === undefined) !== (key === undefined)) fail(cert === undefined ? 'cert' : 'key', 'cert and key together');
  if (passphrase !== undefined && typeof passphrase !== 'string') fail('passphrase', 'a string');
  if (servername !== undefined && (typeof servername !== 'string' || servername === '' || isIP(servername) !== 0))
    fail('servername', 'a host name the certificate holds (an IP address is matched through host, and never sent as SNI)');
  if (rejectUnauthorized !== undefined && typeof rejectUnauthorized !== 'boolean') fail('rejectUnauthorized', 'true or false');
  if (checkServerIdentity !== undefined && typeof checkServerIdentity !== 'function')
    fail('checkServerIdentity', 'a function (hostname, cert) returning an Error or undefined');
  // Node asks checkServerIdentity only of a verified chain, and ignores its Error when
  // rejectUnauthorized is false: a pinned fingerprint would accept any certificate.
  if (checkServerIdentity !== undefined && rejectUnauthorized === false)
    fail(
      'rejectUnauthorized',
      'true with checkServerIdentity, which Node ignores otherwise (give a self-signed certificate as tls.ca)',
    );
  let secureContext;
  try {
    secureContext = createSecureContext({ ca: ca as ConnectionOptions['ca'] });
  } catch (error) {
    throw new ConfigurationError(`SyslogSink: tls.ca cannot be loaded: ${String(error)}`, { cause: error });
  }
  try {
    if (cert !== undefined)
      secureContext = createSecureContext({
        ca: ca as ConnectionOptions['ca'],
        cert: cert as ConnectionOptions['cert'],
        key,
        passphrase,
      });
  } catch (error) {
    throw new ConfigurationError(
      `SyslogSink: tls.cert and tls.key cannot be loaded (a wrong passphrase, or a key not of that certificate): ${String(error)}`,
      {
        cause: error,
      },
    );
  }
  // Only what is set: tls.connect's own defaults (the name check, NODE_TLS_REJECT_UNAUTHORIZED)
  // apply to what is not, where an undefined would replace them.
  const options: ConnectionOptions = { secureContext, ...hostServername };
  if (servername !== undefined) options.servername = sniHostname(servername);
  if (rejectUnauthorized !== undefined) options.rejectUnauthorized = rejectUnauthorized;
  if (checkServerIdentity !== undefined) {
    options.checkServerIdentity = (hostname, cert) => {
      // A JavaScript caller's function may answer anything: only an object can be remembered.
      const refusal: unknown = checkServerIdentity(hostname, cert);
      if (typeof refusal === 'object' && refusal !== null) identityRefusals.add(refusal);
      return refusal as Error | undefined;
    };
    // Not NODE_TLS_REJECT_UNAUTHORIZED=0 either: it would make the check's answer ignored.
    options.rejectUnauthorized = true;
  }
  return options;
}

/**
 * A host name as SNI carries it and a certificate holds it (RFC 6066 §3): IDNA A-labels, without a
 * fully qualified name's trailing dot (`logs.example.`): Node sends no SNI for a host ending in one,
 * so a receiver serving several names gives its default certificate, and a servername ending in one
 * as given, which a receiver choosing its certificate by name (OpenSSL's `-servername`) answers with
 * unrecognized_name. Node's name check ignores that dot, so the name checked is the same.
 */
function sniHostname(name: string): string {
  const ascii = asciiHostname(name);
  return ascii.length > 1 && ascii.endsWith('.') && !ascii.endsWith('..') ? ascii.slice(0, -1) : ascii;
}

/**
 * Node's codes for a receiver's certificate it refused that name no CERT, SIGNATURE, ISSUER or
 * ALTNAME: one not made for a server (a client's certificate installed on the receiver), a chain
 * through a certificate that is no CA (INVALID_PURPOSE for one with CA:FALSE or without
 * basicConstraints, INVALID_CA for one without basicConstraints that has keyUsage keyCertSign) or
 * one too long. UNSPECIFIED is Node's code for an OpenSSL verify error it has no name for, the
 * message saying which (a CA whose keyUsage lacks keyCertSign: "key usage does not include
 * certificate signing"); Node gives it to no other error. OpenSSL's other verify codes hold one of
 * those words (CERT_HAS_EXPIRED, UNABLE_TO_GET_ISSUER_CERT_LOCALLY …).
 */
const OTHER_REFUSALS = /^(INVALID_PURPOSE|INVALID_CA|PATH_LENGTH_EXCEEDED|HOSTNAME_MISMATCH|UNSPECIFIED)$/;

/** What to do about the receiver's certificate Node refused with `code`, after "the receiver's certificate was refused". */
function receiverHint(code: string): string {
  switch (code) {
    case 'CERT_HAS_EXPIRED':
      return "it has expired: renew it on the receiver (or set this host's clock right, if it is ahead)";
    case 'CERT_NOT_YET_VALID':
      return "it is not valid yet: set this host's clock right, if it is behind (or give the receiver one valid now)";
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
      return 'it is self-signed: give it as tls.ca (and pin its fingerprint with tls.checkServerIdentity, RFC 5425 §5.2)';
    case 'UNABLE_TO_GET_ISSUER_CERT':
      // OpenSSL verifies up to a self-signed root: an intermediate CA alone is not enough.
      return 'tls.ca holds a CA of its chain but not the CA that signed that one: add the root CA (self-signed) to tls.ca';
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
      return "it chains to no CA of tls.ca (without tls.ca, of Node's bundled roots): give the CA that signed it as tls.ca";
    case 'CERT_SIGNATURE_FAILURE':
      return "its signature does not verify with the key of the CA of tls.ca that has its issuer's name (a CA made again under the same name, or an altered certificate): give the CA that signed it as tls.ca";
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
    case 'HOSTNAME_MISMATCH':
      return 'it does not hold the name checked (host, or tls.servername when set): set tls.servername to a name it holds';
    case 'INVALID_PURPOSE':
      return 'it is not for a server, or a certificate of its chain no CA (a server certificate needs extendedKeyUsage serverAuth, a CA basicConstraints CA:TRUE): give the receiver a server certificate and its chain';
    case 'INVALID_CA':
      return 'a certificate of its chain is no valid CA (a CA needs basicConstraints CA:TRUE, and keyCertSign in a keyUsage it has): give the receiver a chain of CAs that may sign';
    case 'PATH_LENGTH_EXCEEDED':
      return "its chain is longer than a CA's basicConstraints pathlen allows: give the receiver a chain within it";
    case 'UNSPECIFIED':
      return "OpenSSL's reason is before the code, which Node has no name for (as for a CA whose keyUsage lacks keyCertSign): give the receiver a certificate and chain of CAs that may sign";
    default:
      return 'tls.ca names the CA that signed it, tls.servername a name it holds';
  }
}

/**
 * A failed TLS connection's error, naming the receiver (Node's certificate errors do not) and,
 * for a certificate refused, why and what to set; the original is its `cause`, and its `code` is
 * kept. A certificate refused (the receiver's, by Node's checks or `tls.checkServerIdentity`, or
 * ours by the receiver) is `permanent: 'sink'`: no batch gets through until one side is
 * reconfigured, so none is retried and each counts toward opening the breaker.
 */
export function tlsError(error: unknown, where: string): unknown {
  // Not `instanceof Error`: Node's own errors come from another realm under a test runner's sandbox.
  const { message, code } = error as { message?: unknown; code?: unknown };
  if (typeof message !== 'string' || message.startsWith('SyslogSink:')) return error;
  // UNKNOWN_CA: the alert of an OpenSSL receiver (librelp's) whose CA did not sign ours.
  const certificate =
    typeof code === 'string' && (/CERT|SIGNATURE|ISSUER|ALTNAME|UNKNOWN_CA/.test(code) || OTHER_REFUSALS.test(code));
  // An alert is the receiver's answer (ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED …): ours was refused.
  // A wrong version number is a port that answered in something else than TLS (HTTP's 400): retried,
  // as a receiver down is, but said so.
  // An unrecognized_name alert (RFC 6066 §3) is a receiver, or a front end routing by name, that
  // serves no certificate for the name sent: retried, as a receiver down is, but said so.
  const hint = !certificate
    ? code === 'ERR_SSL_WRONG_VERSION_NUMBER'
      ? ` (${code}): the receiver does not speak TLS on that port: give the port of its syslog over TLS input (6514), or transport 'tcp' for a plain one`
      : code === 'ERR_SSL_TLSV1_UNRECOGNIZED_NAME'
        ? ` (${code}): the receiver serves no certificate for the name sent as SNI (host, or tls.servername when set): set tls.servername to the name it serves`
        : ''
    : code.includes('ALERT')
      ? code.endsWith('_CERTIFICATE_EXPIRED')
        ? ` (${code}): the receiver refused this sender's certificate (tls.cert) as expired, or not valid yet by the receiver's clock: renew it`
        : ` (${code}): the receiver refused this sender's certificate (tls.cert, tls.key) or the lack of one`
      : ` (${code}): the receiver's certificate was refused: ${receiverHint(code)}`;
  // OpenSSL's own errors end in a line break, which would split the hint from the line.
  const failed = new Error(`SyslogSink: the TLS connection to ${where} failed: ${message.trimEnd()}${hint}`, { cause: error });
  // Node's code (ECONNREFUSED, DEPTH_ZERO_SELF_SIGNED_CERT …) stays readable, as a TCP failure's does.
  if (code !== undefined) Object.assign(failed, { code });
  return certificate || identityRefusals.has(error as object) ? Object.assign(failed, { permanent: 'sink' }) : failed;
}
