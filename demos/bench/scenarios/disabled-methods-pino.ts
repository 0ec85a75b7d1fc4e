import pino from 'pino';
import { nowNs } from '../support/clock';
import { reportResult, runScenario } from '../support/report-result';
import { scenarioArgs } from '../support/scenario-args';
import { fastestNsPerCall, METHOD_ROUNDS } from '../support/method-rounds';

// Scenario 13 (pino): trace(), info() and warn() at level error, timed in rotating rounds in one
// process as rxlog's are, each in its own loop function.
runScenario(() => {
  const n = scenarioArgs().number('n', 10_000_000);
  let written = 0;
  const logger = pino({ level: 'error' }, { write: () => void written++ });
  const time = (loop: (count: number) => void): number => {
    const start = nowNs();
    loop(n);
    return (nowNs() - start) / n;
  };
  const loops: Record<string, (count: number) => void> = {
    traceNs: (count) => {
      for (let i = 0; i < count; i++) logger.trace({ User: i, Action: 'login' }, 'User did something');
    },
    infoNs: (count) => {
      for (let i = 0; i < count; i++) logger.info({ User: i, Action: 'login' }, 'User did something');
    },
    warnNs: (count) => {
      for (let i = 0; i < count; i++) logger.warn({ User: i, Action: 'login' }, 'User did something');
    },
  };
  reportResult({ ...fastestNsPerCall(loops, METHOD_ROUNDS, time), written });
});
