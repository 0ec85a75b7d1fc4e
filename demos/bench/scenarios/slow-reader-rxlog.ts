import * as path from 'node:path';
import { LoggerConfiguration } from '../../../lib/index';
import { FileSink } from '../../../lib/node/file/file-sink';
import { msSince, nowNs, peakRssMiB } from '../support/clock';
import { runBurst } from '../support/burst-workload';
import { ACTION, HOT_TEMPLATE, USERS } from '../support/hot-path-workload';
import { reportResult, runScenario } from '../support/report-result';
import { scenarioArgs } from '../support/scenario-args';
import { openSlowFifo } from '../support/slow-fifo';

// Scenario 3 (rxlog): a burst into a FIFO whose reader drains 10 000 lines/s; --queue sets the queue limit.
runScenario(async () => {
  const args = scenarioArgs();
  const n = args.number('n', 100_000);
  const rate = args.number('rate', 10_000);
  // --queue 0: rxlog's default queue and batch options, untouched.
  const queueLimit = args.number('queue', 0);
  const maxMs = args.number('max-ms', 60_000);
  const fifo = openSlowFifo(path.join(__dirname, 'fifo-reader.js'), rate, maxMs);
  const log = new LoggerConfiguration().writeTo
    .sink(
      new FileSink(fifo.path),
      queueLimit === 0
        ? { name: 'file' }
        : {
            name: 'file',
            batch: { size: 512, maxDelayMs: 100 },
            // The byte bound is raised with the count so that the count is what binds.
            queue: { limit: queueLimit, limitBytes: Math.max(16 * 1024 * 1024, queueLimit * 1024) },
          },
    )
    .createLogger();
  const burst = runBurst(n, (i) => log.information(HOT_TEMPLATE, USERS[i & 7], ACTION));
  const closeStart = nowNs();
  const report = await log.close({ strategy: 'graceful', timeoutMs: maxMs });
  const closeMs = msSince(closeStart);
  const reader = await fifo.finished();
  const sink = report.sinks.file;
  reportResult({
    loopMs: burst.loopMs,
    longestCallMs: burst.longestCallMs,
    peakRssMiB: peakRssMiB(),
    delivered: reader.lines,
    dropped: sink.dropped,
    lost: n - reader.lines - sink.dropped,
    failed: sink.failed,
    undelivered: sink.undelivered,
    closeMs,
    queueLimit,
    readerTimedOut: reader.timedOut,
  });
});
