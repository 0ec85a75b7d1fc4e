import { LoggerConfiguration, LogContext } from '../../../lib/index';
import { FileSink } from '../../../lib/node/file/file-sink';
import { useAsyncLocalStorage } from '../../../lib/node/use-async-local-storage';
import { nowNs } from '../support/clock';
import { reportFileRun } from '../support/file-run';
import { runScenario } from '../support/report-result';
import { ORDERS, REDACT_PATHS, REDACT_VALUES, makeError } from '../support/rich-workloads';
import { scenarioArgs } from '../support/scenario-args';

// Scenarios 7–10 and 16 (rxlog): N calls of a richer workload into a FileSink, then close and fsync.
runScenario(async () => {
  const args = scenarioArgs();
  const n = args.number('n', 100_000);
  const file = args.text('file');
  const workload = args.text('workload');
  const configuration = new LoggerConfiguration();
  if (workload === 'child') {
    useAsyncLocalStorage();
    configuration.enrich.fromLogContext();
    configuration.enrich.withProperty('Service', 'orders');
    configuration.enrich.with(() => ({ Region: 'eu-north-1' }));
  }
  if (workload === 'redact') configuration.destructure.redact({ paths: [...REDACT_PATHS] });
  // --batch N: the FileSink's batch size instead of its default (512), for profiling by hand.
  const batchSize = args.number('batch', 0);
  const batch = batchSize === 0 ? undefined : { size: batchSize, maxDelayMs: 100 };
  const log = configuration.writeTo.sink(new FileSink(file), { name: 'file', batch }).createLogger();
  const error = makeError();
  let start = 0;
  let loopEnd = 0;
  switch (workload) {
    case 'object':
      start = nowNs();
      for (let i = 0; i < n; i++) log.information('Order {@Order} placed', ORDERS[i & 7]);
      loopEnd = nowNs();
      break;
    case 'child': {
      const child = log.child({ RequestId: 'r-7', UserId: 42, Tenant: 'acme', Route: '/orders' });
      LogContext.run({ CorrelationId: 'c-1' }, () => {
        start = nowNs();
        for (let i = 0; i < n; i++) child.information('Order {OrderId} placed', i);
        loopEnd = nowNs();
      });
      break;
    }
    case 'error':
      start = nowNs();
      for (let i = 0; i < n; i++) log.error(error, 'Payment {PaymentId} failed', i);
      loopEnd = nowNs();
      break;
    case 'redact':
      start = nowNs();
      for (let i = 0; i < n; i++)
        log.information(
          'Signed in {@User} {@Headers} {@Card} {Attempt}',
          REDACT_VALUES.User,
          REDACT_VALUES.Headers,
          REDACT_VALUES.Card,
          i,
        );
      loopEnd = nowNs();
      break;
    case 'interpolated':
      // A template text new on every call, as an app that builds its message by interpolation logs it.
      start = nowNs();
      for (let i = 0; i < n; i++) log.information(`User ${i} did {Action}`, 'login');
      loopEnd = nowNs();
      break;
    case 'holes':
      // The same event as 'interpolated', written as the docs advise: the varying part in a hole.
      start = nowNs();
      for (let i = 0; i < n; i++) log.information('User {User} did {Action}', i, 'login');
      loopEnd = nowNs();
      break;
    default:
      throw new Error(`unknown workload ${workload}`);
  }
  const report = await log.close({ strategy: 'flush' });
  reportFileRun(file, n, start, loopEnd, report.sinks.file);
});
