import { filter, type MonoTypeOperatorFunction } from 'rxjs';
import type { LogEvent } from '../core/log-event';
import { ConfigurationError } from '../core/errors/configuration-error';
import { SelfLog } from '../core/self-log';
import { describeOption } from './operator-options';

/** Decides whether an event goes on: `true` keeps it. */
export type EventPredicate = (event: LogEvent) => boolean;

/**
 * Keeps the events for which `predicate` returns true. A predicate that throws keeps the event
 * (fail open: a broken filter never loses events silently) and is reported to SelfLog.
 *
 * @throws ConfigurationError when `predicate` is not a function.
 * @example
 * events$.pipe(filterEvents((e) => e.properties.Path !== '/health'))
 */
export function filterEvents(predicate: EventPredicate): MonoTypeOperatorFunction<LogEvent> {
  // Refused here: called per event, a non-function would throw each time, keeping every event with one SelfLog line each.
  if (typeof predicate !== 'function')
    throw new ConfigurationError(`filterEvents: expected a predicate function, got ${describeOption(predicate)}`);
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
