import { LoggerConfiguration, OtlpSink, SeqSink } from '../../../lib/index';
import { nowNs, peakRssMiB } from '../support/clock';
import { ACTION, HOT_TEMPLATE, USERS } from '../support/hot-path-workload';
import { reportResult, runScenario } from '../support/report-result';
import { scenarioArgs } from '../support/scenario-args';
import { awaitEvents, startReceiver } from '../support/start-receiver';

// Scenario 11 (rxlog): N information() calls shipped over HTTP by OtlpSink or SeqSink (their
// default batching) to a receiver process on 127.0.0.1; end to end until the receiver has them all.
runScenario(async () => {
  const args = scenarioArgs();
  const n = args.number('n', 20_000);
  const kind = args.text('sink');
  const receiver = await startReceiver();
  const sink =
    kind === 'otlp'
      ? new OtlpSink({ endpoint: `${receiver.url}/v1/logs`, serviceName: 'bench' })
      : new SeqSink({ serverUrl: receiver.url });
  const log = new LoggerConfiguration().writeTo.sink(sink, { name: 'http', queue: { limit: n } }).createLogger();
  const start = nowNs();
  for (let i = 0; i < n; i++) log.information(HOT_TEMPLATE, USERS[i & 7], ACTION);
  const loopEnd = nowNs();
  const report = await log.close({ strategy: 'flush' });
  const stats = await awaitEvents(receiver, n);
  const end = nowNs();
  receiver.stop();
  const sent = report.sinks.http;
  reportResult({
    callerNsPerCall: (loopEnd - start) / n,
    eventsPerSec: n / ((end - start) / 1e9),
    bytesPerEvent: stats.bodyBytes / Math.max(1, stats.events),
    requests: stats.requests,
    lost: n - stats.events,
    counted: sent.dropped + sent.failed + sent.undelivered,
    peakRssMiB: peakRssMiB(),
  });
});
