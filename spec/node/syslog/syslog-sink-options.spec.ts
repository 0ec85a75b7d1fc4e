import os, { hostname } from 'node:os';
import { ConfigurationError } from '../../../lib/core/errors/configuration-error';
import { resolveSyslogSinkOptions, type SyslogSinkOptions } from '../../../lib/node/syslog/syslog-sink-options';

describe('resolveSyslogSinkOptions', () => {
  const resolved: ReturnType<typeof resolveSyslogSinkOptions>[] = [];
  const resolve = (options: SyslogSinkOptions): ReturnType<typeof resolveSyslogSinkOptions> => {
    const result = resolveSyslogSinkOptions(options);
    resolved.push(result);
    return result;
  };
  afterEach(async () => {
    await Promise.all(resolved.splice(0).map((r) => r.transport.close()));
  });

  it('defaults to RFC 5424 to the user facility with structured data, 2048 bytes over UDP', () => {
    const { format, settings } = resolve({});
    expect(format).toBe('rfc5424');
    expect(settings).toMatchObject({
      facility: 1,
      hostname: hostname(),
      procId: String(process.pid),
      messageIdProperty: 'SourceContext',
      structuredDataId: 'rxlog@32473',
      maxMessageBytes: 2048,
      singleLine: false,
    });
    expect(settings.appName).toMatch(/^[!-~]{1,48}$/);
  });

  it('defaults to 8096 bytes (rsyslog’s default limit) on stream transports, and to newline framing on unix', () => {
    expect(resolve({ transport: 'tcp' }).settings).toMatchObject({ maxMessageBytes: 8096, singleLine: false });
    expect(resolve({ transport: 'unix', path: '/tmp/x.sock' }).settings).toMatchObject({
      maxMessageBytes: 8096,
      singleLine: true,
    });
    expect(resolve({ transport: 'tcp', tcpFraming: 'newline' }).settings.singleLine).toBe(true);
    // imrelp's maxDataSize defaults to rsyslog's maxMessageSize: a longer message is cut there.
    expect(resolve({ transport: 'relp', port: 2514 }).settings).toMatchObject({ maxMessageBytes: 8096, singleLine: false });
  });

  it('takes a host name, an IPv4 or IPv6 address (a zone too) as host', () => {
    for (const host of [
      'localhost',
      'web-1.eu-west-1.shop.internal',
      'logs.internal.',
      'syslog_1',
      '127.0.0.1',
      '::1',
      'fe80::1%lo',
    ])
      expect(() => resolve({ transport: 'tcp', host })).not.toThrow();
    expect(() => resolve({ host: 'bücher.example' })).not.toThrow();
  });

  it('takes a unix socket path as long as the address holds (103 bytes anywhere but Windows)', () => {
    expect(() => resolve({ transport: 'unix', path: `/tmp/${'s'.repeat(98)}` })).not.toThrow();
  });

  // Found by review: a Linux abstract socket's name (a leading NUL) needs no terminating NUL, so it
  // holds 108 bytes, the NUL included; one byte more is cut by libuv as a path is.
  (process.platform === 'linux' ? it : it.skip)('takes an abstract socket name of 108 bytes on Linux, not 109', () => {
    expect(() => resolve({ transport: 'unix', path: `\0${'s'.repeat(107)}` })).not.toThrow();
    expect(() => resolve({ transport: 'unix', path: `\0${'s'.repeat(108)}` })).toThrow(
      /path "\\u0000s+" is not valid \(expected a socket path of at most 108 bytes/,
    );
  });

  it('defaults RFC 3164 messages to 1024 bytes on every transport (RFC 3164 §4.1)', () => {
    expect(resolve({ format: 'rfc3164' }).settings.maxMessageBytes).toBe(1024);
    expect(resolve({ format: 'rfc3164', transport: 'tcp' }).settings.maxMessageBytes).toBe(1024);
    expect(resolve({ format: 'rfc3164', maxMessageBytes: 4096 }).settings.maxMessageBytes).toBe(4096);
  });

  it("defaults appName to the base name of process.title, as syslog(3) takes the program's short name", () => {
    // Node started by its full path (systemd's ExecStart=/usr/bin/node app.js, tsx) has that path as
    // its title: sent as APP-NAME or TAG, rsyslog's programname came out empty (it stops at '/').
    const before = process.title;
    try {
      process.title = '/usr/bin/node';
      expect(resolve({}).settings.appName).toBe('node');
      expect(resolve({ format: 'rfc3164' }).settings.appName).toBe('node');
      process.title = '/';
      expect(resolve({}).settings.appName).toBe('node');
      process.title = 'shop';
      expect(resolve({}).settings.appName).toBe('shop');
    } finally {
      process.title = before;
    }
  });

  it('defaults an RFC 3164 HOSTNAME to the host name without its domain (RFC 3164 §4.1.2), as rsyslog sends its own', () => {
    // A host named web-1.example.com (hostnamectl, EC2's ip-10-0-0-5.ec2.internal): rsyslogd there logs
    // and forwards its own and syslog(3)'s messages from "web-1", RFC 3164 or not, so one host was two.
    const spy = jest.spyOn(os, 'hostname');
    try {
      spy.mockReturnValue('web-1.example.com');
      expect(resolve({ format: 'rfc3164' }).settings.hostname).toBe('web-1');
      // RFC 5424 prefers the FQDN (§6.2.4), and a hostname given is sent as given.
      expect(resolve({}).settings.hostname).toBe('web-1.example.com');
      expect(resolve({ format: 'rfc3164', hostname: 'web-1.example.com' }).settings.hostname).toBe('web-1.example.com');
      // An address has no domain to leave out; a name of a domain only leaves nothing (the receiver names the sender).
      spy.mockReturnValue('10.0.0.5');
      expect(resolve({ format: 'rfc3164' }).settings.hostname).toBe('10.0.0.5');
      spy.mockReturnValue('.example.com');
      expect(resolve({ format: 'rfc3164' }).settings.hostname).toBe('');
    } finally {
      spy.mockRestore();
    }
  });

  it('sends a hostname with letters outside ASCII as its IDNA A-labels (punycode), as DNS knows the host, in both formats', () => {
    // HOSTNAME is printable US-ASCII (RFC 5424 §6.2.4, RFC 3164 §4.1.2): each such letter was sent as
    // '_', so bücher.example arrived as b_cher.example, a name no host has, and bücher and büchor alike.
    expect(resolve({ hostname: 'bücher.example' }).settings.hostname).toBe('xn--bcher-kva.example');
    expect(resolve({ hostname: '東京-1' }).settings.hostname).toBe('xn---1-l92cn98g');
    expect(resolve({ format: 'rfc3164', hostname: 'münchen-1' }).settings.hostname).toBe('xn--mnchen-1-65a');
    // A name with other characters (a space; '/', '?', '#', which a URL's host ends at) is sanitised
    // as before, nothing dropped; an ASCII name is kept as given, its case too.
    expect(resolve({ hostname: 'bü ch' }).settings.hostname).toBe('b__ch');
    expect(resolve({ hostname: 'bü/ch' }).settings.hostname).toBe('b_/ch');
    expect(resolve({ hostname: 'bü#1?x' }).settings.hostname).toBe('b_#1?x');
    expect(resolve({ hostname: 'bü_1' }).settings.hostname).toBe('xn--b_1-hoa');
    expect(resolve({ hostname: 'Web-1.Example' }).settings.hostname).toBe('Web-1.Example');
    const spy = jest.spyOn(os, 'hostname');
    try {
      spy.mockReturnValue('münchen-1.example.com');
      expect(resolve({}).settings.hostname).toBe('xn--mnchen-1-65a.example.com');
      expect(resolve({ format: 'rfc3164' }).settings.hostname).toBe('xn--mnchen-1-65a');
    } finally {
      spy.mockRestore();
    }
  });

  it('sanitises appName for the format: 48 characters for RFC 5424, a 32-character TAG without [ ] : / for RFC 3164', () => {
    expect(resolve({ appName: `my app:${'x'.repeat(60)}` }).settings.appName).toBe(`my_app:${'x'.repeat(41)}`);
    expect(resolve({ appName: 'my/app' }).settings.appName).toBe('my/app');
    expect(resolve({ appName: 'my[app]:1', format: 'rfc3164' }).settings.appName).toBe('my_app__1');
    // rsyslog's programname ends at '/' as at '[' and ':' (runtime/msg.c, acquireProgramName).
    expect(resolve({ appName: 'my/app', format: 'rfc3164' }).settings.appName).toBe('my_app');
  });

  it('takes a structuredDataId of the form name@<private enterprise number> (RFC 5424 §6.3.2), and only that', () => {
    for (const id of ['shop@32473', 'x@1', 'audit@32473.1.2'])
      expect(resolve({ structuredDataId: id }).settings.structuredDataId).toBe(id);
    // Names without "@" are IANA's (timeQuality, origin, meta), whose parameters are fixed; the rest are not SD-IDs.
    for (const id of ['origin', 'meta', 'timeQuality', 'shop', 'a@b', 'a@@1', '@32473', 'a@1@2', 'a@32473.', 'a@.1']) {
      const build = (): unknown => resolve({ structuredDataId: id });
      expect(build).toThrow(ConfigurationError);
      expect(build).toThrow(`structuredDataId ${JSON.stringify(id)}`);
    }
  });

  it('throws a ConfigurationError for a structuredDataId with structuredData: false, which sends no element for it to name', () => {
    const build = (): unknown => resolve({ structuredData: false, structuredDataId: 'shop@32473' });
    expect(build).toThrow(ConfigurationError);
    expect(build).toThrow('structuredDataId "shop@32473" is not valid (expected no structuredDataId with structuredData: false');
  });

  it('turns off structured data when asked, and for RFC 3164', () => {
    expect(resolve({ structuredData: false }).settings.structuredDataId).toBeUndefined();
    expect(resolve({ format: 'rfc3164' }).settings.structuredDataId).toBeUndefined();
    expect(resolve({ messageIdProperty: false }).settings.messageIdProperty).toBeUndefined();
  });

  it('throws a ConfigurationError when maxMessageBytes cannot hold the header, which cutting would leave without its fields and message', () => {
    // Accepted before: every message arrived as "<14>1 … web-1.eu-west-1.shop.internal che", APP-NAME
    // cut to "che" and PROCID, MSGID, structured data and the whole text gone.
    const options: SyslogSinkOptions = {
      maxMessageBytes: 64,
      hostname: 'web-1.eu-west-1.shop.internal',
      appName: 'checkout-service',
      messageIdProperty: false,
    };
    // <191>1, a 24-character timestamp, hostname, APP-NAME, PROCID, MSGID "-" and SD "-", spaces between.
    const header = 7 + 24 + 1 + 29 + 1 + 16 + 1 + String(process.pid).length + 1 + 1 + 1 + 1;
    expect(() => resolveSyslogSinkOptions(options)).toThrow(ConfigurationError);
    expect(() => resolveSyslogSinkOptions(options)).toThrow(
      `SyslogSink: maxMessageBytes 64 is not valid (expected an integer from ${header} to 65507: the header takes up to ${header} bytes with this hostname, appName and MSGID)`,
    );
    expect(resolve({ ...options, maxMessageBytes: header }).settings.maxMessageBytes).toBe(header);
    // A MSGID from a property takes up to 32 characters; RFC 3164's header has no MSGID nor SD.
    expect(() => resolveSyslogSinkOptions({ ...options, maxMessageBytes: header, messageIdProperty: 'SourceContext' })).toThrow(
      `from ${header + 31} to`,
    );
    const bsd = 5 + 15 + 1 + 29 + 1 + 16 + 1 + String(process.pid).length + 2;
    expect(() => resolveSyslogSinkOptions({ ...options, format: 'rfc3164', maxMessageBytes: bsd - 1 })).toThrow(`from ${bsd} to`);
    expect(resolve({ ...options, format: 'rfc3164', maxMessageBytes: bsd }).settings.maxMessageBytes).toBe(bsd);
  });

  it.each<[Record<string, unknown>, RegExp]>([
    [{ transport: 'quic' }, /transport "quic"/],
    [{ format: 'rfc5425' }, /format "rfc5425"/],
    [{ tcpFraming: 'nul' }, /tcpFraming "nul"/],
    [{ facility: 'local9' }, /facility "local9"/],
    // null was taken for "no facility" and sent as user, where every other option refuses it.
    [{ facility: null }, /facility null/],
    [{ host: '' }, /host ""/],
    // A port, a scheme or brackets in host were taken as a name to look up: every batch failed at
    // run time with ENOTFOUND (SelfLog only), never at build time.
    [
      { transport: 'tcp', host: 'logs.internal:514' },
      /host "logs.internal:514" is not valid \(expected a host name or IP address, without port or scheme \(the port goes in port\)\)/,
    ],
    [{ host: 'udp://logs.internal' }, /host "udp:\/\/logs.internal" is not valid \(expected a host name or IP address/],
    [{ host: '[::1]' }, /host "\[::1\]" is not valid \(expected a host name or IP address/],
    [{ host: ' logs.internal' }, /host " logs.internal" is not valid/],
    [{ host: 'logs.internal/syslog' }, /host "logs.internal\/syslog" is not valid/],
    [{ port: 0 }, /port 0/],
    [{ port: 70_000 }, /port 70000/],
    [{ transport: 'unix' }, /path undefined/],
    [{ transport: 'unix', path: '' }, /path ""/],
    // Found by a review: libuv cut a longer path to the address's 108 bytes, connecting to another socket.
    [
      { transport: 'unix', path: `/tmp/${'s'.repeat(103)}` },
      /path "\/tmp\/s+" is not valid \(expected a socket path of at most 10[37] bytes/,
    ],
    [{ path: '/dev/log' }, /path "\/dev\/log".*transport: 'unix'/],
    // Framing applies to streams only: without transport 'tcp' everything went out as UDP datagrams,
    // lost on a receiver that listens on TCP only, though counted delivered.
    [
      { tcpFraming: 'newline', port: 601 },
      /tcpFraming "newline" is not valid \(expected no tcpFraming with transport 'udp' \(set transport: 'tcp'/,
    ],
    // RELP has no assigned port: 514 is plain syslog's, whose receiver takes RELP frames for messages and never answers.
    [{ transport: 'relp' }, /port undefined is not valid \(expected a port with transport 'relp'/],
    [
      { transport: 'relp', port: 2514, tcpFraming: 'octet-counting' },
      /tcpFraming "octet-counting" is not valid \(expected no tcpFraming with transport 'relp'/,
    ],
    // RELP over TLS takes the tls option of transport 'tls', checked the same at build time.
    [
      { transport: 'relp', port: 2514, tls: { ca: '/etc/ssl/ca.pem' } },
      /tls.ca is not valid \(expected PEM text \(a file path is not read/,
    ],
    [
      { transport: 'tcp', tls: {} },
      /tls is set with transport 'tcp' \(expected transport: 'tls' .*, or 'relp' for RELP over TLS\)/,
    ],
    // A Unix socket has a path, not a host and port: both were ignored.
    [
      { transport: 'unix', path: '/run/syslog.sock', host: 'logs.internal' },
      /host "logs.internal" is not valid \(expected no host with transport 'unix'/,
    ],
    [
      { transport: 'unix', path: '/run/syslog.sock', port: 514 },
      /port 514 is not valid \(expected no port with transport 'unix'/,
    ],
    // RFC 3164 has no STRUCTURED-DATA and no MSGID: these were ignored, so a MSGID asked for never came.
    [
      { format: 'rfc3164', messageIdProperty: 'Area' },
      /messageIdProperty "Area" is not valid \(expected no messageIdProperty with format 'rfc3164'/,
    ],
    [
      { format: 'rfc3164', structuredDataId: 'shop@32473' },
      /structuredDataId "shop@32473" is not valid \(expected no structuredDataId with format 'rfc3164'/,
    ],
    [
      { format: 'rfc3164', structuredData: true },
      /structuredData true is not valid \(expected no structuredData with format 'rfc3164'/,
    ],
    [{ maxMessageBytes: 10 }, /maxMessageBytes 10/],
    [{ maxMessageBytes: 70_000 }, /maxMessageBytes 70000/],
    [{ connectTimeoutMs: -1 }, /connectTimeoutMs -1/],
    [{ writeTimeoutMs: 1.5 }, /writeTimeoutMs 1.5/],
    [{ structuredData: 'yes' }, /structuredData "yes"/],
    [{ structuredDataId: 'has space' }, /structuredDataId "has space"/],
    [{ structuredDataId: 'a=b' }, /structuredDataId "a=b"/],
    [{ messageIdProperty: '' }, /messageIdProperty ""/],
    [{ formatter: {} }, /formatter/],
    // A misspelt option was ignored: { hots } sent to localhost, { facilty } logged as user.
    [{ hots: 'logs.example' }, /SyslogSink: unknown option "hots" \(expected one of transport, host,/],
    [{ facilty: 'local0' }, /SyslogSink: unknown option "facilty"/],
  ])('throws a ConfigurationError naming a bad option: %p', (options, message) => {
    const build = (): unknown => resolveSyslogSinkOptions(options);
    expect(build).toThrow(ConfigurationError);
    expect(build).toThrow(message);
  });
});
