import { Log, LoggerConfiguration } from '../../../lib/index';
import { nowNs } from '../support/clock';
import { reportResult, runScenario } from '../support/report-result';
import { scenarioArgs } from '../support/scenario-args';
import { fastestNsPerCall, METHOD_ROUNDS } from '../support/method-rounds';

// Scenario 13 (rxlog): each level method, the aliases beside their canonical twins, below the
// minimum level (error), on a logger and through the Log facade. One process times every method
// in rounds whose order rotates, so the pairs are compared on the same warm process and clock.
// Each method has its own loop function: one shared loop would make its call site polymorphic.
runScenario(async () => {
  const n = scenarioArgs().number('n', 10_000_000);
  let written = 0;
  const log = new LoggerConfiguration().minimumLevel
    .error()
    .writeTo.sink({ emit: (events) => void (written += events.length) })
    .createLogger();
  Log.logger = log;
  const time = (loop: (count: number) => void): number => {
    const start = nowNs();
    loop(n);
    return (nowNs() - start) / n;
  };
  const loops: Record<string, (count: number) => void> = {
    verboseNs: (count) => {
      for (let i = 0; i < count; i++) log.verbose('User {User} did {Action}', i, 'login');
    },
    traceNs: (count) => {
      for (let i = 0; i < count; i++) log.trace('User {User} did {Action}', i, 'login');
    },
    informationNs: (count) => {
      for (let i = 0; i < count; i++) log.information('User {User} did {Action}', i, 'login');
    },
    infoNs: (count) => {
      for (let i = 0; i < count; i++) log.info('User {User} did {Action}', i, 'login');
    },
    warningNs: (count) => {
      for (let i = 0; i < count; i++) log.warning('User {User} did {Action}', i, 'login');
    },
    warnNs: (count) => {
      for (let i = 0; i < count; i++) log.warn('User {User} did {Action}', i, 'login');
    },
    facadeVerboseNs: (count) => {
      for (let i = 0; i < count; i++) Log.verbose('User {User} did {Action}', i, 'login');
    },
    facadeTraceNs: (count) => {
      for (let i = 0; i < count; i++) Log.trace('User {User} did {Action}', i, 'login');
    },
    facadeInformationNs: (count) => {
      for (let i = 0; i < count; i++) Log.information('User {User} did {Action}', i, 'login');
    },
    facadeInfoNs: (count) => {
      for (let i = 0; i < count; i++) Log.info('User {User} did {Action}', i, 'login');
    },
    facadeWarningNs: (count) => {
      for (let i = 0; i < count; i++) Log.warning('User {User} did {Action}', i, 'login');
    },
    facadeWarnNs: (count) => {
      for (let i = 0; i < count; i++) Log.warn('User {User} did {Action}', i, 'login');
    },
  };
  const result = fastestNsPerCall(loops, METHOD_ROUNDS, time);
  await Log.closeAndFlush();
  reportResult({ ...result, written });
});
