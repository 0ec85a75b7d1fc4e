import { type Observable, type Observer, Subscriber } from 'rxjs';

/** The operator's subscriber to its source, owned by the downstream subscriber from the start. */
class UpstreamSubscriber<T> extends Subscriber<T> {
  constructor(
    private readonly downstream: Subscriber<unknown>,
    private readonly observer: Observer<T>,
  ) {
    // Chained to the downstream as RxJS's own operators are: its unsubscribe closes this at once.
    super(downstream);
  }

  protected override _next(value: T): void {
    try {
      this.observer.next(value);
    } catch (error) {
      // Ended as a source error ends it: the operator lets go of, or counts, what it holds before
      // the error goes on (a sink's lane counts what a failed operator still held when it sees the error).
      this.error(error);
    }
  }

  protected override _error(error: unknown): void {
    try {
      this.observer.error(error);
    } catch (fault) {
      this.downstream.error(fault);
    } finally {
      this.unsubscribe();
    }
  }

  protected override _complete(): void {
    try {
      this.observer.complete();
    } catch (fault) {
      this.downstream.error(fault);
    } finally {
      this.unsubscribe();
    }
  }
}

/**
 * Subscribes an operator's `observer` to its `source` the way RxJS's own operators do: the
 * subscription belongs to the operator's `downstream` subscriber before the source starts, so
 * when the downstream unsubscribes on a value (`take(1)`, `first()`), a synchronous source (`from`
 * of an array, `range`) stops at once instead of running to its end into an operator nobody
 * listens to, and nothing reaches `observer` after that. What `observer.next` throws ends the
 * operator as a source error does, through `observer.error`, so it can let go of what it holds
 * first; what `observer.error` or `observer.complete` throws errors the downstream.
 *
 * `source.subscribe(observer)` inside `new Observable(…)` gets its subscription back only when a
 * synchronous source has finished: `range(0, Infinity).pipe(op, take(1))` would never return.
 */
export function subscribeUpstream<T>(source: Observable<T>, downstream: Subscriber<unknown>, observer: Observer<T>): void {
  source.subscribe(new UpstreamSubscriber(downstream, observer));
}
