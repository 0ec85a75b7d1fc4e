import winston from 'winston';
import { nowNs, peakRssMiB } from '../support/clock';
import { countLines, fsyncPath } from '../support/file-lines';
import { ACTION, hotPathResult, USERS } from '../support/hot-path-workload';
import { reportResult, runScenario } from '../support/report-result';
import { scenarioArgs } from '../support/scenario-args';
import { waitForEvent } from '../support/wait-for-event';

// Scenario 1 (winston): N info() calls into a File transport (JSON format), then end and fsync.
runScenario(async () => {
  const args = scenarioArgs();
  const n = args.number('n', 200_000);
  const file = args.text('file');
  const transport = new winston.transports.File({ filename: file });
  const logger = winston.createLogger({ level: 'info', format: winston.format.json(), transports: [transport] });
  const start = nowNs();
  for (let i = 0; i < n; i++) logger.info('User did something', { User: USERS[i & 7], Action: ACTION });
  const loopEnd = nowNs();
  // The transport finishes after the logger has passed it every event and its file stream has flushed.
  const finished = waitForEvent(transport, 'finish');
  logger.end();
  await finished;
  fsyncPath(file);
  const end = nowNs();
  reportResult({
    ...hotPathResult({ n, loopNs: loopEnd - start, endToEndNs: end - start, lines: countLines(file) }),
    peakRssMiB: peakRssMiB(),
  });
});
