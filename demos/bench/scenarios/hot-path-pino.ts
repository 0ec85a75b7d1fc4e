import pino from 'pino';
import { nowNs } from '../support/clock';
import { ACTION, USERS } from '../support/hot-path-workload';
import { endPinoRun, pinoDestination } from '../support/pino-destination';
import { runScenario } from '../support/report-result';
import { scenarioArgs } from '../support/scenario-args';
import { waitForEvent } from '../support/wait-for-event';

// Scenario 1 (pino): N info() calls with the same two properties, then end the destination and fsync.
runScenario(async () => {
  const args = scenarioArgs();
  const n = args.number('n', 200_000);
  const file = args.text('file');
  const mode = args.text('mode');
  const dest = pinoDestination(mode, file);
  // Start-up (opening the file, starting the worker) is not timed, in pino's favour.
  if (mode === 'async' || mode === 'transport') await waitForEvent(dest, 'ready');
  const logger = pino(dest);
  const start = nowNs();
  for (let i = 0; i < n; i++) logger.info({ User: USERS[i & 7], Action: ACTION }, 'User did something');
  const loopEnd = nowNs();
  await endPinoRun(dest, file, n, start, loopEnd);
});
