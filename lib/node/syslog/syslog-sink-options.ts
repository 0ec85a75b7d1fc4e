import { isIP } from 'node:net';
import { hostname as osHostname } from 'node:os';
import { basename } from 'node:path';
import { checkOptionKeys } from '../../core/check-option-keys';
import { ConfigurationError } from '../../core/errors/configuration-error';
import { readGuarded } from '../../core/read-options';
import type { Formatter } from '../../core/sink';
import { type SyslogFacilityName, syslogFacility } from './syslog-facility';
import type { SyslogFraming } from './syslog-framing';
import { syslogHeaderField } from './syslog-header-field';
import { asciiHostname, SYSLOG_HOST_NAME } from './syslog-host-name';
import { syslogBsdHostname } from './syslog-rfc3164';
import type { SyslogMessageSettings } from './syslog-message-settings';
import { SyslogRelpTransport } from './syslog-relp-transport';
import { SyslogStreamTransport } from './syslog-stream-transport';
import { DEFAULT_STRUCTURED_DATA_ID } from './syslog-structured-data';
import { type SyslogTlsOptions, syslogTlsConnectOptions } from './syslog-tls-options';
import type { SyslogTransport } from './syslog-transport';
import { SyslogUdpTransport } from './syslog-udp-transport';

/** The options SyslogSink knows: any other key is a misspelling (`hots`). */
const SYSLOG_SINK_OPTIONS = [
  'transport',
  'host',
  'port',
  'path',
  'tls',
  'facility',
  'appName',
  'hostname',
  'format',
  'formatter',
  'structuredData',
  'structuredDataId',
  'messageIdProperty',
  'tcpFraming',
  'maxMessageBytes',
  'connectTimeoutMs',
  'writeTimeoutMs',
] as const satisfies readonly (keyof SyslogSinkOptions)[];

/** How a SyslogSink reaches its receiver. */
export type SyslogTransportKind = 'udp' | 'tcp' | 'tls' | 'unix' | 'relp';

/** The syslog message format: RFC 5424 (structured) or BSD syslog (RFC 3164). */
export type SyslogFormat = 'rfc5424' | 'rfc3164';

