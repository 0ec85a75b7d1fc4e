import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LoggerConfiguration } from '../../../lib/configuration/logger-configuration';
import { SyslogSink } from '../../../lib/node/syslog/syslog-sink';
import { poller } from '../../helpers/poll-until';
import { collectSelfLog } from '../../helpers/self-log';
import { RSYSLOGD, type Rsyslogd, startRsyslogd } from './rsyslogd';

const installed = existsSync(RSYSLOGD);
if (!installed) {
  console.warn(
    'SKIPPED spec/node/syslog/syslog-unix-datagram.spec.ts: rsyslog not installed: `apt-get install rsyslog` (CI installs it).',
  );
}

const WAIT_MS = 15_000;
const pollUntil = poller({ waitMs: WAIT_MS, pollMs: 20 });

// `/dev/log` is a Unix datagram socket (rsyslog's imuxsock, systemd-journald's), the path most
// often given to transport 'unix', which connects a stream socket: every batch failed with
// "connect EPROTOTYPE", retried as if the receiver might come back, and nothing said why.
(installed ? describe : describe.skip)('SyslogSink to a Unix datagram socket (as /dev/log is)', () => {
  let dir: string;
  let socketPath: string;
  let daemon: Rsyslogd | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rxlog-unix-dgram-'));
    socketPath = join(dir, 'log');
    // rsyslogd's own /dev/log, made at a path of the test's own instead of the system's.
    daemon = startRsyslogd(
      dir,
      [
        `global(workDirectory="${dir}")`,
        'module(load="imuxsock" SysSock.Use="off")',
        `input(type="imuxsock" Socket="${socketPath}")`,
        `*.* action(type="omfile" file="${join(dir, 'out.log')}")`,
      ],
      WAIT_MS,
    );
    await pollUntil(
      () => (existsSync(socketPath) ? true : undefined),
      () => `rsyslogd made no socket at ${socketPath}; its output:\n${daemon?.output()}`,
    );
  }, 30_000);

  afterAll(async () => {
    await daemon?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('fails the batch as the sink’s (permanent), saying the path is a datagram socket Node cannot write to', async () => {
    const selfLog = collectSelfLog();
    const log = new LoggerConfiguration().writeTo
      .sink(new SyslogSink({ transport: 'unix', path: socketPath }), { batch: { size: 512, maxDelayMs: 1 } })
      .createLogger();
    try {
      log.information('Order {OrderId} paid', 7);
      await log.flush();
      const { lastError, retried } = log.metrics().sinks.syslog;
      const report = await log.close({ strategy: 'flush' });

      // Failed at once, not retried: the socket's type does not change between tries.
      expect(report.sinks.syslog).toEqual({ delivered: 0, dropped: 0, failed: 1, undelivered: 0 });
      expect(retried).toBe(0);
      expect(lastError).toContain(`SyslogSink: unix:${socketPath} is a Unix datagram socket (as /dev/log is)`);
      expect(lastError).toContain("transport 'udp'");
      const failures = selfLog.diagnostics.map((d) => d.message).filter((m) => m.includes('Sink syslog failed'));
      expect(failures).toEqual([expect.stringContaining(`unix:${socketPath} is a Unix datagram socket`)]);
    } finally {
      selfLog.stop();
    }
  });
});
