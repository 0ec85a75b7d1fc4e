import { Observable, Subject, take } from 'rxjs';
import { subscribeUpstream } from '../../lib/operators/subscribe-upstream';
import { countingSource } from '../helpers/events';

/** An operator that passes everything on through subscribeUpstream, with `onNext` run first. */
function passOn<T>(onNext: (value: T) => void = () => undefined): (source: Observable<T>) => Observable<T> {
  return (source) =>
    new Observable<T>((subscriber) => {
      subscribeUpstream(source, subscriber, {
        next: (value) => {
          onNext(value);
          subscriber.next(value);
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });
    });
}

describe('subscribeUpstream', () => {
  it('stops a synchronous source as soon as the downstream unsubscribes', () => {
    const { source, emitted } = countingSource([1, 2, 3]);
    const seen: number[] = [];
    source
      .pipe(
        passOn((value) => seen.push(value)),
        take(1),
      )
      .subscribe();
    expect(emitted()).toBe(1);
    expect(seen).toEqual([1]);
  });

  it('passes error and completion on, and unsubscribes from the source after them', () => {
    const source = new Subject<number>();
    const errors: unknown[] = [];
    source.pipe(passOn()).subscribe({ error: (error: unknown) => errors.push(error) });
    source.error('boom');
    expect(errors).toEqual(['boom']);
    expect(source.observed).toBe(false);
    const completed = new Subject<number>();
    let done = false;
    completed.pipe(passOn()).subscribe({ complete: () => (done = true) });
    completed.complete();
    expect(done).toBe(true);
  });

  it('errors the downstream with what the observer throws, and stops listening to the source', () => {
    const source = new Subject<number>();
    const errors: unknown[] = [];
    source
      .pipe(
        passOn(() => {
          throw new Error('operator bug');
        }),
      )
      .subscribe({ error: (error: unknown) => errors.push(error) });
    source.next(1);
    expect(errors).toEqual([new Error('operator bug')]);
    expect(source.observed).toBe(false);
  });

  // RxJS ends an operator whose own code throws as one whose source errors. subscribeUpstream sent
  // the throw straight downstream, and the operator's error handler never ran: fingersCrossed and
  // boundedQueue let go of what they held only in their teardown, after the error had gone on, so
  // a sink's lane, which counts what a failed operator held when the error reaches it, counted those
  // events a second time.
  it('ends the operator through its own error handler when its next throws, before the error goes on', () => {
    const source = new Subject<number>();
    const order: string[] = [];
    source
      .pipe(
        (upstream: Observable<number>) =>
          new Observable<number>((subscriber) => {
            subscribeUpstream(upstream, subscriber, {
              next: () => {
                throw new Error('operator bug');
              },
              error: (error: unknown) => {
                order.push('operator lets go');
                subscriber.error(error);
              },
              complete: () => subscriber.complete(),
            });
            return () => order.push('teardown');
          }),
      )
      .subscribe({ error: (error: unknown) => order.push(`downstream: ${(error as Error).message}`) });
    source.next(1);
    source.next(2);
    expect(order).toEqual(['operator lets go', 'downstream: operator bug', 'teardown']);
    expect(source.observed).toBe(false);
  });
});