/** Options of a SyslogSink. */
export interface SyslogSinkOptions {
  /**
   * `udp`, `tcp`, `tls` (RFC 5425: TCP with TLS, octet-counting framing, port 6514; see `tls`),
   * `unix` for a Unix *stream* socket at `path`, or `relp` (rsyslog's Reliable Event Logging
   * Protocol, imrelp: each message acknowledged by the receiver, counted delivered only then;
   * `port` required; over TLS with `tls`, imrelp's `tls="on"`). Node has no Unix datagram
   * sockets, so `/dev/log` (a datagram socket) cannot be used: send over `udp` to a local rsyslog
   * instead (a datagram socket at `path` fails each batch as the sink's, saying so). Default `'udp'`.
   */
  transport?: SyslogTransportKind | undefined;
  /** The receiver's host name or IP address (udp, tcp, tls; with unix a ConfigurationError), without port, scheme or brackets (`::1`, not `[::1]`). Default `'127.0.0.1'`. */
  host?: string | undefined;
  /** The receiver's port (udp, tcp, tls, relp; with unix a ConfigurationError), 1–65535. Default `514`, `6514` with tls (RFC 5425 §4.1); with relp no default (RELP has no assigned port: rsyslog's examples use 2514), a ConfigurationError when missing. */
  port?: number | undefined;
  /** The Unix stream socket's path; required for, and only for, transport `unix`. No default. */
  path?: string | undefined;
  /** With transport `tls`, or `relp` to run RELP over TLS: the CA, client certificate and name checks (see SyslogTlsOptions). Default Node's bundled CAs, no client certificate, the name checked against `host`; with relp, none: plain TCP. */
  tls?: SyslogTlsOptions | undefined;
  /** The facility, by name (`user`, `daemon`, `local0` … `local7`) or code 0–23. Default `'user'`. */
  facility?: SyslogFacilityName | number | undefined;
  /** APP-NAME (RFC 5424) or TAG (RFC 3164, where `[`, `]`, `:` and `/` become `_` too); non-printable characters become `_`. Default the base name of `process.title` (`/usr/bin/node` → `node`), else `'node'`. */
  appName?: string | undefined;
  /**
   * HOSTNAME; a name with letters outside ASCII is sent as its IDNA A-labels (`bücher.example` →
   * `xn--bcher-kva.example`, as DNS knows it), then non-printable characters become `_`. With
   * `rfc3164`, every character but letters, digits, `.`, `_` and `-` becomes `_` and trailing ones
   * other than letters and digits are dropped, as receivers parse that field (nothing left: no HOSTNAME, the receiver names the sender). Default
   * `os.hostname()`; with `rfc3164` without its domain (`web-1` on `web-1.example.com`: RFC 3164 §4.1.2,
   * as rsyslog sends its own).
   */
  hostname?: string | undefined;
  /** The message format. Default `'rfc5424'`. */
  format?: SyslogFormat | undefined;
  /** Writes MSG (trailing line breaks removed). Default: the rendered message, then the exception's stack on the following lines. */
  formatter?: Formatter | undefined;
  /** RFC 5424 only: send the event's properties as an SD-ELEMENT (`false` with `structuredDataId`, a ConfigurationError). Default `true`. */
  structuredData?: boolean | undefined;
  /**
   * RFC 5424 only: the SD-ID of that element, `name@<private enterprise number>` (RFC 5424 §6.3.2; at
   * most 32 printable ASCII characters except `= ] "`; names without `@` are IANA's). Default `'rxlog@32473'`.
   */
  structuredDataId?: string | undefined;
  /** RFC 5424 only: the property whose value becomes MSGID (printable ASCII, at most 32 characters); `false` always writes `-`. Default `'SourceContext'`. */
  messageIdProperty?: string | false | undefined;
  /** Framing on tcp and unix (RFC 6587; with udp or relp, whose frames carry their length, a ConfigurationError, with tls only `'octet-counting'`, which RFC 5425 §4.3 requires). Default `'octet-counting'` for tcp and tls, `'newline'` for unix (what stream readers such as syslog-ng's unix-stream expect). */
  tcpFraming?: SyslogFraming | undefined;
  /** Longest message in bytes of UTF-8, framing excluded; longer ones are cut at a character boundary (over udp the socket's send buffer is raised to hold one, where smaller: macOS gives 9 216 bytes). At least the header's longest size (a ConfigurationError says it), so the cut never reaches the header. Default `1024` for RFC 3164 (its §4.1 limit), else `2048` for udp, `8096` for tcp, tls, unix and relp (imrelp's `maxDataSize` defaults to it, and cuts a longer one): rsyslog's default `maxMessageSize` ("8k" in its docs is 8096 bytes), past which it splits the rest off as a message of its own, or repeats the message. */
  maxMessageBytes?: number | undefined;
  /** Longest wait to connect (tcp, unix; with relp, the answer to its `open` included, and over TLS the handshake; with tls, the handshake included, then at most as long again for the receiver to refuse this sender's certificate before the first batch) or resolve the host (udp), in milliseconds. Default `5000`. */
  connectTimeoutMs?: number | undefined;
  /** Longest a batch's write may stall, in milliseconds: on tcp and unix, with no 64 KiB of it (or all of a smaller batch) taken by the kernel, so a receiver reading slowly but steadily gets a large batch whole; on udp, the whole batch's datagrams (paced: a millisecond or more for each 32); on relp, for the receiver's next acknowledgement while messages await one (and for the answer to `close`). A timeout fails the batch and drops the connection. Default `10000`. */
  writeTimeoutMs?: number | undefined;
}

/** A SyslogSink's options checked and resolved: how to format, and where to send. */
export interface ResolvedSyslogSinkOptions {
  readonly format: SyslogFormat;
  readonly settings: SyslogMessageSettings;
  readonly transport: SyslogTransport;
}

