import { type MonoTypeOperatorFunction, Observable, type Subscriber } from 'rxjs';
import { ConfigurationError } from '../core/errors/configuration-error';
import { adoptOutcome } from '../core/adopt-outcome';
import { SelfLog } from '../core/self-log';
import { holdThrows, read, tellHeld } from '../core/read-property';
import type { CheckProperties, ContextProperties } from '../context/context-store';
import { currentOrNone, repeatedRun, runExactly } from '../context/log-context';
import { put } from '../context/merge-context';
import { describeOption, isArrayOption } from './operator-options';
import { isThenable } from './report-rejection';
import { subscribeUpstream } from './subscribe-upstream';

/** `Map`, `Set` or `Date` for such a value (spread, it gives no properties), else undefined. */
function collectionKind(value: unknown): string | undefined {
  try {
    return value instanceof Map ? 'Map' : value instanceof Set ? 'Set' : value instanceof Date ? 'Date' : undefined;
  } catch {
    // A Proxy whose getPrototypeOf trap throws: read name by name, as any other object.
    return undefined;
  }
}

/** Whether `value` can be context properties: an object that is not null, an array, a Map, a Set or a Date. */
function isPropertiesObject(value: unknown): value is ContextProperties {
  return typeof value === 'object' && value !== null && !isArrayOption(value) && collectionKind(value) === undefined;
}

/** The kind of a value that is not properties, as one word: `null`, `undefined`, `number`, `string`, `array`, `Map`, `Promise`, … */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (isArrayOption(value)) return 'array';
  return isThenable(value) ? 'Promise' : (collectionKind(value) ?? typeof value);
}

/**
 * Delivers every notification (next, error, complete) that passes through it inside
 * `LogContext.run(properties)`, so whatever downstream operators and subscribers log on that turn
 * carries the properties (with `.enrich.fromLogContext()`). This is how a correlation id follows a
 * `switchMap` chain in a browser, which has no AsyncLocalStorage; in Node with
 * `useAsyncLocalStorage()` it also follows async work started downstream, except what a scheduler
 * runs in one batch: after `observeOn(asapScheduler)` every value of a turn is delivered in the
 * context of the first. A `withLogContext` placed after such an `observeOn` puts its own names
 * back, but the other properties in force stay the first's: use `asyncScheduler` instead.
 *
 * Only what it delivers runs in the context: operators placed before it (upstream), and work the
 * source does as it is subscribed (`defer`'s factory), run without it, whether the source emits
 * synchronously (`of`, `from`) or later, and so does a subscription again by a `retry` or `repeat`
 * placed after it, on the error or completion it delivered inside the context.
 *
 * The properties are read once per subscription (a function is called then, so each subscription
 * can have its own id) and the subscription keeps that copy. The context covers what runs
 * synchronously downstream: the projection of a `switchMap` placed after it, but not the later
 * emissions of the inner Observable it returns (pipe that one through `withLogContext` too, or use
 * AsyncLocalStorage).
 *
 * Never fails the stream: when the function throws, returns something that is not properties
 * (`null`, `undefined`, a number, a string, an array, a Map, Set or Date, a Promise: it must answer synchronously, and
 * a rejection is reported too) or properties whose names cannot be listed (a Proxy whose traps
 * throw, a revoked one), that subscription runs without this context and SelfLog is told once per
 * operator for each kind of fault, not once per subscription. A getter that throws puts its marker
 * (`'[Throws: message]'`) in force and the other names stay, as in `LogContext.run` (SelfLog is
 * told its name and the error's kind, not the message, which may quote a secret). A store of the
 * app's own (`LogContext.useStore`) whose `current()`, `run` or `suspend` throws, or does not call
 * back, costs no notification either: each is delivered as it is (SelfLog told once for calls in a row).
 *
 * ```text
 * source:                         -a-b-|
 * withLogContext({ Id: 'r-7' }):  -a-b-|   (a, b and the completion delivered inside the context)
 * ```
 *
 * Any object type is taken (an interface, a class whose own fields are the properties), as
 * `LogContext.run` takes it; an array, a Map, a Set, a Date or a function fails to compile.
 *
 * @throws ConfigurationError when `properties` is neither a function nor an object (an array, a Map, a Set or a Date is not properties).
 * @example
 * clicks$.pipe(
 *   withLogContext(() => ({ CorrelationId: crypto.randomUUID() })),
 *   switchMap((click) => { log.information('Searching {Term}', click.term); return search(click.term); }),
 * )
 */
