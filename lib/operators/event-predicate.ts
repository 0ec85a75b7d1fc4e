import type { LogEvent } from '../core/log-event';
import { SelfLog } from '../core/self-log';
import { callbackName, strayPromise } from '../core/stray-promise';

/** Decides whether an event goes on: `true` keeps it. */
export type EventPredicate = (event: LogEvent) => boolean;

/**
 * Applies a predicate the way filterEvents does: what it returns is read as RxJS's `filter` reads
 * it (a JavaScript predicate's `undefined`, `0` or `''` excludes), and a throw counts as a pass.
 */
export function passes(predicate: EventPredicate, event: LogEvent): boolean {
  try {
    const result: unknown = predicate(event);
    // An async predicate's Promise is no answer: the event is kept, as when a predicate throws.
    return strayPromise(result, 'Filter', predicate) || !!result;
  } catch (error) {
    SelfLog.write('Filter {Name} failed; event kept', callbackName(predicate), error);
    return true;
  }
}
