import { LoggerConfiguration } from '../../../lib/index';
import { nowNs } from '../support/clock';
import { reportResult, runScenario } from '../support/report-result';
import { scenarioArgs } from '../support/scenario-args';

// Scenario 2 (rxlog): debug() calls below the minimum level (information); nothing may be written.
runScenario(async () => {
  const n = scenarioArgs().number('n', 10_000_000);
  let written = 0;
  const log = new LoggerConfiguration().minimumLevel
    .information()
    .writeTo.sink({ emit: (events) => void (written += events.length) })
    .createLogger();
  const start = nowNs();
  for (let i = 0; i < n; i++) log.debug('User {User} did {Action}', i, 'login');
  const elapsed = nowNs() - start;
  await log.close();
  reportResult({ nsPerCall: elapsed / n, written });
});
