import { isObservable, type MonoTypeOperatorFunction, Observable, type SchedulerLike } from 'rxjs';
import { ConfigurationError } from '../core/errors/configuration-error';
import { readGuarded } from '../core/read-options';
import type { LogEvent } from '../core/log-event';
import { unrefScheduler } from '../core/unref-scheduler';
import { injectEventAccounting, injectScheduler } from './event-accounting';
import { EventQueue, type QueueOptions, resolveQueueOptions } from './event-queue';
import { checkOptionKeys } from '../core/check-option-keys';
import { checkScheduler, describeOption, optionsObject, snapshotOptions } from './operator-options';
import { reportRejection } from './report-rejection';
import { subscribeUpstream } from './subscribe-upstream';
import { BOUNDED_QUEUE_REASONS } from '../metrics/bounded-queue-reasons';

export { BOUNDED_QUEUE_REASONS };

/** QueueOptions plus a hook for drops. */
export interface BoundedQueueOptions extends QueueOptions {
  /** Called with the number of events just dropped by overflow, on the producer's turn; a throw, or an async hook's rejection, is reported to SelfLog. Default: none (drops still go to SelfLog once per overflow episode). */
  onDrop?: ((count: number) => void) | undefined;
}

/**
 * A pull-based bounded buffer: never blocks or errors the producer, holds events in an
 * `EventQueue` (bounded by count and bytes, overflow dropped and counted), and releases up to N
 * events each time `demand$` emits N (credit accumulates, fractions included, and only whole events are
 * released; NaN, negative or non-number demand grants nothing; an event arriving while there is credit
 * and nothing queued passes straight through). Completes once the source has completed and the
 * queue is empty; a source or `demand$` error passes through at once, discarding what is queued
 * (a `demand$` that fails as it is subscribed leaves the source unsubscribed).
 * If `demand$` completes, queued events wait for credit already granted and no more. Each
 * subscription subscribes to `demand$` and takes every grant it sends, so a `demand$` is one
 * consumer's: two subscriptions of one operator on a shared Subject release N events each per N. In a sink's
 * `pipe`, what it queues counts as pending, and what it drops or discards is reported through
 * `EventAccounting`: `'boundedQueue.overflow'` for overflow drops, `'boundedQueue.discarded'` for what an error
 * or an unsubscribe discards.
 *
 * @param demand$ How many more events the consumer can take, each time it can take more.
 * @param scheduler The clock for each entry's enqueue time. Default: given none, the scheduler of the logger whose pipeline subscribes it (`useScheduler`), read at subscribe; outside a logger, `unrefScheduler`.
 * @throws ConfigurationError when an option is invalid or unknown (`onDrop` not a function included), or `demand$` is not an Observable.
 * @example
 * const demand$ = new BehaviorSubject(1);
 * events$.pipe(boundedQueue({ limit: 1_000 }, demand$)).subscribe((event) => send(event).then(() => demand$.next(1)));
 */
export function boundedQueue(
  options: BoundedQueueOptions,
  demand$: Observable<number>,
  scheduler?: SchedulerLike,
): MonoTypeOperatorFunction<LogEvent> {
  const names = ['limit', 'limitBytes', 'overflow', 'warnAt', 'maxEventBytes', 'onDrop'];
  const given = snapshotOptions(optionsObject(options, 'boundedQueue'), 'boundedQueue', names);
  checkOptionKeys('boundedQueue', given, names);
  // Refused here: it would fail only when subscribed, as a TypeError sent to the subscriber.
  if (!readGuarded('boundedQueue', 'demand$', () => isObservable(demand$)))
    throw new ConfigurationError(`boundedQueue: demand$: expected an Observable of counts, got ${describeOption(demand$)}`);
  const { onDrop, ...queueOptions } = given;
  if (scheduler !== undefined) checkScheduler('boundedQueue', scheduler);
  // Refused here: it would fail on every overflow, each time reported to SelfLog as a failed hook.
  if (onDrop !== undefined && typeof onDrop !== 'function')
    throw new ConfigurationError(`boundedQueue: onDrop: expected a function, got ${describeOption(onDrop)}`);
  // Validates the options when the operator is built, not when it is subscribed.
  resolveQueueOptions(queueOptions, 'boundedQueue');
  return (source) =>
    new Observable<LogEvent>((subscriber) => {
      const accounting = injectEventAccounting();
      // Given none: the logger's scheduler when a logger's pipeline subscribes it (useScheduler), else the default.
      const clock = scheduler ?? injectScheduler(unrefScheduler);
      const queue = new EventQueue(queueOptions, 'boundedQueue', (count) => {
        accounting.dropped(count, BOUNDED_QUEUE_REASONS.overflow);
        // A throw is reported by the queue; an async hook's rejection, left unhandled, would end a Node process.
        if (onDrop !== undefined) reportRejection(onDrop(count), 'boundedQueue: the onDrop hook failed');
      });
      const discard = (): void => {
        const held = queue.clear().length;
        if (held > 0) accounting.dropped(held, BOUNDED_QUEUE_REASONS.discarded);
      };
      const fail = (error: unknown): void => {
        discard();
        subscriber.error(error);
      };
      let credit = 0;
      let sourceDone = false;

      let releasing = false;
      const release = (): void => {
        // Demand granted from inside `next` only adds credit: the loop already running releases
        // the next event, so a consumer that asks for one more per event never recurses.
        if (releasing) return;
        releasing = true;
        try {
          while (credit >= 1 && queue.depth > 0 && !subscriber.closed) {
            credit--;
            subscriber.next(queue.shift() as LogEvent);
          }
        } finally {
          releasing = false;
        }
        if (sourceDone && queue.depth === 0) subscriber.complete();
      };

      // Demand first, so credit granted at subscription (a BehaviorSubject) is there for the first event.
      const demandSubscription = demand$.subscribe({
        next: (count) => {
          // Whole events only: 1.5 then 0.5 grant two. NaN, negative and non-numbers grant nothing
          // (a string would turn the credit into text).
          if (typeof count === 'number' && count > 0) {
            credit += count;
            // Decimal fractions add up inexactly in binary (ten grants of 0.1 make 0.9999999999999999):
            // a sum within a billionth of a whole number is that number.
            const whole = Math.round(credit);
            if (Math.abs(credit - whole) < 1e-9) credit = whole;
          }
          release();
        },
        error: fail,
      });
      // demand$ may have failed already, at its subscription: then the source is never started.
      if (!subscriber.closed)
        subscribeUpstream(source, subscriber, {
          next: (event) => {
            if (credit >= 1 && queue.depth === 0) {
              credit--;
              subscriber.next(event);
            } else {
              queue.push(event, clock.now());
            }
          },
          error: fail,
          complete: () => {
            sourceDone = true;
            release();
          },
        });
      return () => {
        demandSubscription.unsubscribe();
        discard();
      };
    });
}
