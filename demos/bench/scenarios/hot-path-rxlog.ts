import { LoggerConfiguration } from '../../../lib/index';
import { FileSink } from '../../../lib/node/file/file-sink';
import { nowNs } from '../support/clock';
import { reportFileRun } from '../support/file-run';
import { ACTION, HOT_TEMPLATE, USERS } from '../support/hot-path-workload';
import { runScenario } from '../support/report-result';
import { scenarioArgs } from '../support/scenario-args';

// Scenario 1 (rxlog): N information() calls into a FileSink batched 512 / 100 ms, then close and fsync.
runScenario(async () => {
  const args = scenarioArgs();
  const n = args.number('n', 200_000);
  const file = args.text('file');
  const batchSize = args.number('batch', 512);
  const log = new LoggerConfiguration().writeTo
    .sink(new FileSink(file), { name: 'file', batch: { size: batchSize, maxDelayMs: 100 } })
    .createLogger();
  const start = nowNs();
  for (let i = 0; i < n; i++) log.information(HOT_TEMPLATE, USERS[i & 7], ACTION);
  const loopEnd = nowNs();
  const report = await log.close({ strategy: 'flush' });
  reportFileRun(file, n, start, loopEnd, report.sinks.file);
});
