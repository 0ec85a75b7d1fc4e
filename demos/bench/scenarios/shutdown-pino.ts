import pino from 'pino';
import { msSince, nowNs } from '../support/clock';
import { countLines } from '../support/file-lines';
import { ACTION, USERS } from '../support/hot-path-workload';
import { reportResult, runScenario } from '../support/report-result';
import { scenarioArgs } from '../support/scenario-args';
import { waitForEvent } from '../support/wait-for-event';

// Scenario 5 (pino sync: false): end() the destination with --n events just logged (sonic-boom fsyncs on end).
runScenario(async () => {
  const args = scenarioArgs();
  const n = args.number('n', 10_000);
  const file = args.text('file');
  const dest = pino.destination({ dest: file, sync: false });
  await waitForEvent(dest, 'ready');
  const logger = pino(dest);
  for (let i = 0; i < n; i++) logger.info({ User: USERS[i & 7], Action: ACTION }, 'User did something');
  const start = nowNs();
  const closed = waitForEvent(dest, 'close');
  dest.end();
  await closed;
  const closeMs = msSince(start);
  reportResult({ closeMs, lostLines: n - countLines(file) });
});
