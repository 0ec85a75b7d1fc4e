import { filter, type MonoTypeOperatorFunction } from 'rxjs';
import type { LogEvent } from '../core/log-event';
import { SelfLog } from '../core/self-log';

/** Decides whether an event goes on: `true` keeps it. */
export type EventPredicate = (event: LogEvent) => boolean;

/**
 * Keeps the events for which `predicate` returns true. A predicate that throws keeps the event
 * (fail open: a broken filter never loses events silently) and is reported to SelfLog.
 *
 * @example
 * events$.pipe(filterEvents((e) => e.properties.Path !== '/health'))
 */
export function filterEvents(predicate: EventPredicate): MonoTypeOperatorFunction<LogEvent> {
  return filter((event) => passes(predicate, event));
}

/** Applies a predicate the way filterEvents does: a throw counts as a pass. */
export function passes(predicate: EventPredicate, event: LogEvent): boolean {
  try {
    return predicate(event) !== false;
  } catch (error) {
    SelfLog.write('Filter {Name} failed; event kept', predicate.name || 'anonymous', error);
    return true;
  }
}
