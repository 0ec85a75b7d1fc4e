import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { domainToASCII } from 'node:url';
import fc from 'fast-check';
import { SyslogSink } from '../../../lib/node/syslog/syslog-sink';
import type { SyslogSinkOptions } from '../../../lib/node/syslog/syslog-sink-options';
import { makeEvent } from '../../helpers/events';
import { poller } from '../../helpers/poll-until';
import { RSYSLOGD, type Rsyslogd, startRsyslogd } from './rsyslogd';
import { freeTcpPort } from './syslog-test-servers';

const installed = existsSync(RSYSLOGD);
if (!installed) {
  console.warn(
    'SKIPPED spec/node/syslog/syslog-rsyslog-fields.spec.ts: rsyslog not installed: `apt-get install rsyslog` (CI installs it).',
  );
}

const WAIT_MS = 15_000;
const pollUntil = poller({ waitMs: WAIT_MS, pollMs: 20 });

/**
 * Characters that break syslog fields: every separator and escape of RFC 5424's header and
 * structured data, ASCII controls (NUL, TAB, LF, CR, BEL, ESC, DEL), C1 and Unicode line breaks,
 * a BOM, non-ASCII letters, an emoji and a lone surrogate, among plain letters.
 */
const HOSTILE = fc.constantFrom(
  ...['a', 'Z', '0', '-', '.', ' ', '=', '"', '\\', ']', '[', '@', '#', '%', '<', '>', ':', '/', '|', '{', '}'],
  ...['\0', '\t', '\n', '\r', '\u0007', '\u001b', '\u007f', '\u0085', '\u00a0', '\u2028', '\ufeff'],
  ...['é', 'Ü', '東', '😀', '\ud800'],
);
/** Any printable ASCII character, space included. */
const PRINTABLE = fc.integer({ min: 32, max: 126 }).map((c) => String.fromCharCode(c));
const hostile = (maxLength: number): fc.Arbitrary<string> =>
  fc.string({ unit: fc.oneof(HOSTILE, PRINTABLE), minLength: 0, maxLength });
/** Hostile text, short or just around a field's `limit` (a plain run, then hostile characters across the limit). */
const nearLimit = (limit: number): fc.Arbitrary<string> =>
  fc.oneof(
    hostile(12),
    hostile(8).map((s) => `${'x'.repeat(limit - 4)}${s}`),
  );

/** A header field as RFC 5424 has it: printable US-ASCII (33–126), each other UTF-16 unit `_`, cut to `max`; `-` when empty. */
/**
 * A hostname as the sink sends it before its format's own rules: a name of letters, marks, digits,
 * `.`, `_` and `-` holding letters outside ASCII as its IDNA A-labels (what DNS knows it by).
 */
function idnaHost(name: string): string {
  // eslint-disable-next-line no-control-regex -- the ASCII range itself
  return /[^\u0000-\u007f]/.test(name) && /^[\p{L}\p{M}\p{N}._-]+$/u.test(name) ? domainToASCII(name) || name : name;
}

function headerField(value: string, max: number): string {
  return value.slice(0, max).replace(/[^!-~]/g, '_') || '-';
}

/** Text as rsyslogd stores what it received: as UTF-8 (a lone surrogate is U+FFFD), each control character below 32 as `#` and three octal digits. */
function asReceived(text: string): string {
  return (
    Buffer.from(text, 'utf8')
      .toString('utf8')
      // eslint-disable-next-line no-control-regex -- rsyslogd's escaping of the control characters themselves
      .replace(/[\0-\x1f]/g, (c) => `#${c.charCodeAt(0).toString(8).padStart(3, '0')}`)
  );
}

/** The receiver's side of one message: its fields as rsyslogd parsed them, structured data by mmpstrucdata. */
interface Parsed {
  readonly host: string;
  readonly app: string;
  readonly msgid: string;
  readonly procid: string;
  /** TIMESTAMP, RFC 3339 (a year rsyslogd guesses for RFC 3164). */
  readonly time: string;
  readonly msg: string;
  /** mmpstrucdata's JSON, `''` without structured data. */
  readonly sd: string;
}

