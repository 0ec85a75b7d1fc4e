import { Observable, type OperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';
import type { LogEvent } from '../core/log-event';
import { unrefScheduler } from '../core/unref-scheduler';
import { expectOption } from '../core/expect-option';
import { MAX_TIMER_MS } from '../core/max-timer-ms';
import { checkOptionKeys } from '../core/check-option-keys';
import { checkCount, checkScheduler } from './operator-options';
import { subscribeUpstream } from './subscribe-upstream';

/** Most events in one batch, and the longest a partial batch waits. */
export interface BatchOptions {
  /** Most events in one batch, a count. Default `512`. */
  size?: number;
  /** Longest a batch's first event waits before the partial batch is sent, in milliseconds, at most 2^31 - 1 (`Infinity`: only size and completion send). Default `100`. */
  maxDelayMs?: number;
}

/** BatchOptions with defaults applied and values checked. */
export interface ResolvedBatchOptions {
  readonly size: number;
  readonly maxDelayMs: number;
}

/**
 * Applies BatchOptions' defaults and checks them.
 *
 * @throws ConfigurationError naming the bad value.
 */
export function resolveBatchOptions(options: BatchOptions = {}): ResolvedBatchOptions {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- JavaScript callers can pass anything
  expectOption(typeof options === 'object' && options !== null, 'batch', 'options like { size, maxDelayMs }', options);
  const size = options.size ?? 512;
  const maxDelayMs = options.maxDelayMs ?? 100;
  checkCount('batch.size', size, 'events');
  // A string would be added to the clock as text, and a finite delay past 2^31 - 1 ms fires at once
  // in Node's timers: both must be refused here, not found out as a batch sent at the wrong time.
  expectOption(
    typeof maxDelayMs === 'number' && maxDelayMs >= 0 && (maxDelayMs <= MAX_TIMER_MS || maxDelayMs === Infinity),
    'batch.maxDelayMs',
    `milliseconds from 0 to ${MAX_TIMER_MS} or Infinity`,
    maxDelayMs,
  );
  return { size, maxDelayMs };
}

/**
 * Groups events into batches: a batch goes out synchronously when it reaches `size` (like
 * `bufferCount`), or when its first event is `maxDelayMs` old, whichever comes first. The age
 * timer is armed by a batch's first event, not a free-running interval, so an idle stream
 * schedules nothing and no empty batch is ever emitted. On completion the partial batch is
 * emitted, then completion; on error the partial batch is emitted, then the error (a logging
 * pipeline should not lose events it already holds).
 *
 * @param scheduler Runs the age timer. Default `unrefScheduler` (never keeps a Node process alive).
 * @example events$.pipe(batchEvents({ size: 100, maxDelayMs: 50 })).subscribe((batch) => sink.emit(batch));
 */
export function batchEvents(
  options: BatchOptions = {},
  scheduler: SchedulerLike = unrefScheduler,
): OperatorFunction<LogEvent, LogEvent[]> {
  const { size, maxDelayMs } = resolveBatchOptions(options);
  checkOptionKeys('batchEvents', options, ['size', 'maxDelayMs']);
  checkScheduler('batchEvents', scheduler);
  return (source) =>
    new Observable<LogEvent[]>((subscriber) => {
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
            timer = scheduler.schedule(emitBatch, maxDelayMs);
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
