import { LoggerConfiguration, OtlpSink, SeqSink } from '../../../lib/index';
import { nodeHttpFetch } from '../../../lib/node/index';
import { cpuMsSince, nowNs, peakRssMiB } from '../support/clock';
import { ACTION, HOT_TEMPLATE, USERS } from '../support/hot-path-workload';
import { reportResult, runScenario } from '../support/report-result';
import { scenarioArgs } from '../support/scenario-args';
import { awaitEvents, startReceiver } from '../support/start-receiver';

// Scenario 11 (rxlog): N information() calls shipped over HTTP by OtlpSink or SeqSink (their
// default batching) to a receiver process on 127.0.0.1; end to end until the receiver has them all.
// `--transport fetch` uses the global fetch (undici in Node 20); `--transport node-http`
// passes rxlog/node's nodeHttpFetch (node:http with a keep-alive Agent) as the sink's fetch.
runScenario(async () => {
  const args = scenarioArgs();
  const n = args.number('n', 20_000);
  const kind = args.text('sink');
  const transport = args.text('transport');
  if (transport !== 'fetch' && transport !== 'node-http')
    throw new Error(`--transport: expected fetch or node-http, got ${transport}`);
  const fetch = transport === 'node-http' ? nodeHttpFetch : undefined;
  const receiver = await startReceiver();
  const sink =
    kind === 'otlp'
      ? new OtlpSink({ endpoint: `${receiver.url}/v1/logs`, serviceName: 'bench', fetch })
      : new SeqSink({ serverUrl: receiver.url, fetch });
  const log = new LoggerConfiguration().writeTo.sink(sink, { name: 'http', queue: { limit: n } }).createLogger();
  // Process CPU (all threads, so pino's worker too; the receiver is another process) over the measured span.
  const cpuStart = process.cpuUsage();
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
    cpuMs: cpuMsSince(cpuStart),
  });
});