// Hostile values for every field a user or an event controls, through a real rsyslogd: what it
// parses is what rxlog documents it sends (header fields made printable ASCII and cut, property
// values whole, names one each, MSG whole), whatever the transport's framing.
(installed ? describe : describe.skip)('SyslogSink fields through a real rsyslogd', () => {
  let dir: string;
  let output: string;
  let udpPort: number;
  let tcpPort: number;
  let daemon: Rsyslogd | undefined;
  const run = `${process.pid}x${Date.now().toString(36)}`;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rxlog-rsyslog-fields-'));
    output = join(dir, 'out.json');
    tcpPort = await freeTcpPort();
    const probe = createSocket('udp4');
    await new Promise<void>((resolve) => probe.bind(0, '127.0.0.1', resolve));
    udpPort = probe.address().port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    daemon = startRsyslogd(
      dir,
      [
        `global(workDirectory="${dir}")`,
        'module(load="imudp")',
        'module(load="imtcp")',
        'module(load="mmpstrucdata")',
        'template(name="fields" type="string" string="{\\"host\\":\\"%hostname:::json%\\",\\"app\\":\\"%app-name:::json%\\",\\"msgid\\":\\"%msgid:::json%\\",\\"procid\\":\\"%procid:::json%\\",\\"time\\":\\"%timereported:::date-rfc3339%\\",\\"msg\\":\\"%msg:::json%\\",\\"sd\\":\\"%$!rfc5424-sd:::json%\\"}\\n")',
        `input(type="imudp" address="127.0.0.1" port="${udpPort}")`,
        `input(type="imtcp" address="127.0.0.1" port="${tcpPort}")`,
        'action(type="mmpstrucdata")',
        `*.* action(type="omfile" file="${output}" template="fields")`,
      ],
      WAIT_MS,
    );
    // Ready once a probe sent over each transport comes out.
    for (const transport of ['udp', 'tcp'] as const) {
      const sink = new SyslogSink({ transport, port: transport === 'udp' ? udpPort : tcpPort, appName: 'probe' });
      const tag = `probe${transport}${run}`;
      await pollUntil(
        async () => {
          await sink.emit([makeEvent({ text: `${tag} ready`, properties: { P: 1 } })]).catch(() => undefined);
          return existsSync(output) && readFileSync(output, 'utf8').includes(tag) ? true : undefined;
        },
        () => `rsyslogd did not log a ${transport} probe; its output:\n${daemon?.output()}`,
      );
      await sink.close();
    }
  }, 60_000);

  afterAll(async () => {
    await daemon?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  /** The message whose MSG holds `tag`, once rsyslogd has written it. */
  const received = (tag: string): Promise<Parsed> =>
    pollUntil(
      () => {
        if (!existsSync(output)) return undefined;
        for (const line of readFileSync(output, 'utf8').split('\n')) {
          if (!line.includes(tag)) continue;
          const parsed = JSON.parse(line) as Parsed;
          if (parsed.msg.includes(tag)) return parsed;
        }
        return undefined;
      },
      () => `no message ${tag} reached rsyslogd; its output:\n${daemon?.output()}`,
    );

  it('parses HOSTNAME, APP-NAME, MSGID, every property and MSG as sent, whatever they hold (udp, tcp, tcp newline)', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<SyslogSinkOptions>(
          { transport: 'udp' },
          { transport: 'tcp' },
          { transport: 'tcp', tcpFraming: 'newline' },
        ),
        // '-' alone is the NILVALUE, which rsyslogd replaces with the sender's address.
        nearLimit(255).filter((h) => h !== '' && h !== '-'),
        nearLimit(48).filter((a) => a !== '' && a !== '-'),
        nearLimit(32),
        fc.dictionary(nearLimit(32), hostile(30), { minKeys: 1, maxKeys: 5 }),
        hostile(60),
        fc.date({ min: new Date(Date.UTC(1970, 0, 1)), max: new Date(Date.UTC(2099, 11, 31)), noInvalidDate: true }),
        async (transportOptions, hostname, appName, sourceContext, extra, text, timestamp) => {
          const tag = `t${run}x${n++}`;
          const properties: Record<string, unknown> = { ...extra, SourceContext: sourceContext };
          const sink = new SyslogSink({
            ...transportOptions,
            port: transportOptions.transport === 'udp' ? udpPort : tcpPort,
            hostname,
            appName,
            formatter: { format: () => `${tag} ${text}` },
          });
          try {
            await sink.emit([makeEvent({ text, properties, timestamp })]);
          } finally {
            await sink.close();
          }
          const parsed = await received(tag);
          const trimmed = text.replace(/[\r\n]+$/, '');
          const { host, app, msgid, procid, time, msg } = parsed;
          expect({ host, app, msgid, procid, time, msg }).toEqual({
            host: headerField(idnaHost(hostname), 255),
            app: headerField(appName, 48),
            msgid: headerField(sourceContext, 32),
            procid: String(process.pid),
            time: timestamp.toISOString(),
            msg: asReceived(`${tag} ${trimmed.replace(/\0/g, '#000')}`),
          });
          // One parameter per property, none lost to a name alike another's; each value whole.
          const params = (JSON.parse(parsed.sd) as Record<string, Record<string, string>>)['rxlog@32473'];
          const values = Object.values(properties).map((v) => asReceived(String(v).replace(/\0/g, '#000')));
          expect(Object.values(params).sort()).toEqual(values.sort());
        },
      ),
      { numRuns: 40, interruptAfterTimeLimit: 90_000 },
    );
    expect(n).toBeGreaterThanOrEqual(40);
  }, 120_000);
  it('parses the HOSTNAME, TAG, PID, TIMESTAMP and MSG of RFC 3164 messages as sent, whatever they hold (udp, tcp, tcp newline)', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<SyslogSinkOptions>(
          { transport: 'udp' },
          { transport: 'tcp' },
          { transport: 'tcp', tcpFraming: 'newline' },
        ),
        nearLimit(255).filter((h) => h !== ''),
        nearLimit(32).filter((a) => a !== ''),
        hostile(60),
        fc.date({ min: new Date(Date.UTC(1970, 0, 1)), max: new Date(Date.UTC(2099, 11, 31)), noInvalidDate: true }),
        async (transportOptions, hostname, appName, text, timestamp) => {
          const tag = `b${run}x${n++}`;
          const sink = new SyslogSink({
            ...transportOptions,
            port: transportOptions.transport === 'udp' ? udpPort : tcpPort,
            format: 'rfc3164',
            hostname,
            appName,
            formatter: { format: () => `${tag} ${text}` },
          });
          try {
            await sink.emit([makeEvent({ text, timestamp })]);
          } finally {
            await sink.close();
          }
          const { host, app, procid, time, msg } = await received(tag);
          const two = (v: number): string => String(v).padStart(2, '0');
          // rsyslogd guesses the year (RFC 3164 has none) and writes local time: month to second compared.
          const local = `${two(timestamp.getMonth() + 1)}-${two(timestamp.getDate())}T${two(timestamp.getHours())}:${two(timestamp.getMinutes())}:${two(timestamp.getSeconds())}`;
          const bsdHost = idnaHost(hostname)
            .slice(0, 255)
            .replace(/[^A-Za-z0-9._-]/g, '_')
            .replace(/[^A-Za-z0-9]+$/, '');
          expect({ host: bsdHost === '' ? '(the sender)' : host, app, procid, time: time.slice(5, 19), msg }).toEqual({
            host: bsdHost === '' ? '(the sender)' : bsdHost,
            app: appName.slice(0, 32).replace(/[^!-~]|[[\]:/]/g, '_'),
            procid: String(process.pid),
            time: local,
            // rsyslogd keeps the space after `TAG[PID]:` in MSG.
            msg: asReceived(` ${tag} ${text.replace(/[\r\n]+$/, '').replace(/\0/g, '#000')}`),
          });
        },
      ),
      { numRuns: 40, interruptAfterTimeLimit: 90_000 },
    );
    expect(n).toBeGreaterThanOrEqual(40);
  }, 120_000);
});
