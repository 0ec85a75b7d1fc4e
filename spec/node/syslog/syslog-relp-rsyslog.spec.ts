import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LoggerConfiguration } from '../../../lib/configuration/logger-configuration';
import { SyslogSink } from '../../../lib/node/syslog/syslog-sink';
import { makeEvent } from '../../helpers/events';
import { poller } from '../../helpers/poll-until';
import { RSYSLOGD, type Rsyslogd, startRsyslogd } from './rsyslogd';
import { expectEachOnceUnlessResent, expectNothingLostAcrossRestarts } from './relp-restarts';
import { freeTcpPort } from './syslog-test-servers';

const IMRELP = '/usr/lib/x86_64-linux-gnu/rsyslog/imrelp.so';
const installed = existsSync(RSYSLOGD) && existsSync(IMRELP);
if (!installed) {
  console.warn(
    'SKIPPED spec/node/syslog/syslog-relp-rsyslog.spec.ts: rsyslog or its RELP input not installed: `apt-get install rsyslog rsyslog-relp` (CI installs them). SyslogSink’s RELP transport is not tested against a real rsyslogd.',
  );
}

/** Longest wait for rsyslogd to start or for lines to reach its output file, in milliseconds. */
const WAIT_MS = 15_000;
const pollUntil = poller({ waitMs: WAIT_MS, pollMs: 50 });

/** A real rsyslogd with imrelp on a port of its own, writing each message's MSG to a file. */
interface RelpDaemon {
  readonly port: number;
  /** The MSG of every message rsyslogd wrote, in order. */
  received(): string[];
  start(): void;
  stop(): Promise<void>;
  output(): string;
  remove(): Promise<void>;
}

async function relpDaemon(): Promise<RelpDaemon> {
  const dir = mkdtempSync(join(tmpdir(), 'rxlog-relp-'));
  const file = join(dir, 'out.log');
  const port = await freeTcpPort();
  const config = [
    `global(workDirectory="${dir}")`,
    'module(load="imrelp")',
    `input(type="imrelp" address="127.0.0.1" port="${port}")`,
    'template(name="rxlogMsg" type="string" string="%msg%\\n")',
    `*.* action(type="omfile" file="${file}" template="rxlogMsg")`,
  ];
  let daemon: Rsyslogd | undefined;
  const stop = async (): Promise<void> => {
    await daemon?.stop();
    daemon = undefined;
  };
  return {
    port,
    received: () =>
      existsSync(file)
        ? readFileSync(file, 'utf8')
            .split('\n')
            .filter((line) => line !== '')
        : [],
    start: () => {
      daemon = startRsyslogd(dir, config, WAIT_MS);
    },
    stop,
    output: () => daemon?.output() ?? '(not running)',
    remove: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

(installed ? describe : describe.skip)('SyslogSink over RELP with a real rsyslogd (imrelp)', () => {
  const run = `${process.pid}-${Date.now().toString(36)}`;
  let daemon: RelpDaemon;

  beforeEach(async () => {
    daemon = await relpDaemon();
    daemon.start();
    // Up once a probe is acknowledged (its sends fail, refused, until imrelp listens).
    const probe = new SyslogSink({ transport: 'relp', port: daemon.port, appName: 'probe' });
    await pollUntil(
      () =>
        probe.emit([makeEvent({ text: `probe ${run}` })]).then(
          () => true,
          () => undefined,
        ),
      () => `rsyslogd did not take a RELP session; its output:\n${daemon.output()}`,
    );
    await probe.close();
  }, 30_000);

  afterEach(async () => {
    await daemon.remove();
  });

  it('delivers every event exactly once (at least once after a session that broke), each counted delivered once acknowledged', async () => {
    const count = 300;
    const tag = `once ${run}`;
    const log = new LoggerConfiguration().writeTo // Batches larger than the window of 128 unacknowledged messages, and smaller ones.
      .sink(new SyslogSink({ transport: 'relp', port: daemon.port, appName: 'rxlog-relp' }), {
        batch: { size: 200, maxDelayMs: 20 },
      })
      .createLogger();
    for (let i = 0; i < count; i++) log.information('Event {I} of {Tag}', i, tag);
    const report = await log.close({ strategy: 'flush' });
    expect(report.sinks.syslog).toEqual({ delivered: count, dropped: 0, failed: 0, undelivered: 0 });

    // Acknowledged means rsyslogd has it: once the logger closed, wait only for its queue to write the file.
    const mine = await pollUntil(
      () => {
        const found = daemon.received().filter((line) => line.endsWith(` of ${tag}`));
        return found.length >= count ? found : undefined;
      },
      () => `rsyslogd wrote ${daemon.received().length} lines; its output:\n${daemon.output()}`,
    );
    expectEachOnceUnlessResent(
      mine,
      Array.from({ length: count }, (_, i) => `Event ${i} of ${tag}`),
      log.metrics().sinks.syslog.retried,
    );
  });

  it('loses nothing uncounted while rsyslogd is stopped and restarted between and during batches', async () => {
    const sink = new SyslogSink({ transport: 'relp', port: daemon.port, appName: 'rxlog-restart', connectTimeoutMs: 1_000 });
    await expectNothingLostAcrossRestarts(
      sink,
      {
        received: () => daemon.received(),
        output: () => daemon.output(),
        stop: () => daemon.stop(),
        restart: () => daemon.start(),
      },
      pollUntil,
      { tag: `restart ${run}`, rounds: 3, stopBetweenBatches: true },
    );
  }, 60_000);

  it('sends close and gets its answer, so rsyslogd sees a clean end of the session', async () => {
    const sink = new SyslogSink({ transport: 'relp', port: daemon.port, appName: 'rxlog-close' });
    await sink.emit([makeEvent({ text: `closing ${run}` })]);
    await sink.close();
    await expect(sink.emit([makeEvent({ text: 'late' })])).rejects.toMatchObject({ permanent: 'sink' });
    await pollUntil(
      () => (daemon.received().includes(`closing ${run}`) ? true : undefined),
      () => `the message did not reach rsyslogd; its output:\n${daemon.output()}`,
    );
    // librelp reports a session that ended without close as an error; a clean close says nothing.
    expect(daemon.output()).not.toMatch(/error|abort/i);
  });
});
