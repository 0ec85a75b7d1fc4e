import { defer, filter, type MonoTypeOperatorFunction } from 'rxjs';
import type { LogEvent } from '../core/log-event';
import { ConfigurationError } from '../core/errors/configuration-error';
import { type EventPredicate, passes } from './event-predicate';
import { injectEventAccounting } from './event-accounting';
import { describeOption } from './operator-options';

// The predicate and how it is applied live in their own module, free of RxJS, so the logger can
// use them without pulling this operator's imports into a bundle that does not use the operator.
export { type EventPredicate, passes } from './event-predicate';

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
