import { type MonoTypeOperatorFunction, map } from 'rxjs';
import type { Enricher } from '../core/enricher';
import type { LogEvent } from '../core/log-event';
import { SelfLog } from '../core/self-log';
import { captureValue } from '../templates/capture';
import { eventTimeMs, LogEventRecord } from '../templates/log-event-record';
import { hasOwnProperty, setOwnProperty } from '../templates/own-property';

function enricherName(enricher: Enricher): string {
  return enricher.name || 'anonymous';
}

/**
 * Adds each enricher's properties to every event, never overwriting a property the event
 * already has (the first enricher to name a property wins). Values are captured as call
 * arguments are (see `captureValue`), so mutating an enricher's or LogContext's object later
 * cannot change events already enriched. A throwing enricher is reported to
 * SelfLog and the event carries on without its properties. Events are not mutated: an event
 * that gains properties is a new event.
 *
 * @example
 * events$.pipe(enrich(() => ({ Host: 'web-1' })))
 */
export function enrich(...enrichers: Enricher[]): MonoTypeOperatorFunction<LogEvent> {
  return map((event) => enrichEvent(event, enrichers));
}

/** The enrichment of one event, shared by the operator and the logger's shared stage. */
export function enrichEvent(event: LogEvent, enrichers: readonly Enricher[]): LogEvent {
  let added: Record<string, unknown> | undefined;
  for (const enricher of enrichers) {
    let extra: Readonly<Record<string, unknown>> | undefined | void;
    try {
      extra = enricher(event);
    } catch (error) {
      SelfLog.write('Enricher {Name} failed; event passed on unenriched', enricherName(enricher), error);
      continue;
    }
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- JavaScript enrichers can return null
    if (extra === undefined || extra === null) continue;
    try {
      for (const key of Object.keys(extra)) {
        if (hasOwnProperty(event.properties, key) || (added !== undefined && hasOwnProperty(added, key))) continue;
        added ??= {};
        // Captured like a call's arguments: mutating the enricher's (or LogContext's) value later cannot change this event.
        setOwnProperty(added, key, captureValue(extra[key]));
      }
    } catch (error) {
      SelfLog.write('Enricher {Name} returned unreadable properties; ignored', enricherName(enricher), error);
    }
  }
  if (added === undefined) return event;
  return new LogEventRecord(
    eventTimeMs(event),
    event.level,
    event.messageTemplate,
    { ...event.properties, ...added },
    event.exception,
  );
}
