import { Observable, type Observer, type OperatorFunction, Subscriber, type Subscription } from 'rxjs';

/** Receives what an app's observer threw (or an error it had no handler for). */
export type SubscriberFaultHandler = (error: unknown) => void;

type Next<T> = ((value: T) => void) | null | undefined;

/**
 * An Observable whose app-supplied observers cannot crash the process: what a `next`, `error` or
 * `complete` callback throws goes to `onFault` and the subscription stays open (a throwing `next`
 * does not end it), and an error notification with no `error` callback goes to `onFault` instead
 * of RxJS's `reportUnhandledError` (which rethrows on a timer and kills a Node process). Operators
 * piped onto it give Observables that guard their subscribers the same way.
 */
class GuardedObservable<T> extends Observable<T> {
  readonly #onFault: SubscriberFaultHandler;

  constructor(
    onFault: SubscriberFaultHandler,
    subscribe?: (this: Observable<T>, subscriber: Subscriber<T>) => (() => void) | Subscription | void,
  ) {
    super(subscribe);
    this.#onFault = onFault;
  }

  // Whatever the operators build (RxJS's own through lift(), rxlog's and an app's with defer or
  // new Observable), the piped Observable is wrapped again, so its subscribers are guarded too.
  override pipe = ((...operations: OperatorFunction<unknown, unknown>[]) =>
    guardSubscribers(
      (super.pipe as (...all: typeof operations) => Observable<unknown>).apply(this, operations),
      this.#onFault,
    )) as Observable<T>['pipe'];

  override subscribe(
    observerOrNext?: Partial<Observer<T>> | Next<T>,
    error?: ((error: unknown) => void) | null,
    complete?: (() => void) | null,
  ): Subscription {
    // Operators subscribe with Subscriber instances: internal, they already route faults downstream.
    if (observerOrNext instanceof Subscriber) return super.subscribe(observerOrNext as Subscriber<T>);
    const target: Partial<Observer<T>> =
      !observerOrNext || typeof observerOrNext === 'function'
        ? { next: observerOrNext ?? undefined, error: error ?? undefined, complete: complete ?? undefined }
        : observerOrNext;
    const onFault = this.#onFault;
    return super.subscribe({
      next(value) {
        try {
          target.next?.(value);
        } catch (fault) {
          onFault(fault);
        }
      },
      error(reason: unknown) {
        if (target.error === undefined) {
          onFault(reason);
          return;
        }
        try {
          target.error(reason);
        } catch (fault) {
          onFault(fault);
        }
      },
      complete() {
        try {
          target.complete?.();
        } catch (fault) {
          onFault(fault);
        }
      },
    });
  }
}

/**
 * `source` for app subscribers: what their callbacks throw is handed to `onFault` (SelfLog, say)
 * instead of crashing the process, and the stream keeps flowing to them and to every other
 * subscriber. Operators piped onto the result are guarded the same way.
 *
 * @example
 * readonly events$ = guardSubscribers(shared$, (error) => SelfLog.write('A subscriber of events$ threw', error));
 */
export function guardSubscribers<T>(source: Observable<T>, onFault: SubscriberFaultHandler): Observable<T> {
  return new GuardedObservable<T>(onFault, (subscriber) => source.subscribe(subscriber));
}
