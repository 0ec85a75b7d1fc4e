import { Observable, type OperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';
import type { LogEvent } from '../core/log-event';
import { unrefScheduler } from '../core/unref-scheduler';
import { injectScheduler } from './event-accounting';
import { checkOptionKeys } from '../core/check-option-keys';
import { checkScheduler, snapshotOptions } from './operator-options';
import { type BatchOptions, resolveBatchOptions } from './batch-options';
import { subscribeUpstream } from './subscribe-upstream';

// The options live in their own module, free of RxJS, so the logger's delivery stage can read
// them without pulling this operator's imports into a bundle that does not use the operator.
export { type BatchOptions, type ResolvedBatchOptions, resolveBatchOptions } from './batch-options';

/**
 * Groups events into batches: a batch goes out synchronously when it reaches `size` (like
 * `bufferCount`), or when its first event is `maxDelayMs` old, whichever comes first. The age
 * timer is armed by a batch's first event, not a free-running interval, so an idle stream
 * schedules nothing and no empty batch is ever emitted. On completion the partial batch is
 * emitted, then completion; on error the partial batch is emitted, then the error (a logging
 * pipeline should not lose events it already holds).
 *
 * @param scheduler Runs the age timer. Default: given none, the scheduler of the logger whose pipeline subscribes it (`useScheduler`), read at subscribe; outside a logger, `unrefScheduler` (never keeps a Node process alive).
 * @example events$.pipe(batchEvents({ size: 100, maxDelayMs: 50 })).subscribe((batch) => sink.emit(batch));
 */
export function batchEvents(options: BatchOptions = {}, scheduler?: SchedulerLike): OperatorFunction<LogEvent, LogEvent[]> {
  const given = snapshotOptions(options, 'batchEvents', ['size', 'maxDelayMs']);
  const { size, maxDelayMs } = resolveBatchOptions(given, 'batchEvents');
  checkOptionKeys('batchEvents', given, ['size', 'maxDelayMs']);
  if (scheduler !== undefined) checkScheduler('batchEvents', scheduler);
  return (source) =>
    new Observable<LogEvent[]>((subscriber) => {
      // Given none: the logger's scheduler when a logger's pipeline subscribes it (useScheduler), else the default.
      const clock = scheduler ?? injectScheduler(unrefScheduler);
      let batch: LogEvent[] = [];
      let timer: Subscription | undefined;

      const emitBatch = (): void => {
        timer?.unsubscribe();
        timer = undefined;
        if (batch.length === 0) return;
        const full = batch;
        batch = [];
        subscriber.next(full);
      };

      subscribeUpstream(source, subscriber, {
        next: (event) => {
          batch.push(event);
          if (batch.length >= size) emitBatch();
          else if (batch.length === 1 && maxDelayMs !== Infinity) {
            timer = clock.schedule(emitBatch, maxDelayMs);
          }
        },
        error: (error: unknown) => {
          emitBatch();
          subscriber.error(error);
        },
        complete: () => {
          emitBatch();
          subscriber.complete();
        },
      });

      return () => {
        timer?.unsubscribe();
        batch = [];
      };
    });
}
