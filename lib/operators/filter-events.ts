import { defer, filter, type MonoTypeOperatorFunction } from 'rxjs';
import type { LogEvent } from '../core/log-event';
import { ConfigurationError } from '../core/errors/configuration-error';
import { SelfLog } from '../core/self-log';
import { strayPromise } from '../core/stray-promise';
import { injectEventAccounting } from './event-accounting';
import { describeOption } from './operator-options';

/** Decides whether an event goes on: `true` keeps it. */
export type EventPredicate = (event: LogEvent) => boolean;

/** The `droppedBy` reason under which a sink counts the events `filterEvents` excluded in its `pipe`. */
export const FILTER_REASON = 'filterEvents.excluded';

/**
 * Keeps the events for which `predicate` returns true (a JavaScript predicate's return value is
 * read as RxJS's `filter` reads it: `undefined`, `0`, `''` exclude). A predicate that throws keeps
 * the event (fail open: a broken filter never loses events silently) and is reported to SelfLog.
 *
 * In a sink's `pipe` (Serilog's sub-logger filter), each excluded event counts in the sink's
 * `dropped`, under {@link FILTER_REASON} in `droppedBy`, so the sink's `pending` stays 0; RxJS's
 * own `filter` leaves what it removes counted as pending until the logger closes.
 *
 * @throws ConfigurationError when `predicate` is not a function.
 * @example
 * events$.pipe(filterEvents((e) => e.properties.Path !== '/health'))
 */
export function filterEvents(predicate: EventPredicate): MonoTypeOperatorFunction<LogEvent> {
  // Refused here: called per event, a non-function would throw each time, keeping every event with one SelfLog line each.
  if (typeof predicate !== 'function')
    throw new ConfigurationError(`filterEvents: expected a predicate function, got ${describeOption(predicate)}`);
  return excludingCounted((event) => passes(predicate, event), FILTER_REASON);
}

/**
 * `filter(keep)` that reports each event it removes to the sink lane's accounting channel under
 * `reason` (a no-op outside a sink's `pipe`).
 */
export function excludingCounted(keep: (event: LogEvent) => boolean, reason: string): MonoTypeOperatorFunction<LogEvent> {
  return (source) =>
    defer(() => {
      const accounting = injectEventAccounting();
      return source.pipe(
        filter((event) => {
          if (keep(event)) return true;
          accounting.dropped(1, reason);
          return false;
        }),
      );
    });
}

/**
 * Applies a predicate the way filterEvents does: what it returns is read as RxJS's `filter` reads
 * it (a JavaScript predicate's `undefined`, `0` or `''` excludes), and a throw counts as a pass.
 */
export function passes(predicate: EventPredicate, event: LogEvent): boolean {
  try {
    const result: unknown = predicate(event);
    // An async predicate's Promise is no answer: the event is kept, as when a predicate throws.
    return strayPromise(result, 'Filter', predicate.name || 'anonymous') || !!result;
  } catch (error) {
    SelfLog.write('Filter {Name} failed; event kept', predicate.name || 'anonymous', error);
    return true;
  }
}