const TRANSPORTS: readonly SyslogTransportKind[] = ['udp', 'tcp', 'tls', 'unix', 'relp'];
const FORMATS: readonly SyslogFormat[] = ['rfc5424', 'rfc3164'];
const FRAMINGS: readonly SyslogFraming[] = ['octet-counting', 'newline'];
/** The largest UDP payload over IPv4. */
const MAX_DATAGRAM_BYTES = 65_507;
/**
 * rsyslog's default maxMessageSize (`iMaxLine = 8096` in its glbl.c). A longer message on imtcp is cut
 * and its rest parsed as a message of its own (a property value could forge one); on imptcp it is
 * delivered again for each byte over.
 */
const RSYSLOG_MAX_MESSAGE_BYTES = 8096;
/** Room for a header: a smaller limit would cut into it. */
const MIN_MESSAGE_BYTES = 64;

function fail(option: string, value: unknown, expected: string): never {
  let shown: string;
  try {
    shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
  } catch {
    shown = typeof value;
  }
  throw new ConfigurationError(`SyslogSink: ${option} ${shown} is not valid (expected ${expected})`);
}

function oneOf<T extends string>(option: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  return fail(option, value, allowed.join(' or '));
}

function text(option: string, value: unknown, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value === 'string' && value !== '') return value;
  return fail(option, value, 'a non-empty string');
}

function integer(option: string, value: unknown, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
  return fail(option, value, `an integer from ${min} to ${max}`);
}

/**
 * Whether `host` can be looked up or connected to: an IP address (an IPv6 zone too) or a host name
 * of letters, digits, `.`, `_` and `-` (any script, as `net.connect` passes it on). `logs:514`,
 * `udp://logs` or `[::1]` was looked up as a name: ENOTFOUND for every batch, never at build time.
 */
function isHost(host: string): boolean {
  return isIP(host) !== 0 || SYSLOG_HOST_NAME.test(host);
}

