import { type MonoTypeOperatorFunction, Observable, type SchedulerLike } from 'rxjs';
import type { LogEvent } from '../core/log-event';
import { unrefScheduler } from '../core/unref-scheduler';
import { injectScheduler } from './event-accounting';
import { ConfigurationError } from '../core/errors/configuration-error';
import { readGuarded } from '../core/read-options';
import { SelfLog } from '../core/self-log';
import type { SinkMetricsRecorder } from '../metrics/sink-metrics-recorder';
import { eventTimeMs } from '../templates/log-event-record';
import { checkScheduler, describeOption, isArrayOption, optionsObject, snapshotOptions } from './operator-options';
import { checkOptionKeys } from '../core/check-option-keys';
import { subscribeUpstream } from './subscribe-upstream';

/** The counters `tapMetrics` can bump. */
export type TappedCounter = 'received' | 'delivered' | 'dropped' | 'failed';

const COUNTERS: readonly TappedCounter[] = ['received', 'delivered', 'dropped', 'failed'];

/** What else `tapMetrics` measures. */
export interface TapMetricsOptions {
  /**
   * Also record each event's age (scheduler time minus `event.timestamp`, or the `timeMs` an app
   * operator's spread copy of an event keeps), in milliseconds, into
   * the recorder's latency histogram. A timestamp ahead of the scheduler's clock (a logger on a
   * virtual clock stamps its events with `Date.now()`; a skewed client) is an age of 0, as the
   * histogram counts a clock that stepped back. An event whose age cannot be measured (no
   * timestamp, not a Date, an invalid Date) is still counted but records no latency.
   * Default `false`; anything but a boolean is refused when the operator is built.
   */
  latency?: boolean | undefined;
}

/**
 * An event's age at `now`, in milliseconds (0 for a timestamp ahead of `now`), or undefined when it
 * has none worth recording: no timestamp, one that is not a Date or is invalid (NaN), or an
 * infinite one. Never throws (a null event, a throwing getter).
 */
function ageOf(event: unknown, now: number): number | undefined {
  let age: number;
  try {
    age = now - eventTimeMs(event as LogEvent);
  } catch {
    return undefined;
  }
  // A timestamp from another clock than the scheduler's (the logger stamps events with Date.now(),
  // whatever its scheduler) is ahead of a virtual one: age 0, still recorded. NaN fails both tests.
  return age < Number.POSITIVE_INFINITY && age > Number.NEGATIVE_INFINITY ? Math.max(0, age) : undefined;
}

/**
 * Counts what passes into one of a `SinkMetricsRecorder`'s counters, without changing the
 * stream: an event counts 1, a batch (an array of events) counts its length. It keeps the
 * recorder's `pending` too (what `received` counted and `delivered`, `dropped` or `failed` has not
 * yet, never below 0), so a snapshot balances: `received = delivered + dropped + failed + pending`. With
 * `{ latency: true }` it also records each event's age at this point; an event with no usable
 * timestamp (missing or invalid) is counted, passed on unchanged and records no latency, and
 * SelfLog is told once per operator; one ahead of the scheduler's clock is an age of 0. Allocates
 * nothing per event.
 *
 * @param scheduler The clock for ages. Default: given none, the scheduler of the logger whose pipeline subscribes it (`useScheduler`), read at subscribe; outside a logger, `unrefScheduler`.
 * @throws ConfigurationError when `recorder` is not a SinkMetricsRecorder, `counter` is not one of its counters, or `options` is not an object of known options.
 * @example
 * const recorder = new SinkMetricsRecorder('audit');
 * events$.pipe(tapMetrics(recorder, 'received'), batchEvents(), tapMetrics(recorder, 'delivered', { latency: true }))
 */
export function tapMetrics<T extends LogEvent | readonly LogEvent[]>(
  recorder: SinkMetricsRecorder,
  counter: TappedCounter,
  options: TapMetricsOptions = {},
  scheduler?: SchedulerLike,
): MonoTypeOperatorFunction<T> {
  const isRecorder = (): boolean =>
    typeof recorder === 'object' && (recorder as unknown) !== null && typeof (recorder.latency as unknown) === 'object';
  if (!readGuarded('tapMetrics', 'the recorder', isRecorder))
    throw new ConfigurationError(`tapMetrics: expected a SinkMetricsRecorder, got ${describeOption(recorder)}`);
  // An unknown name would count into a new property of the recorder, NaN after the first event.
  if (!COUNTERS.includes(counter))
    throw new ConfigurationError(`tapMetrics: counter: expected one of ${COUNTERS.join(', ')}, got ${describeOption(counter)}`);
  const given = snapshotOptions(optionsObject(options, 'tapMetrics'), 'tapMetrics', ['latency']);
  checkOptionKeys('tapMetrics', given, ['latency']);
  // A truthy 'yes' or 1 would otherwise mean false: no latency recorded, and nothing said.
  if (given.latency !== undefined && typeof given.latency !== 'boolean')
    throw new ConfigurationError(`tapMetrics: latency: expected true or false, got ${describeOption(given.latency)}`);
  const latency = given.latency === true;
  if (scheduler !== undefined) checkScheduler('tapMetrics', scheduler);
  // 'received' adds to what is pending; the other counters settle it.
  const pendingStep = counter === 'received' ? 1 : -1;
  let toldUnmeasurable = false;
  const record = (event: unknown, now: number): void => {
    const age = ageOf(event, now);
    if (age !== undefined) {
      recorder.latency.record(age);
    } else if (!toldUnmeasurable) {
      toldUnmeasurable = true;
      SelfLog.write(
        'tapMetrics: an event of {Sink} has no usable timestamp (missing or invalid); its latency is not recorded (told once)',
        recorder.name,
      );
    }
  };
  return (source) =>
    new Observable<T>((subscriber) => {
      // Given none: the logger's scheduler when a logger's pipeline subscribes it (useScheduler), else the default.
      const clock = scheduler ?? injectScheduler(unrefScheduler);
      subscribeUpstream(source, subscriber, {
        next: (value) => {
          // Shaped for the hot path: a field increment, and the clock only when asked for.
          if (isBatch(value)) {
            recorder[counter] += value.length;
            recorder.pending = Math.max(0, recorder.pending + pendingStep * value.length);
            if (latency) {
              const now = clock.now();
              for (let index = 0; index < value.length; index++) record(value[index], now);
            }
          } else {
            recorder[counter]++;
            recorder.pending = Math.max(0, recorder.pending + pendingStep);
            if (latency) record(value, clock.now());
          }
          subscriber.next(value);
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });
    });
}

function isBatch(value: LogEvent | readonly LogEvent[]): value is readonly LogEvent[] {
  // Never throws: a revoked Proxy (an app operator's) counts as one event, not as a failed stream.
  return isArrayOption(value);
}
