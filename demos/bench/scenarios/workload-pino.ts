import pino from 'pino';
import { AsyncLocalStorage } from 'node:async_hooks';
import { nowNs } from '../support/clock';
import { endPinoRun } from '../support/pino-destination';
import { runScenario } from '../support/report-result';
import { ORDERS, REDACT_PATHS, REDACT_VALUES, makeError } from '../support/rich-workloads';
import { scenarioArgs } from '../support/scenario-args';

// Scenarios 7–10 and 16 (pino): the same work as workload-rxlog through pino's default (synchronous)
// destination: `{ order }` objects, a child with bindings plus a mixin reading AsyncLocalStorage,
// the `err` serializer, `redact` with the same five paths, and an interpolated message. `--min-length 4096` gives the
// destination a write buffer (pino's own benchmarks' `PinoMinLength`), still synchronous: one
// `writeSync` per 4 KiB, as rxlog's FileSink writes one batch with one `writeSync`.
runScenario(async () => {
  const args = scenarioArgs();
  const n = args.number('n', 100_000);
  const file = args.text('file');
  const workload = args.text('workload');
  const dest = pino.destination({ dest: file, sync: true, minLength: args.number('min-length', 0) });
  const storage = new AsyncLocalStorage<Record<string, unknown>>();
  const options: pino.LoggerOptions = {};
  if (workload === 'child') {
    options.base = { Service: 'orders' };
    options.mixin = () => ({ Region: 'eu-north-1', ...storage.getStore() });
  }
  if (workload === 'redact') options.redact = [...REDACT_PATHS];
  const logger = pino(options, dest);
  const error = makeError();
  let start = 0;
  let loopEnd = 0;
  switch (workload) {
    case 'object':
      start = nowNs();
      for (let i = 0; i < n; i++) logger.info({ Order: ORDERS[i & 7] }, 'Order placed');
      loopEnd = nowNs();
      break;
    case 'child': {
      const child = logger.child({ RequestId: 'r-7', UserId: 42, Tenant: 'acme', Route: '/orders' });
      storage.run({ CorrelationId: 'c-1' }, () => {
        start = nowNs();
        for (let i = 0; i < n; i++) child.info({ OrderId: i }, 'Order placed');
        loopEnd = nowNs();
      });
      break;
    }
    case 'error':
      start = nowNs();
      for (let i = 0; i < n; i++) logger.error({ err: error, PaymentId: i }, 'Payment failed');
      loopEnd = nowNs();
      break;
    case 'redact':
      start = nowNs();
      for (let i = 0; i < n; i++) logger.info({ ...REDACT_VALUES, Attempt: i }, 'Signed in');
      loopEnd = nowNs();
      break;
    case 'interpolated':
      // pino parses no template: the interpolated message is its msg.
      start = nowNs();
      for (let i = 0; i < n; i++) logger.info(`User ${i} did login`);
      loopEnd = nowNs();
      break;
    default:
      throw new Error(`unknown workload ${workload}`);
  }
  await endPinoRun(dest, file, n, start, loopEnd);
});