function isSdName(value: string): boolean {
  return value.length >= 1 && value.length <= 32 && /^[!#-\\^-~]+$/.test(value) && !value.includes('=');
}

/**
 * Whether an SD-NAME is a user-defined SD-ID, `name@<private enterprise number>` (RFC 5424 §6.3.2):
 * names without `@` are reserved to IANA (`timeQuality`, `origin`, `meta`), whose parameters are fixed.
 */
function isUserSdId(value: string): boolean {
  return /^[^@]+@\d+(?:\.\d+)*$/.test(value);
}

/**
 * The default RFC 3164 HOSTNAME: the host's name without its domain, as RFC 3164 §4.1.2 has it ("The
 * Domain Name MUST NOT be included") and rsyslog sends its own (`web-1` on a host named
 * `web-1.example.com`, unless its `PreserveFQDN` is on); an IP address as it is.
 */
function bsdDefaultHostname(name: string): string {
  return isIP(name) === 0 ? name.split('.', 1)[0] : name;
}

/**
 * The most bytes a message's header can take before MSG, structured data `-` included: a shorter
 * `maxMessageBytes` would cut the header itself (APP-NAME, PROCID, MSGID, the whole text gone), so
 * it is refused. RFC 5424: `<191>1 `, a 24-character timestamp, HOSTNAME, APP-NAME, PROCID, a
 * MSGID of up to 32 characters (`-` without `messageIdProperty`) and `-`; RFC 3164: `<191>`,
 * `Mmm dd hh:mm:ss`, HOSTNAME and `TAG[PID]:`. Header fields are ASCII: a character is a byte.
 */
function longestHeaderBytes(format: SyslogFormat, settings: SyslogMessageSettings): number {
  const { hostname, appName, procId, messageIdProperty } = settings;
  if (format === 'rfc3164') return '<191>'.length + 15 + 1 + hostname.length + 1 + appName.length + 1 + procId.length + 2;
  const msgId = messageIdProperty === undefined ? 1 : 32;
  return '<191>1 '.length + 24 + 1 + hostname.length + 1 + appName.length + 1 + procId.length + 1 + msgId + 1 + 1;
}

/**
 * Checks a SyslogSink's options, fills in the defaults and builds its transport (which connects
 * lazily, on the first batch).
 *
 * @throws ConfigurationError naming the option and its value when one is out of range.
 */
export function resolveSyslogSinkOptions(options: SyslogSinkOptions): ResolvedSyslogSinkOptions {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- JavaScript callers can pass anything
  if (typeof options !== 'object' || options === null) fail('options', options, 'an object');
  checkOptionKeys('SyslogSink', options, SYSLOG_SINK_OPTIONS);
  const transport = oneOf('transport', options.transport, TRANSPORTS, 'udp');
  const format = oneOf('format', options.format, FORMATS, 'rfc5424');
  const framing = oneOf('tcpFraming', options.tcpFraming, FRAMINGS, transport === 'unix' ? 'newline' : 'octet-counting');
  // Only undefined is "not set": null is a mistake, as for every other option.
  const facility = syslogFacility(options.facility === undefined ? 'user' : options.facility);
  const host = text('host', options.host, '127.0.0.1');
  if (!isHost(host)) fail('host', host, 'a host name or IP address, without port or scheme (the port goes in port)');
  const port = integer('port', options.port, 1, 65_535, transport === 'tls' ? 6514 : 514);
  if (transport === 'tls' && framing !== 'octet-counting')
    fail('tcpFraming', framing, "'octet-counting' with transport 'tls' (RFC 5425 §4.3 frames every message by its length)");
  if (transport === 'relp' && options.port === undefined)
    fail('port', options.port, "a port with transport 'relp' (RELP has no assigned port; rsyslog's examples use 2514)");
  if (transport !== 'tls' && transport !== 'relp' && options.tls !== undefined)
    throw new ConfigurationError(
      `SyslogSink: tls is set with transport '${transport}' (expected transport: 'tls' for syslog over TLS, or 'relp' for RELP over TLS)`,
    );
  // An option of another transport is a mistake, never ignored: tcpFraming without transport 'tcp'
  // sent UDP datagrams to a receiver listening on TCP, lost though counted delivered.
  if (transport === 'unix') {
    if (options.path === undefined) fail('path', options.path, "a socket path with transport 'unix'");
    text('path', options.path, '');
    // A Unix socket's address holds 108 bytes on Linux (104 on macOS and the BSDs), its NUL included:
    // libuv cuts a longer path silently, so the sink would connect to another socket, or none. A
    // Linux abstract socket's name (a leading NUL) has no terminating NUL: all 108 are its own.
    const linux = process.platform === 'linux';
    const pathLimit = process.platform === 'win32' ? Infinity : linux ? (options.path.startsWith('\0') ? 108 : 107) : 103;
    if (Buffer.byteLength(options.path, 'utf8') > pathLimit)
      fail('path', options.path, `a socket path of at most ${pathLimit} bytes (the system would cut a longer one)`);
    if (options.host !== undefined) fail('host', options.host, "no host with transport 'unix' (its socket is at path)");
    if (options.port !== undefined) fail('port', options.port, "no port with transport 'unix' (its socket is at path)");
  } else if (options.path !== undefined) {
    fail('path', options.path, `no path with transport '${transport}' (set transport: 'unix' for a Unix stream socket)`);
  }
  if ((transport === 'udp' || transport === 'relp') && options.tcpFraming !== undefined)
    fail(
      'tcpFraming',
      options.tcpFraming,
      `no tcpFraming with transport '${transport}' (${transport === 'relp' ? 'RELP frames each message itself' : "set transport: 'tcp', 'tls' or 'unix' for a stream"})`,
    );
  const maxMessageBytes = integer(
    'maxMessageBytes',
    options.maxMessageBytes,
    MIN_MESSAGE_BYTES,
    transport === 'udp' ? MAX_DATAGRAM_BYTES : Number.MAX_SAFE_INTEGER,
    format === 'rfc3164' ? 1024 : transport === 'udp' ? 2048 : RSYSLOG_MAX_MESSAGE_BYTES,
  );
  const connectTimeoutMs = integer('connectTimeoutMs', options.connectTimeoutMs, 1, 2_147_483_647, 5_000);
  const writeTimeoutMs = integer('writeTimeoutMs', options.writeTimeoutMs, 1, 2_147_483_647, 10_000);
  // One whose reads throw (a Proxy's trap) is refused naming it, the error as its cause.
  const { formatter } = options;
  if (
    formatter !== undefined &&
    !readGuarded(
      'SyslogSink formatter',
      'the formatter',
      () => typeof (formatter as { format?: unknown } | null)?.format === 'function',
    )
  ) {
    fail('formatter', formatter, 'an object with a format(event) method');
  }
  // RFC 3164 has no STRUCTURED-DATA and no MSGID: asking for them is a mistake, as an option of
  // another transport is (false, which turns them off, is what RFC 3164 does anyway).
  if (format === 'rfc3164')
    for (const option of ['structuredData', 'structuredDataId', 'messageIdProperty'] as const)
      if (options[option] !== undefined && options[option] !== false)
        fail(option, options[option], `no ${option} with format 'rfc3164' (RFC 5424 only)`);
  if (options.structuredData !== undefined && typeof options.structuredData !== 'boolean')
    fail('structuredData', options.structuredData, 'true or false');
  // The SD-ID names the element that carries the properties: with structuredData false none is sent.
  if (options.structuredData === false && options.structuredDataId !== undefined)
    fail('structuredDataId', options.structuredDataId, 'no structuredDataId with structuredData: false (no SD-ELEMENT is sent)');
  const structuredDataId = text('structuredDataId', options.structuredDataId, DEFAULT_STRUCTURED_DATA_ID);
  if (!isSdName(structuredDataId) || !isUserSdId(structuredDataId))
    fail(
      'structuredDataId',
      structuredDataId,
      'name@<private enterprise number>, e.g. shop@32473: 1–32 printable ASCII characters except = ] " and space, one @',
    );
  const messageIdProperty =
    options.messageIdProperty === false ? undefined : text('messageIdProperty', options.messageIdProperty, 'SourceContext');
  // The program's short name, as syslog(3) takes it: Node started by its full path has that path as its title.
  const appName = text('appName', options.appName, basename(process.title) || 'node');
  const settings: SyslogMessageSettings = {
    facility,
    // RFC 3164 receivers read a HOSTNAME only of [A-Za-z0-9._-]; RFC 5424 takes printable ASCII.
    hostname:
      format === 'rfc3164'
        ? syslogBsdHostname(asciiHostname(text('hostname', options.hostname, bsdDefaultHostname(osHostname()))))
        : syslogHeaderField(asciiHostname(text('hostname', options.hostname, osHostname() || '-')), 255),
    // RFC 3164's TAG is at most 32 characters, and receivers end its program name at '[', ':' and
    // '/' (rsyslog's acquireProgramName, after FreeBSD's syslogd); RFC 5424's APP-NAME at most 48.
    appName: format === 'rfc3164' ? syslogHeaderField(appName, 32, '[]:/') : syslogHeaderField(appName, 48),
    procId: String(process.pid),
    messageIdProperty,
    structuredDataId: format === 'rfc5424' && options.structuredData !== false ? structuredDataId : undefined,
    formatter: options.formatter,
    maxMessageBytes,
    singleLine: transport !== 'udp' && framing === 'newline',
  };
  const header = longestHeaderBytes(format, settings);
  if (maxMessageBytes < header)
    fail(
      'maxMessageBytes',
      maxMessageBytes,
      `an integer from ${header} to ${transport === 'udp' ? MAX_DATAGRAM_BYTES : Number.MAX_SAFE_INTEGER}: the header takes up to ${header} bytes with this hostname, appName and MSGID`,
    );
  const connection: SyslogTransport =
    transport === 'udp'
      ? new SyslogUdpTransport(host, port, connectTimeoutMs, writeTimeoutMs, maxMessageBytes)
      : transport === 'relp'
        ? new SyslogRelpTransport(
            host,
            port,
            connectTimeoutMs,
            writeTimeoutMs,
            options.tls === undefined ? undefined : syslogTlsConnectOptions(options.tls, host),
          )
        : new SyslogStreamTransport(
            transport === 'unix'
              ? { path: options.path as string }
              : { host, port, tls: transport === 'tls' ? syslogTlsConnectOptions(options.tls, host) : undefined },
            framing,
            connectTimeoutMs,
            writeTimeoutMs,
          );
  return { format, settings, transport: connection };
}
