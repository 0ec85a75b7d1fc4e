import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { cpuMsSince, nowNs, peakRssMiB } from '../support/clock';
import { ACTION, USERS } from '../support/hot-path-workload';
import { reportResult, runScenario } from '../support/report-result';
import { scenarioArgs } from '../support/scenario-args';
import { awaitEvents, startReceiver } from '../support/start-receiver';

// Scenario 11 (OpenTelemetry JS SDK): the same N records through a LoggerProvider with its batch
// processor (default options but a queue as large as N, as rxlog's run gets) and the OTLP/HTTP
// JSON exporter; end to end until the receiver has them all.
runScenario(async () => {
  const args = scenarioArgs();
  const n = args.number('n', 20_000);
  const receiver = await startReceiver();
  const exporter = new OTLPLogExporter({ url: `${receiver.url}/v1/logs` });
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': 'bench' }),
    processors: [new BatchLogRecordProcessor({ exporter, maxQueueSize: n })],
  });
  const logger = provider.getLogger('bench');
  // Process CPU (all threads, so pino's worker too; the receiver is another process) over the measured span.
  const cpuStart = process.cpuUsage();
  const start = nowNs();
  for (let i = 0; i < n; i++)
    logger.emit({
      severityNumber: SeverityNumber.INFO,
      severityText: 'INFO',
      body: `User ${USERS[i & 7]} did ${ACTION}`,
      attributes: { User: USERS[i & 7], Action: ACTION, 'message_template.text': 'User {User} did {Action}' },
    });
  const loopEnd = nowNs();
  await provider.shutdown();
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
