import pino from 'pino';
import { cpuMsSince, nowNs, peakRssMiB } from '../support/clock';
import { ACTION, USERS } from '../support/hot-path-workload';
import { reportResult, runScenario } from '../support/report-result';
import { scenarioArgs } from '../support/scenario-args';
import { awaitEvents, startReceiver } from '../support/start-receiver';
import { waitForEvent } from '../support/wait-for-event';

// Scenario 11 (pino): the same N calls through a worker transport that posts NDJSON batches of 512
// (support/pino-http-transport.mjs); end to end until the receiver has them all.
runScenario(async () => {
  const args = scenarioArgs();
  const n = args.number('n', 20_000);
  const transportPath = args.text('transport');
  const receiver = await startReceiver();
  const transport = pino.transport({ target: transportPath, options: { url: `${receiver.url}/ingest` } });
  await waitForEvent(transport, 'ready');
  const logger = pino(transport);
  // Process CPU (all threads, so pino's worker too; the receiver is another process) over the measured span.
  const cpuStart = process.cpuUsage();
  const start = nowNs();
  for (let i = 0; i < n; i++) logger.info({ User: USERS[i & 7], Action: ACTION }, 'User did something');
  const loopEnd = nowNs();
  const closed = waitForEvent(transport, 'close');
  transport.end();
  await closed;
  const stats = await awaitEvents(receiver, n);
  const end = nowNs();
  receiver.stop();
  reportResult({
    callerNsPerCall: (loopEnd - start) / n,
    eventsPerSec: n / ((end - start) / 1e9),
    bytesPerEvent: stats.bodyBytes / Math.max(1, stats.events),
    requests: stats.requests,
    lost: n - stats.events,
    peakRssMiB: peakRssMiB(),
    cpuMs: cpuMsSince(cpuStart),
  });
});
