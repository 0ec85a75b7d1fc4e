import pino from 'pino';
import { nowNs } from '../support/clock';
import { ACTION, USERS } from '../support/hot-path-workload';
import { endPinoRun, pinoDestination } from '../support/pino-destination';
import { runScenario } from '../support/report-result';
import { scenarioArgs } from '../support/scenario-args';
import { waitForEvent } from '../support/wait-for-event';

// Scenarios 14 and 15 (pino), its basic benchmark: N info('hello world') calls (--to file), or N
// calls with the hot path's two properties into a Node fs.WriteStream (--to stream); then end
// the destination and fsync.
runScenario(async () => {
  const args = scenarioArgs();
  const n = args.number('n', 200_000);
  const file = args.text('file');
  const to = args.text('to');
  const mode = args.text('mode');
  const dest = pinoDestination(mode, file);
  if (mode === 'stream') await waitForEvent(dest, 'ready');
  const logger = pino(dest);
  const start = nowNs();
  if (to === 'file') for (let i = 0; i < n; i++) logger.info('hello world');
  else for (let i = 0; i < n; i++) logger.info({ User: USERS[i & 7], Action: ACTION }, 'User did something');
  const loopEnd = nowNs();
  await endPinoRun(dest, file, n, start, loopEnd);
});
