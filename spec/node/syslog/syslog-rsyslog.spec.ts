import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LoggerConfiguration } from '../../../lib/configuration/logger-configuration';
import type { LogLevelName } from '../../../lib/core/log-level';
import { SyslogSink } from '../../../lib/node/syslog/syslog-sink';
import type { SyslogSinkOptions } from '../../../lib/node/syslog/syslog-sink-options';
import { makeEvent } from '../../helpers/events';
import { freeTcpPort } from './syslog-test-servers';
import { expectBatchesAcrossRestarts, RSYSLOGD, type Rsyslogd, startRsyslogd } from './rsyslogd';
import { poller } from '../../helpers/poll-until';

const installed = existsSync(RSYSLOGD);
if (!installed) {
  console.warn(
    "SKIPPED spec/node/syslog/syslog-rsyslog.spec.ts: rsyslog not installed: `apt-get install rsyslog` (CI's .ci/run installs it). SyslogSink is not tested against a real syslog daemon.",
  );
}

/**
 * Longest wait for rsyslogd to start or for lines to reach its output file, in milliseconds: a
 * wait for the line, ended as soon as it is there, so long enough for a loaded machine.
 */
const WAIT_MS = 15_000;
const POLL_MS = 50;
const LEVELS: readonly LogLevelName[] = ['verbose', 'debug', 'information', 'warning', 'error', 'fatal'];
const SEVERITY: Readonly<Record<LogLevelName, number>> = { verbose: 7, debug: 7, information: 6, warning: 4, error: 3, fatal: 2 };
const LOCAL4 = 20;

async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

/** Calls `check` every 50 ms until it returns a value, or fails after `WAIT_MS` with `describe()`. */
const pollUntil = poller({ waitMs: WAIT_MS, pollMs: POLL_MS });

interface Received {
  severity: number;
  facility: number;
  appName: string;
  procId: string;
  msgId: string;
  structuredData: string;
  msg: string;
}

