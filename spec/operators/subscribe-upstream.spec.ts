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
});
