import type { LogEvent, Sink } from '../../../lib/index';
import { LoggerConfiguration } from '../../../lib/index';
import { FileSink } from '../../../lib/node/file/file-sink';
import { msSince, nowNs } from '../support/clock';
import { countLines } from '../support/file-lines';
import { ACTION, HOT_TEMPLATE, USERS } from '../support/hot-path-workload';
import { reportResult, runScenario } from '../support/report-result';
import { scenarioArgs } from '../support/scenario-args';

/** A FileSink seen through an asynchronous `emit` only, so batches wait in the stage's queue behind one in flight. */
class AsyncFileSink implements Sink {
  constructor(private readonly file: FileSink) {}

  async emit(events: readonly LogEvent[]): Promise<void> {
    await Promise.resolve();
    await this.file.emit(events);
  }

  close(): void | Promise<void> {
    return this.file.close();
  }
}

// Scenario 5 (rxlog): close() (graceful, the default) with --n events waiting for a file, fsync on.
// --mode open-batch: all of them in the open batch (batch size above n, age 60 s), written by close.
// --mode queued: the sink only has an async emit, so they wait in the bounded queue, 512 a batch.
runScenario(async () => {
  const args = scenarioArgs();
  const n = args.number('n', 10_000);
  const file = args.text('file');
  const mode = args.text('mode');
  const fileSink = new FileSink(file, { fsync: true });
  const configuration = new LoggerConfiguration();
  const log = (
    mode === 'queued'
      ? configuration.writeTo.sink(new AsyncFileSink(fileSink), { name: 'file', batch: { size: 512, maxDelayMs: 60_000 } })
      : configuration.writeTo.sink(fileSink, { name: 'file', batch: { size: n * 2, maxDelayMs: 60_000 } })
  ).createLogger();
  for (let i = 0; i < n; i++) log.information(HOT_TEMPLATE, USERS[i & 7], ACTION);
  const pendingAtClose = log.metrics().sinks.file.pending;
  const start = nowNs();
  const report = await log.close();
  const closeMs = msSince(start);
  reportResult({ closeMs, pendingAtClose, lostLines: n - countLines(file), timedOut: report.timedOut });
});