(installed ? describe : describe.skip)('SyslogSink with a real rsyslogd', () => {
  let dir: string;
  let output: string;
  let udpPort: number;
  let tcpPort: number;
  let nulTcpPort: number;
  let socketPath: string;
  let daemon: Rsyslogd | undefined;
  const run = `${process.pid}-${Date.now().toString(36)}`;

  const lines = (): Received[] => {
    if (!existsSync(output)) return [];
    return readFileSync(output, 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => {
        const [severity, facility, appName, procId, msgId, structuredData, ...msg] = line.split('|');
        return {
          severity: Number(severity),
          facility: Number(facility),
          appName,
          procId,
          msgId,
          structuredData,
          msg: msg.join('|').trim(),
        };
      });
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rxlog-rsyslog-'));
    output = join(dir, 'out.log');
    udpPort = await freeUdpPort();
    tcpPort = await freeTcpPort();
    nulTcpPort = await freeTcpPort();
    socketPath = join(dir, 'stream.sock');
    // Everything lives in the temp dir: no system config, pid file, spool or /dev/log is touched.
    daemon = startRsyslogd(
      dir,
      [
        `global(workDirectory="${dir}")`,
        'module(load="imudp")',
        'module(load="imtcp")',
        'module(load="imptcp")',
        'module(load="mmpstrucdata")',
        'template(name="rxlogTest" type="string" string="%syslogseverity%|%syslogfacility%|%app-name%|%procid%|%msgid%|%structured-data%|%msg%\\n")',
        'template(name="rxlogHost" type="string" string="%app-name%|%hostname%|%msgid%|%msg%\\n")',
        'template(name="rxlogSd" type="list") { property(name="app-name") constant(value="|") property(name="$!rfc5424-sd") constant(value="\\n") }',
        `input(type="imudp" address="127.0.0.1" port="${udpPort}")`,
        `input(type="imtcp" address="127.0.0.1" port="${tcpPort}")`,
        // Ends newline-framed messages at NUL too: RFC 6587 §3.4.2's other common TRAILER.
        `input(type="imtcp" address="127.0.0.1" port="${nulTcpPort}" addtlFrameDelimiter="0")`,
        // A Unix stream socket, for transport 'unix'.
        `input(type="imptcp" path="${socketPath}" unlink="on")`,
        // rsyslog's own RFC 5424 structured-data parser, as JSON in $!rfc5424-sd.
        'action(type="mmpstrucdata")',
        `*.* action(type="omfile" file="${output}" template="rxlogTest")`,
        `*.* action(type="omfile" file="${output}.sd" template="rxlogSd")`,
        `*.* action(type="omfile" file="${output}.host" template="rxlogHost")`,
      ],
      WAIT_MS,
    );

    // Ready when a probe sent over each transport comes out in the file.
    const probe = (transport: 'udp' | 'tcp' | 'unix'): Promise<void> => {
      const sink = new SyslogSink(
        transport === 'unix'
          ? { transport, path: socketPath, appName: 'probe' }
          : { transport, port: transport === 'udp' ? udpPort : tcpPort, appName: 'probe' },
      );
      const text = `probe ${transport} ${run}`;
      return pollUntil(
        async () => {
          await sink.emit([makeEvent({ text })]).catch(() => undefined);
          return lines().some((l) => l.msg === text) ? true : undefined;
        },
        () => `rsyslogd did not log a ${transport} probe; its output:\n${daemon?.output()}`,
      ).then(() => sink.close());
    };
    await probe('udp');
    await probe('tcp');
    await probe('unix');
  }, 60_000);

  afterAll(async () => {
    await daemon?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  const cases: [string, SyslogSinkOptions][] = [
    ['udp', { transport: 'udp' }],
    ['tcp', { transport: 'tcp' }],
    ['tcp-newline', { transport: 'tcp', tcpFraming: 'newline' }],
  ];

  it.each(cases)('delivers every event exactly once with its severity (%s, RFC 5424)', async (name, transportOptions) => {
    const count = 60;
    const port = transportOptions.transport === 'udp' ? udpPort : tcpPort;
    const log = new LoggerConfiguration().minimumLevel
      .verbose()
      .writeTo.sink(new SyslogSink({ ...transportOptions, port, facility: 'local4', appName: 'rxlog-test' }), {
        batch: { size: 10, maxDelayMs: 20 },
      })
      .createLogger();
    const tag = `${name} ${run}`;

    for (let i = 0; i < count; i++) {
      log.forContext('SourceContext', 'Orders').write(LEVELS[i % LEVELS.length], 'Event {I} of {Tag}', i, tag);
    }
    // A last event after the others: over TCP it arrives last, so once it is in, nothing else is on its way.
    log.information('Done {Tag}', tag);
    const report = await log.close({ strategy: 'flush' });
    expect(report.sinks.syslog).toEqual({ delivered: count + 1, dropped: 0, failed: 0, undelivered: 0 });

    const mine = await pollUntil(
      () => {
        const found = lines().filter((l) => l.msg.endsWith(` of ${tag}`) || l.msg === `Done ${tag}`);
        return found.some((l) => l.msg === `Done ${tag}`) && found.length >= count + 1 ? found : undefined;
      },
      () =>
        `only ${lines().filter((l) => l.msg.endsWith(` of ${tag}`)).length} of ${count} events reached rsyslogd; its output:\n${daemon?.output()}`,
    );

    const events = mine.filter((l) => l.msg !== `Done ${tag}`);
    expect(events).toHaveLength(count);
    const seen = new Map<number, Received>();
    for (const line of events) {
      const i = Number(/^Event (\d+) of /.exec(line.msg)?.[1]);
      expect(seen.has(i)).toBe(false);
      seen.set(i, line);
    }
    for (let i = 0; i < count; i++) {
      const line = seen.get(i);
      expect(line).toEqual({
        severity: SEVERITY[LEVELS[i % LEVELS.length]],
        facility: LOCAL4,
        appName: 'rxlog-test',
        procId: String(process.pid),
        msgId: 'Orders',
        structuredData: `[rxlog@32473 I="${i}" Tag="${tag}" SourceContext="Orders"]`,
        msg: `Event ${i} of ${tag}`,
      });
    }
  });

  it.each(['udp', 'tcp'] as const)(
    'parses HOSTNAME, APP-NAME and MSGID at their longest, longer options cut to 255, 48 and 32 (%s)',
    async (transport) => {
      const tag = `longest-${transport}-${run}`;
      const hostname = `${'h'.repeat(250)}.test`;
      const appName = `${'a'.repeat(47)}${transport === 'udp' ? 'u' : 't'}`;
      const sink = new SyslogSink({
        transport,
        port: transport === 'udp' ? udpPort : tcpPort,
        hostname: `${hostname}.cut`,
        appName: `${appName}-cut`,
      });
      await sink.emit([makeEvent({ text: tag, properties: { SourceContext: `${'m'.repeat(32)}-cut` } })]);
      await sink.close();
      const hostFile = `${output}.host`;
      const line = await pollUntil(
        () =>
          existsSync(hostFile)
            ? readFileSync(hostFile, 'utf8')
                .split('\n')
                .find((l) => l.endsWith(`|${tag}`))
            : undefined,
        () => `the message did not reach rsyslogd; its output:\n${daemon?.output()}`,
      );
      expect(line.split('|')).toEqual([appName, hostname, 'm'.repeat(32), tag]);
    },
  );

  it('delivers RFC 3164 messages with their severity over UDP', async () => {
    const sink = new SyslogSink({ port: udpPort, format: 'rfc3164', facility: 'local4', appName: 'rxlog-bsd' });
    const tag = `bsd ${run}`;
    await sink.emit(LEVELS.map((level) => makeEvent({ level, text: `${level} ${tag}` })));
    await sink.close();

    const mine = await pollUntil(
      () => {
        const found = lines().filter((l) => l.msg.endsWith(` ${tag}`) && l.appName === 'rxlog-bsd');
        return found.length >= LEVELS.length ? found : undefined;
      },
      () => `RFC 3164 messages did not all reach rsyslogd; its output:\n${daemon?.output()}`,
    );

    expect(mine.map((l) => [l.msg, l.severity, l.facility, l.procId]).sort()).toEqual(
      LEVELS.map((level) => [`${level} ${tag}`, SEVERITY[level], LOCAL4, String(process.pid)]).sort(),
    );
  });

  /** Sends each text over UDP as RFC 3164 from a sink with its options; the lines rsyslogd parsed whose MSG ends with ` ${tag}`. */
  async function sendRfc3164(
    messages: ReadonlyArray<readonly [{ appName: string; hostname?: string }, string]>,
    tag: string,
  ): Promise<ReturnType<typeof lines>> {
    for (const [options, text] of messages) {
      const sink = new SyslogSink({ port: udpPort, format: 'rfc3164', ...options });
      await sink.emit([makeEvent({ text })]);
      await sink.close();
    }
    return pollUntil(
      () => {
        const found = lines().filter((l) => l.msg.endsWith(` ${tag}`));
        return found.length >= messages.length ? found : undefined;
      },
      () => `RFC 3164 messages did not all reach rsyslogd; its output:\n${daemon?.output()}`,
    );
  }

  it('parses the TAG, PID and MSG of RFC 3164 messages whatever the hostname option holds', async () => {
    // rsyslog takes a BSD HOSTNAME only of letters, digits, '.', '_' and '-', ending in a letter or
    // digit; any other word there became the TAG, and the real TAG and PID part of MSG.
    const hostnames = ['web@1', 'fe80::1', 'node-', 'db.', '-', 'a b', 'é'];
    const tag = `bsd-host ${run}`;
    const mine = await sendRfc3164(
      hostnames.map((hostname) => [{ appName: 'rxlog-host', hostname }, `${hostname} ${tag}`]),
      tag,
    );
    expect(mine.map((l) => [l.appName, l.procId, l.msg]).sort()).toEqual(
      hostnames.map((hostname) => ['rxlog-host', String(process.pid), `${hostname} ${tag}`]).sort(),
    );
  });

  it('parses an RFC 3164 TAG holding characters rsyslog ends the program name at (/ [ : space) whole', async () => {
    // rsyslog's programname (%app-name% for RFC 3164) stops at ':', '[', '/' and what is not
    // printable (runtime/msg.c, acquireProgramName, after FreeBSD's syslogd): 'my/app' came out 'my'.
    const appNames = ['my/app', 'a[b]', 'a:b', 'sp ace', '/usr/bin/x'];
    const tag = `bsd-tag ${run}`;
    const mine = await sendRfc3164(
      appNames.map((appName) => [{ appName }, `${appName} ${tag}`]),
      tag,
    );
    expect(mine.map((l) => [l.msg, l.appName, l.procId]).sort()).toEqual(
      appNames.map((a) => [`${a} ${tag}`, a.replace(/[/[\]: ]/g, '_'), String(process.pid)]).sort(),
    );
  });

  it.each([
    ['2100', Date.UTC(2100, 0, 1)],
    ['9999', Date.UTC(9999, 11, 31, 23, 59, 59, 999)],
    ['past 9999', Date.UTC(10_000, 0, 1)],
  ])('parses the header of an RFC 5424 message whose event time is in the year %s (tcp)', async (name, time) => {
    // rsyslog refuses a year of 2100 or later (runtime/datetime.c, ParseTIMESTAMP3339) and then read
    // the message as RFC 3164: no APP-NAME or PROCID, the header and structured data in MSG.
    const sink = new SyslogSink({ transport: 'tcp', port: tcpPort, facility: 'local4', appName: 'rxlog-far' });
    const tag = `far-${name.replace(' ', '-')} ${run}`;
    await sink.emit([makeEvent({ level: 'error', text: tag, timestamp: new Date(time), properties: { A: 1 } })]);
    await sink.close();

    const line = await pollUntil(
      () => lines().find((l) => l.msg.endsWith(tag)),
      () => `the message did not reach rsyslogd; its output:\n${daemon?.output()}`,
    );
    expect(line).toEqual({
      severity: 3,
      facility: LOCAL4,
      appName: 'rxlog-far',
      procId: String(process.pid),
      msgId: '-',
      structuredData: '[rxlog@32473 A="1"]',
      msg: tag,
    });
  });

  it('delivers a property value holding NUL as one message to a receiver that ends frames at NUL (tcp, newline framing)', async () => {
    const sink = new SyslogSink({ transport: 'tcp', port: nulTcpPort, tcpFraming: 'newline', appName: 'rxlog-nul' });
    const tag = `nul ${run}`;
    const forged = `<11>1 2026-01-01T00:00:00Z forged-host forged 1 - - forged ${run}`;
    await sink.emit([makeEvent({ text: tag, properties: { V: `x\u0000${forged}` } }), makeEvent({ text: `done ${tag}` })]);
    await sink.close();

    await pollUntil(
      () => (lines().some((l) => l.msg === `done ${tag}`) ? true : undefined),
      () => `the messages did not reach rsyslogd; its output:\n${daemon?.output()}`,
    );
    expect(lines().filter((l) => l.msg.includes(run) && (l.appName === 'rxlog-nul' || l.appName === 'forged'))).toEqual([
      {
        severity: 6,
        facility: 1,
        appName: 'rxlog-nul',
        procId: String(process.pid),
        msgId: '-',
        structuredData: `[rxlog@32473 V="x#000${forged}"]`,
        msg: tag,
      },
      expect.objectContaining({ appName: 'rxlog-nul', msg: `done ${tag}` }),
    ]);
  });
  it.each<[string, SyslogSinkOptions]>([
    ['tcp-newline', { transport: 'tcp', tcpFraming: 'newline' }],
    ['unix', { transport: 'unix' }],
  ])(
    'delivers line breaks in the message, a property and a formatter’s output as one message each, forging none (%s)',
    async (name, transportOptions) => {
      const tag = `lf-${name}-${run}`;
      const forged = (how: string): string => `<11>1 2026-01-01T00:00:00Z forged-host forged 1 - - ${how} ${tag}`;
      const options: SyslogSinkOptions = {
        ...transportOptions,
        ...(transportOptions.transport === 'unix' ? { path: socketPath } : { port: tcpPort }),
        appName: 'rxlog-lf',
      };
      const sink = new SyslogSink(options);
      const formatted = new SyslogSink({
        ...options,
        formatter: { format: (e) => `${e.renderMessage()}\n${forged('formatter')}\r\n` },
      });
      await sink.emit([
        makeEvent({ text: `text ${tag}\n${forged('text')}` }),
        makeEvent({ text: `property ${tag}`, properties: { V: `x\r\n${forged('property')}\n` } }),
      ]);
      await formatted.emit([makeEvent({ text: `formatter ${tag}` })]);
      await sink.close();
      await formatted.close();

      // Two connections: their messages may come out in either order.
      const mine = await pollUntil(
        () => {
          const found = lines().filter((l) => l.msg.includes(tag));
          return found.length >= 3 ? found : undefined;
        },
        () => `the messages did not reach rsyslogd; its output:\n${daemon?.output()}`,
      );
      expect(mine.map((l) => [l.appName, l.structuredData, l.msg]).sort()).toEqual([
        ['rxlog-lf', '-', `formatter ${tag}#012${forged('formatter')}`],
        ['rxlog-lf', '-', `text ${tag}#012${forged('text')}`],
        ['rxlog-lf', `[rxlog@32473 V="x#015#012${forged('property')}#012"]`, `property ${tag}`],
      ]);
    },
  );

  // rsyslog's maxMessageSize is 8096 bytes unless configured (glbl.c's iMaxLine; "8k" in its docs).
  // A longer message is cut, and the rest becomes a message of its own (imtcp) or the cut message
  // is repeated once for each byte over (imptcp with newline framing): rxlog's stream default stays within it.
  // A property too long for it is left out, and the others kept.
  it.each<[string, SyslogSinkOptions]>([
    ['tcp', { transport: 'tcp' }],
    ['tcp-newline', { transport: 'tcp', tcpFraming: 'newline' }],
    ['unix', { transport: 'unix' }],
  ])(
    'delivers an event longer than rsyslog accepts as one message, cut, never split or repeated (%s)',
    async (name, transportOptions) => {
      const tag = `long-${name}-${run}`;
      const sink = new SyslogSink({
        ...transportOptions,
        ...(transportOptions.transport === 'unix' ? { path: socketPath } : { port: tcpPort }),
        appName: 'rxlog-long',
        facility: 'local4',
      });
      await sink.emit([
        makeEvent({ text: `${tag} ${'x'.repeat(20_000)}`, properties: { Pad: 'p'.repeat(100), Big: 'b'.repeat(20_000) } }),
        makeEvent({ text: `done ${tag}` }),
      ]);
      await sink.close();
      await pollUntil(
        () => (lines().some((l) => l.msg === `done ${tag}`) ? true : undefined),
        () => `the messages did not reach rsyslogd; its output:\n${daemon?.output()}`,
      );
      const all = readFileSync(output, 'utf8').split('\n');
      const first = all.findIndex((l) => l.includes(`|${tag} x`));
      const last = all.findIndex((l) => l.endsWith(`|done ${tag}`));
      // From the long event's line to the last event's, nothing split off or repeated (lines cut to 60 characters).
      expect(all.slice(first, last + 1).map((l) => l.slice(0, 60))).toEqual([
        `6|20|rxlog-long|${process.pid}|-|[rxlog@32473 Pad="${'p'.repeat(100)}"]|${tag} x`.slice(0, 60),
        `6|20|rxlog-long|${process.pid}|-|-|done ${tag}`.slice(0, 60),
      ]);
      expect(all[first]).toMatch(new RegExp(`\\|${tag} x+$`));
    },
  );

  // TCP syslog has no acknowledgement (RFC 6587). rsyslogd stopping stops reading, then closes its
  // connections some milliseconds later: a batch written in between was counted delivered, and the
  // close, a reset since it was unread, came after the sink had stopped waiting for one. Lost.
  it('sends again, once rsyslogd is back, the batch written as it was stopping: every batch counted delivered arrives (tcp)', async () => {
    const ownDir = mkdtempSync(join(tmpdir(), 'rxlog-rsyslog-restart-'));
    const ownOutput = join(ownDir, 'out.log');
    const port = await freeTcpPort();
    const config = [
      `global(workDirectory="${ownDir}")`,
      'module(load="imtcp")',
      `input(type="imtcp" address="127.0.0.1" port="${port}")`,
      'template(name="rxlogMsg" type="string" string="%msg%\\n")',
      `*.* action(type="omfile" file="${ownOutput}" template="rxlogMsg")`,
    ];
    const sink = new SyslogSink({ transport: 'tcp', port, appName: 'rxlog-restart' });
    await expectBatchesAcrossRestarts(sink, { dir: ownDir, config, outputFile: ownOutput, waitMs: WAIT_MS }, pollUntil, {
      tag: `restart ${run}`,
      rounds: 1,
    });
  });

  it('parses the structured data of hostile property names and values back to the values, each name once (mmpstrucdata)', async () => {
    const tag = `sd-${run}`;
    const sink = new SyslogSink({ transport: 'tcp', port: tcpPort, appName: 'rxlog-sd', messageIdProperty: false });
    const properties = {
      Quote: 'say "hi"',
      Back: 'C:\\dir\\',
      Bracket: 'a]b[c',
      Equals: 'k=v',
      Unicode: 'Zürich 東京 🚀',
      Json: { a: [1, 'b"]'] },
      Number: 1.5,
      Nothing: null,
      'Has space': 1,
      'Eq=ual': 2,
      'Quo"te': 3,
      'Br]acket': 4,
      Ünïcode: 5,
      'this-name-is-longer-than-thirty-two-characters': 6,
      // Names that sanitise to one another's (or to a real name): mmpstrucdata keeps the last of a
      // repeated PARAM-NAME only, so Größe's value was lost at the receiver.
      Größe: 7,
      Grüße: 8,
      Gr__e: 9,
      'this-name-is-longer-than-thirty-two-too': 10,
      // rsyslog's JSON keys ignore case (sd_name.lowercase="off" too): it kept one of these.
      UserId: 11,
      userId: 12,
      Tag: tag,
    };
    await sink.emit([makeEvent({ text: tag, properties })]);
    await sink.close();
    const sdFile = `${output}.sd`;
    const line = await pollUntil(
      () =>
        existsSync(sdFile)
          ? readFileSync(sdFile, 'utf8')
              .split('\n')
              .find((l) => l.startsWith('rxlog-sd|') && l.includes(tag))
          : undefined,
      () => `the message did not reach rsyslogd; its output:\n${daemon?.output()}`,
    );
    // mmpstrucdata lower-cases names by default.
    expect(JSON.parse(line.slice('rxlog-sd|'.length))).toEqual({
      'rxlog@32473': {
        quote: 'say "hi"',
        back: 'C:\\dir\\',
        bracket: 'a]b[c',
        equals: 'k=v',
        unicode: 'Zürich 東京 🚀',
        json: '{"a":[1,"b\\"]"]}',
        number: '1.5',
        nothing: 'null',
        has_space: '1',
        eq_ual: '2',
        quo_te: '3',
        br_acket: '4',
        _n_code: '5',
        'this-name-is-longer-than-thirty-': '6',
        gr__e_2: '7',
        gr__e_3: '8',
        gr__e: '9',
        'this-name-is-longer-than-thirt_2': '10',
        userid: '11',
        userid_2: '12',
        tag,
      },
    });
  });
});
