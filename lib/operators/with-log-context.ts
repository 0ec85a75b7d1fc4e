import { type MonoTypeOperatorFunction, Observable } from 'rxjs';
import { ConfigurationError } from '../core/errors/configuration-error';
import { SelfLog } from '../core/self-log';
import type { ContextProperties } from '../context/context-store';
import { LogContext } from '../context/log-context';
import { describeOption } from './operator-options';

/**
 * Delivers every notification (next, error, complete) that passes through it inside
 * `LogContext.run(properties)`, so whatever downstream operators and subscribers log on that turn
 * carries the properties (with `.enrich.fromLogContext()`). This is how a correlation id follows a
 * `switchMap` chain in a browser, which has no AsyncLocalStorage; in Node with
 * `useAsyncLocalStorage()` it also follows async work started downstream.
 *
 * A function is called once per subscription, so each subscription can have its own id. The
 * context covers what runs synchronously downstream: the projection of a `switchMap` placed after
 * it, but not the later emissions of the inner Observable it returns (pipe that one through
 * `withLogContext` too, or use AsyncLocalStorage).
 *
 * ```text
 * source:                         -a-b-|
 * withLogContext({ Id: 'r-7' }):  -a-b-|   (a, b and the completion delivered inside the context)
 * ```
 *
 * @throws ConfigurationError when `properties` is neither an object nor a function.
 * @example
 * clicks$.pipe(
 *   withLogContext(() => ({ CorrelationId: crypto.randomUUID() })),
 *   switchMap((click) => { log.information('Searching {Term}', click.term); return search(click.term); }),
 * )
 */
export function withLogContext<T>(properties: ContextProperties | (() => ContextProperties)): MonoTypeOperatorFunction<T> {
  if (typeof properties !== 'function' && (typeof properties !== 'object' || (properties as unknown) === null))
    throw new ConfigurationError(
      `withLogContext: expected properties or a function returning them, got ${describeOption(properties)}`,
    );
  return (source) =>
    new Observable<T>((subscriber) => {
      let context: ContextProperties = {};
      if (typeof properties === 'function') {
        try {
          const made: unknown = properties();
          context = typeof made === 'object' && made !== null ? (made as ContextProperties) : {};
        } catch (error) {
          SelfLog.write('withLogContext: the properties function threw; the stream runs without context', error);
        }
      } else {
        context = properties;
      }
      return LogContext.run(context, () =>
        source.subscribe({
          next: (value) => LogContext.run(context, () => subscriber.next(value)),
          error: (error: unknown) => LogContext.run(context, () => subscriber.error(error)),
          complete: () => LogContext.run(context, () => subscriber.complete()),
        }),
      );
    });
}
