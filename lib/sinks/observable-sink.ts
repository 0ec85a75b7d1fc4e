import { type Observable, Subject } from 'rxjs';
import { guardSubscribers } from '../core/guard-subscribers';
import type { LogEvent } from '../core/log-event';
import { SelfLog } from '../core/self-log';
import type { Sink } from '../core/sink';

/**
 * Re-emits every event it receives on `events$`, for app code such as an in-app log viewer.
 * `events$` is hot: subscribers see events delivered after they subscribe; it completes when the
 * logger closes. What a subscriber throws goes to SelfLog (not to RxJS's unhandled-error path,
 * which would end a Node process); it never fails the delivery, and that subscriber and the others
 * keep receiving events. Once closed (by its logger, or by the app or another logger it was also
 * given to), it refuses batches: `emit` throws an error with `permanent: 'sink'`, so the events
 * count as failed (or go to the lane's fallback) instead of delivered to no one, no batch is
 * retried, and the lane's circuit breaker opens.
 *
 * @example
 * const viewer = new ObservableSink();
 * viewer.events$.pipe(filter((e) => e.level === 'error')).subscribe(showToast);
 */
export class ObservableSink implements Sink {
  /** The default name of this sink in metrics and the shutdown report. */
  readonly kind = 'observable';

  private readonly subject = new Subject<LogEvent>();
  private closed = false;

  /** Every event delivered to this sink from now on. */
  readonly events$: Observable<LogEvent> = guardSubscribers(this.subject.asObservable(), (error) =>
    SelfLog.write('An ObservableSink subscriber failed', error),
  );

  /** @throws Error (marked `permanent: 'sink'`: no retry and no other batch helps) once the sink is closed. */
  emit(events: readonly LogEvent[]): void {
    // A completed Subject ignores next(): the events would count delivered and reach no one.
    if (this.closed) throw Object.assign(new Error('ObservableSink: closed'), { permanent: 'sink' });
    for (const event of events) this.subject.next(event);
  }

  emitSync(events: readonly LogEvent[]): boolean {
    this.emit(events);
    return true;
  }

  close(): void {
    this.closed = true;
    this.subject.complete();
  }
}
