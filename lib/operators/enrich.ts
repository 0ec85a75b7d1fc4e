import { type MonoTypeOperatorFunction, map } from 'rxjs';
import type { Enricher, EnricherProperties } from '../core/enricher';
import type { LogEvent } from '../core/log-event';
import { ConfigurationError } from '../core/errors/configuration-error';
import { SelfLog } from '../core/self-log';
import { wholeEvent } from '../templates/log-event-record';
import { enrichEvent } from './enrich-event';
import { describeOption } from './operator-options';

// The enrichment of one event lives in its own module, free of RxJS, so the logger can use it
// without pulling this operator's imports into a bundle that does not use the operator.
export { enrichEvent, enrichOwnEvent } from './enrich-event';

/**
 * Adds each enricher's properties to every event, never overwriting a property the event
 * already has (the first enricher to name a property wins); a later enricher sees what earlier
 * ones added, as in the configuration's `enrich.with`. Values are captured as call
 * arguments are (see `captureValue`), so mutating an enricher's or LogContext's object later
 * cannot change events already enriched. A throwing enricher is reported to
 * SelfLog and the event carries on without its properties; one that returns what is not a plain
 * object (a Map, a Date, an array, a class instance) adds nothing, reported once per enricher.
 * Events are not mutated: an event
 * that gains properties is a new event. An app operator's copy made with spread syntax (which has
 * no `timestamp` or `renderMessage()`) is enriched as the event it copies, a value that is not an
 * event (a `map` branch's `undefined`) is passed on as it is, and an event that cannot be enriched
 * (its properties cannot be read) goes on unenriched, told to SelfLog: nothing errors the stream.
 *
 * @throws ConfigurationError when an enricher is not a function.
 * @example
 * events$.pipe(enrich(() => ({ Host: 'web-1' })))
 */
export function enrich(...enrichers: Enricher<EnricherProperties>[]): MonoTypeOperatorFunction<LogEvent> {
  // Refused here: called per event, a non-function would throw each time, one SelfLog line per event.
  enrichers.forEach((enricher, index) => {
    if (typeof enricher !== 'function')
      throw new ConfigurationError(
        `enrich: enricher ${index + 1}: expected a function returning properties, got ${describeOption(enricher)}`,
      );
  });
  return map((event) => {
    // A value that is not an event has nothing to enrich: passed on, as the pipeline passes it.
    if (typeof event !== 'object' || (event as unknown) === null) return event;
    try {
      // A spread copy has the record's timeMs but not its timestamp getter, which enrichEvent reads.
      return enrichEvent(wholeEvent(event), enrichers);
    } catch (error) {
      SelfLog.write('enrich: the event could not be enriched; passed on unenriched', error);
      return event;
    }
  });
}
