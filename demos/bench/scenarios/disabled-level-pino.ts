import pino from 'pino';
import { nowNs } from '../support/clock';
import { reportResult, runScenario } from '../support/report-result';
import { scenarioArgs } from '../support/scenario-args';

// Scenario 2 (pino): debug() calls at level info, into a counting destination.
runScenario(() => {
  const n = scenarioArgs().number('n', 10_000_000);
  let written = 0;
  const logger = pino({ level: 'info' }, { write: () => void written++ });
  const start = nowNs();
  for (let i = 0; i < n; i++) logger.debug({ User: i, Action: 'login' }, 'User did something');
  const elapsed = nowNs() - start;
  reportResult({ nsPerCall: elapsed / n, written });
});
