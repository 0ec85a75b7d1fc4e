import type { LogEvent, Sink } from '../../../lib/index';
import { LoggerConfiguration } from '../../../lib/index';
import { reportResult, runScenario } from '../support/report-result';
import { scenarioArgs } from '../support/scenario-args';

/** A sink that throws until it is told it has recovered, and notes when it first delivers after that. */
class FlakySink implements Sink {
  failing = true;
  recoveredAt = 0;
  firstDeliveryAt = 0;
  delivered = 0;

  emit(events: readonly LogEvent[]): void {
    if (this.failing) throw new Error('sink down');
    this.delivered += events.length;
    if (this.firstDeliveryAt === 0) this.firstDeliveryAt = performance.now();
  }
}

// Scenario 6 (rxlog): default delivery options; a sink fails until its breaker opens, then
// recovers --offset ms later (0 = at once, the worst case); one event is logged every --every ms.
// Measures recovery → first delivered batch.
runScenario(async () => {
  const args = scenarioArgs();
  const offsetMs = args.number('offset', 0);
  const everyMs = args.number('every', 2);
  const maxMs = args.number('max-ms', 15_000);
  const sink = new FlakySink();
  const log = new LoggerConfiguration().writeTo.sink(sink, { name: 'flaky' }).createLogger();
  const started = performance.now();
  let openedAt = 0;
  let logged = 0;
  await new Promise<void>((resolve) => {
    const producer = setInterval(() => {
      log.information('Tick {Index}', logged++);
      const now = performance.now();
      if (openedAt === 0 && log.metrics().sinks.flaky.breaker === 'open') {
        openedAt = now;
        setTimeout(() => {
          sink.failing = false;
          sink.recoveredAt = performance.now();
        }, offsetMs);
      }
      if (sink.firstDeliveryAt !== 0 || now - started > maxMs) {
        clearInterval(producer);
        resolve();
      }
    }, everyMs);
  });
  const report = await log.close();
  if (sink.firstDeliveryAt === 0) throw new Error(`no delivery within ${maxMs} ms (breaker opened: ${openedAt !== 0})`);
  reportResult({
    recoveryMs: sink.firstDeliveryAt - sink.recoveredAt,
    openAfterMs: openedAt - started,
    offsetMs,
    failed: report.sinks.flaky.failed,
    delivered: report.sinks.flaky.delivered,
  });
});
