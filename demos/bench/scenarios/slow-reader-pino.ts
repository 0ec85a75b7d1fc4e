import * as path from 'node:path';
import pino from 'pino';
import { msSince, nowNs, peakRssMiB } from '../support/clock';
import { runBurst } from '../support/burst-workload';
import { ACTION, USERS } from '../support/hot-path-workload';
import { reportResult, runScenario } from '../support/report-result';
import { scenarioArgs } from '../support/scenario-args';
import { waitForEvent } from '../support/wait-for-event';
import { openSlowFifo } from '../support/slow-fifo';

// Scenario 3 (pino): the same burst into the same slow FIFO reader, with --mode async or transport.
runScenario(async () => {
  const args = scenarioArgs();
  const n = args.number('n', 100_000);
  const rate = args.number('rate', 10_000);
  const maxMs = args.number('max-ms', 60_000);
  const fifo = openSlowFifo(path.join(__dirname, 'fifo-reader.js'), rate, maxMs);
  const mode = args.text('mode');
  // sync: false (sonic-boom buffering in this thread), or the pino/file worker transport.
  const dest =
    mode === 'transport'
      ? pino.transport({ target: 'pino/file', options: { destination: fifo.path } })
      : pino.destination({ dest: fifo.path, sync: false });
  await waitForEvent(dest, 'ready');
  const logger = pino(dest);
  const burst = runBurst(n, (i) => logger.info({ User: USERS[i & 7], Action: ACTION }, 'User did something'));
  const closeStart = nowNs();
  const closed = waitForEvent(dest, 'close');
  dest.end();
  await closed;
  const closeMs = msSince(closeStart);
  const reader = await fifo.finished();
  reportResult({
    loopMs: burst.loopMs,
    longestCallMs: burst.longestCallMs,
    peakRssMiB: peakRssMiB(),
    delivered: reader.lines,
    dropped: 0,
    lost: n - reader.lines,
    closeMs,
    readerTimedOut: reader.timedOut,
  });
});
