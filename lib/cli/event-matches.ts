import type { LogEvent } from '../core/log-event';
import { type LogLevelName, levelValue } from '../core/log-level';
import { templateEventId } from '../formatting/template-event-id';
import { renderValue } from '../templates/render-template';

/**
 * One `--where Name=value` condition: the property's rendered value equals `value`. `@l` and `@i`
 * are CLEF's fields, as Serilog's CLEF reader (LogEventReader) gives them: the level (`value` one
 * of the six level names) and the event id (the line's `@i`, else its template's, as `--json`
 * writes it).
 */
export interface PropertyCondition {
  /** The property's name, as written in the event (case-sensitive), or `@l` or `@i`. */
  readonly name: string;
  /** The text the property must render as (strings bare, structures as compact JSON). */
  readonly value: string;
}

/** What an event must satisfy to be shown; every part left out matches everything. */
export interface EventFilter {
  /** Least severe level shown. Default: every level. */
  readonly minimumLevel?: LogLevelName | undefined;
  /** Text the rendered message must contain, compared case-insensitively. Default: none. */
  readonly grep?: string | undefined;
  /** Conditions that must all hold. Default: none. */
  readonly where?: readonly PropertyCondition[] | undefined;
}

/**
 * Whether an event passes a filter: its level is at least `minimumLevel`, its rendered message
 * contains `grep` (ignoring case), and every `where` property exists and renders (as
 * `renderValue` renders it, without a format) exactly as the condition's value; `@l` is the
 * event's level, `@i` its `eventId` (the line's `@i`), else its template's hash.
 *
 * @example eventMatches(event, { minimumLevel: 'warning', where: [{ name: 'UserId', value: '42' }] })
 */
export function eventMatches(event: LogEvent, filter: EventFilter, eventId?: string | number): boolean {
  if (filter.minimumLevel !== undefined && levelValue(event.level) < levelValue(filter.minimumLevel)) return false;
  const where = filter.where;
  if (where !== undefined) {
    const properties = event.properties;
    for (let i = 0; i < where.length; i++) {
      const { name, value } = where[i];
      if (
        name === '@l'
          ? event.level !== value
          : name === '@i'
            ? String(eventId ?? templateEventId(event.messageTemplate.text)) !== value
            : !Object.hasOwn(properties, name) || renderValue(properties[name]) !== value
      )
        return false;
    }
  }
  // Last: rendering the message costs more than the checks above.
  if (filter.grep !== undefined && filter.grep !== '' && !event.renderMessage().toLowerCase().includes(filter.grep.toLowerCase()))
    return false;
  return true;
}
