import { from, lastValueFrom, tap } from 'rxjs';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import type { LogEvent } from '../../lib/core/log-event';
import { metricsToPrometheus } from '../../lib/metrics/metrics-to-prometheus';
import { SinkMetricsRecorder } from '../../lib/metrics/sink-metrics-recorder';
import { tapMetrics } from '../../lib/operators/tap-metrics';
import { makeEvents } from '../helpers/events';
import { loggerMetrics } from '../helpers/logger-metrics';

// Two limits of the counters that docs/metrics.md states as decisions rather than fixes.
describe('counter limits', () => {
  it("reports a shared sink's whole bytesWritten in both loggers, and once through a wrapper", async () => {
    let bytes = 0;
    const shared = {
      emit(events: readonly LogEvent[]): void {
        bytes += 10 * events.length;
      },
      get bytesWritten(): number {
        return bytes;
      },
    };
    const first = new LoggerConfiguration().writeTo.sink(shared, { name: 'shared' }).createLogger();
    const second = new LoggerConfiguration().writeTo.sink(shared, { name: 'shared' }).createLogger();
    first.information('one');
    second.information('two');
    second.information('three');
    // The sink's own count, whoever wrote: 30 bytes in each; the event counts are each logger's.
    expect(first.metrics().sinks.shared).toMatchObject({ received: 1, delivered: 1, bytesWritten: 30 });
    expect(second.metrics().sinks.shared).toMatchObject({ received: 2, delivered: 2, bytesWritten: 30 });

    const third = new LoggerConfiguration().writeTo
      .sink({ emit: (events) => shared.emit(events) }, { name: 'shared' })
      .createLogger();
    third.information('four');
    expect(third.metrics().sinks.shared).toMatchObject({ received: 1, delivered: 1, bytesWritten: 0 });
    expect(first.metrics().sinks.shared.bytesWritten).toBe(40);
    await Promise.all([first.close(), second.close(), third.close()]);
  });

  it('stops a count that rises by one at 2^53, and never lowers it', async () => {
    const recorder = new SinkMetricsRecorder('far');
    recorder.received = Number.MAX_SAFE_INTEGER - 1;
    const seen: number[] = [];
    await lastValueFrom(
      from(makeEvents(3)).pipe(
        tapMetrics(recorder, 'received'),
        // Read after each event, as a scrape would.
        tap(() => seen.push(recorder.snapshot().received)),
      ),
    );
    expect(seen).toEqual([Number.MAX_SAFE_INTEGER, 2 ** 53, 2 ** 53]);
    // Written with every digit: a counter Prometheus reads back as it was.
    expect(metricsToPrometheus(loggerMetrics({ far: recorder.snapshot() }))).toContain(
      'rxlog_events_received_total{sink="far"} 9007199254740992\n',
    );
  });
});
