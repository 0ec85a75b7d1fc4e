import { tap } from 'rxjs';
import { LoggerConfiguration, type LoggerMetrics, type SinkOptions } from '../../../lib/index';
import { FileSink } from '../../../lib/node/file/file-sink';
import { nowNs } from '../support/clock';
import { countLines, fsyncPath } from '../support/file-lines';
import { ACTION, HOT_TEMPLATE, hotPathResult, USERS } from '../support/hot-path-workload';
import { reportResult, runScenario } from '../support/report-result';
import { scenarioArgs } from '../support/scenario-args';

/** How often the "on" variant reads a snapshot inside the loop, in calls. */
const SNAPSHOT_EVERY = 10_000;

// Scenario 4 (rxlog): the scenario 1 workload with or without metrics consumers (--metrics).
// The built-in counters cannot be turned off (there is no switch), so the variants add what a
// user watching metrics adds. `off`: nothing. `on`: a metrics$ subscription (every 10 ms) and a
// metrics() snapshot every 10 000 calls, as a scraper under load would take. `on+tap`: also a
// counting tap() on the sink's lane, the shape a per-stage tapMetrics operator would have.
runScenario(async () => {
  const args = scenarioArgs();
  const n = args.number('n', 500_000);
  const file = args.text('file');
  const mode = args.text('metrics');
  if (mode !== 'off' && mode !== 'on' && mode !== 'on+tap') throw new Error(`--metrics: expected off, on or on+tap, got ${mode}`);
  const on = mode !== 'off';
  let tapped = 0;
  const options: SinkOptions = { name: 'file', batch: { size: 512, maxDelayMs: 100 } };
  if (mode === 'on+tap') options.pipe = [tap(() => void tapped++)];
  const log = new LoggerConfiguration().writeTo.sink(new FileSink(file), options).createLogger();
  let snapshots = 0;
  let last: LoggerMetrics | undefined;
  const subscription = on ? log.metricsEvery(10).subscribe((metrics) => (last = metrics)) : undefined;
  const start = nowNs();
  for (let i = 0; i < n; i++) {
    log.information(HOT_TEMPLATE, USERS[i & 7], ACTION);
    if (on && i % SNAPSHOT_EVERY === 0) {
      last = log.metrics();
      snapshots++;
    }
  }
  const loopEnd = nowNs();
  await log.close({ strategy: 'flush' });
  fsyncPath(file);
  const end = nowNs();
  subscription?.unsubscribe();
  reportResult({
    ...hotPathResult({ n, loopNs: loopEnd - start, endToEndNs: end - start, lines: countLines(file) }),
    tapped,
    snapshots,
    lastLogged: last?.logged ?? 0,
  });
});
