import { Writable } from 'node:stream';
import winston from 'winston';
import { nowNs } from '../support/clock';
import { reportResult, runScenario } from '../support/report-result';
import { scenarioArgs } from '../support/scenario-args';

// Scenario 2 (winston): debug() calls at level info, into a counting stream.
runScenario(() => {
  const n = scenarioArgs().number('n', 10_000_000);
  let written = 0;
  const stream = new Writable({
    objectMode: true,
    write: (_chunk, _encoding, done) => {
      written++;
      done();
    },
  });
  const logger = winston.createLogger({ level: 'info', transports: [new winston.transports.Stream({ stream })] });
  const start = nowNs();
  for (let i = 0; i < n; i++) logger.debug('User did something', { User: i, Action: 'login' });
  const elapsed = nowNs() - start;
  reportResult({ nsPerCall: elapsed / n, written });
});
