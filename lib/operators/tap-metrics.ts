import { type MonoTypeOperatorFunction, Observable, type SchedulerLike } from 'rxjs';
import type { LogEvent } from '../core/log-event';
import { unrefScheduler } from '../core/unref-scheduler';
import { ConfigurationError } from '../core/errors/configuration-error';
import type { SinkMetricsRecorder } from '../metrics/sink-metrics-recorder';
import { describeOption } from './operator-options';

/** The counters `tapMetrics` can bump. */
export type TappedCounter = 'received' | 'delivered' | 'dropped' | 'failed';

const COUNTERS: readonly TappedCounter[] = ['received', 'delivered', 'dropped', 'failed'];

/** What else `tapMetrics` measures. */
export interface TapMetricsOptions {
  /** Also record each event's age (scheduler time minus `event.timestamp`) into the recorder's latency histogram. Default `false`. */
  latency?: boolean;
}

/**
 * Counts what passes into one of a `SinkMetricsRecorder`'s counters, without changing the
 * stream: an event counts 1, a batch (an array of events) counts its length. With
 * `{ latency: true }` it also records each event's age at this point. Allocates nothing per event.
 *
 * @param scheduler The clock for ages. Default `unrefScheduler`.
 * @throws ConfigurationError when `recorder` is not a SinkMetricsRecorder or `counter` is not one of its counters.
 * @example
 * const recorder = new SinkMetricsRecorder('audit');
 * events$.pipe(tapMetrics(recorder, 'received'), batchEvents(), tapMetrics(recorder, 'delivered', { latency: true }))
 */
export function tapMetrics<T extends LogEvent | readonly LogEvent[]>(
  recorder: SinkMetricsRecorder,
  counter: TappedCounter,
  options: TapMetricsOptions = {},
  scheduler: SchedulerLike = unrefScheduler,
): MonoTypeOperatorFunction<T> {
  if (typeof recorder !== 'object' || (recorder as unknown) === null || typeof (recorder.latency as unknown) !== 'object')
    throw new ConfigurationError(`tapMetrics: expected a SinkMetricsRecorder, got ${describeOption(recorder)}`);
  // An unknown name would count into a new property of the recorder, NaN after the first event.
  if (!COUNTERS.includes(counter))
    throw new ConfigurationError(`tapMetrics: counter: expected one of ${COUNTERS.join(', ')}, got ${describeOption(counter)}`);
  const latency = options.latency === true;
  return (source) =>
    new Observable<T>((subscriber) =>
      source.subscribe({
        next: (value) => {
          // Shaped for the hot path: a field increment, and the clock only when asked for.
          if (isBatch(value)) {
            recorder[counter] += value.length;
            if (latency) {
              const now = scheduler.now();
              for (let index = 0; index < value.length; index++) recorder.latency.record(now - value[index].timestamp.getTime());
            }
          } else {
            recorder[counter]++;
            if (latency) recorder.latency.record(scheduler.now() - value.timestamp.getTime());
          }
          subscriber.next(value);
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      }),
    );
}

function isBatch(value: LogEvent | readonly LogEvent[]): value is readonly LogEvent[] {
  return Array.isArray(value);
}