export function withLogContext<T, P extends object = ContextProperties>(
  properties: () => P & CheckProperties<P>,
): MonoTypeOperatorFunction<T>;
export function withLogContext<T, P extends object = ContextProperties>(
  properties: P & CheckProperties<P>,
): MonoTypeOperatorFunction<T>;
export function withLogContext<T>(properties: ContextProperties | (() => ContextProperties)): MonoTypeOperatorFunction<T> {
  if (typeof properties !== 'function' && !isPropertiesObject(properties))
    throw new ConfigurationError(
      `withLogContext: expected properties or a function returning them, got ${collectionKind(properties) === undefined ? describeOption(properties) : `a ${collectionKind(properties)}`}`,
    );
  // One SelfLog line per kind of fault for this operator: a function that returns null on every
  // subscription would otherwise write a line per subscription.
  const reported = new Set<string>();
  const report = (kind: string, template: string, ...args: unknown[]): void => {
    if (reported.has(kind)) return;
    reported.add(kind);
    SelfLog.write(template, ...args);
  };
  const contextOf = (): ContextProperties => {
    let made: unknown = properties;
    if (typeof properties === 'function') {
      try {
        made = properties();
      } catch (error) {
        report('threw', 'withLogContext: the properties function threw; the subscription runs without context', error);
        return {};
      }
      // An async function's Promise is no properties (spread, it gives none).
      const kind = kindOf(made);
      if (!isPropertiesObject(made) || kind === 'Promise') {
        // Its rejection, unhandled, would end a Node process.
        if (kind === 'Promise')
          adoptOutcome(
            () => made,
            () => undefined,
            (error) => report('rejected', "withLogContext: the properties function's Promise rejected", error),
          );
        report(
          kind,
          'withLogContext: the properties function returned {Kind}, not properties; the subscription runs without context',
          kind,
        );
        return {};
      }
    }
    // Read once, here, name by name as LogContext.run reads them: a getter that throws puts its
    // marker in force (told to SelfLog by its kind, as LogContext.run tells it) and the other names stay.
    const held = holdThrows();
    try {
      const copy: Record<string, unknown> = {};
      for (const key of Object.keys(made as object)) put(copy, key, read(made as object, key));
      return copy;
    } catch (error) {
      report('unreadable', 'withLogContext: the properties cannot be read; the subscription runs without context', error);
      return {};
    } finally {
      tellHeld(held);
    }
  };
  return (source) => {
    // The contexts this stream delivered its errors and completions in, each with the context
    // around that delivery. A subscription of this same stream started in one of them is a retry
    // or repeat subscribing it again (at once, or from a timer it set then, which keeps the
    // context with AsyncLocalStorage): it starts from the context around the stream, not inside
    // the context of the subscription that ended.
    const endedIn = new WeakMap<ContextProperties, ContextProperties | undefined>();
    const end = (run: ReturnType<typeof repeatedRun>, notify: () => void): void => {
      const around = currentOrNone();
      run(() => {
        const inside = currentOrNone();
        if (inside !== undefined && inside !== around) endedIn.set(inside, around);
        notify();
      });
    };
    const subscribe = (subscriber: Subscriber<T>): void => {
      // Merged over the context around each notification once while that one stays in force,
      // not on every notification: a context of thousands of names would cost its listing each time.
      const run = repeatedRun(contextOf());
      // Subscribed outside the context: what runs as the source is subscribed is upstream work (a
      // synchronous source's operators, defer's factory), which must not carry it any more than
      // the same work does on a later turn for an asynchronous source.
      subscribeUpstream(source, subscriber, {
        next: (value) => run(() => subscriber.next(value)),
        error: (error: unknown) => end(run, () => subscriber.error(error)),
        complete: () => end(run, () => subscriber.complete()),
      });
    };
    return new Observable<T>((subscriber) => {
      const here = currentOrNone();
      if (here === undefined || !endedIn.has(here)) return subscribe(subscriber);
      const around = endedIn.get(here);
      // The context around the stream exactly (none, or its properties), and nothing else of the
      // async context changed: a suspend would also leave a request's diagnostic collection.
      runExactly(around, () => subscribe(subscriber));
    });
  };
}
