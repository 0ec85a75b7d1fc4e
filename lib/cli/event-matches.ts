import type { LogEvent } from '../core/log-event';
import { type LogLevelName, levelValue } from '../core/log-level';
import { isSpanIdText, isTraceIdText, SPAN_ID_PROPERTY, TRACE_ID_PROPERTY } from '../core/trace-context';
import { templateEventId } from '../formatting/template-event-id';
import { renderValue } from '../templates/render-template';

/**
 * One `--where Name=value` condition: the property's rendered value equals `value`. `@l`, `@i`,
 * `@mt`, `@m`, `@tr` and `@sp` are CLEF's fields, as Serilog's CLEF reader (LogEventReader) gives
 * them: the level (`value` one of the six level names), the event id (the line's `@i`, else its
 * template's, as `--json` writes it), the template's text, the rendered message, and the trace and
 * span ids (lower-case hex).
 */
export interface PropertyCondition {
  /** The property's name, as written in the event (case-sensitive), or one of the CLEF fields above. */
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
 * The CLEF field `name` of `event` as `--where` compares it, as Serilog's CLEF reader (LogEventReader) reads the
 * line: `@l` the level, `@i` the line's id (else the template's hash, as `--json` writes it), `@mt` the template's
 * text, `@m` the rendered message, `@tr` / `@sp` the trace and span ids `--json` writes (undefined without one);
 * `null` for any other name, a property's.
 */
function clefField(event: LogEvent, name: string, eventId: string | number | bigint | undefined): string | undefined | null {
  switch (name) {
    case '@l':
      return event.level;
    case '@i':
      return String(eventId ?? templateEventId(event.messageTemplate.text));
    case '@mt':
      return event.messageTemplate.text;
    case '@m':
      return event.renderMessage();
    case '@tr': {
      const id = event.properties[TRACE_ID_PROPERTY];
      return isTraceIdText(id) ? id : undefined;
    }
    case '@sp': {
      const id = event.properties[SPAN_ID_PROPERTY];
      return isSpanIdText(id) ? id : undefined;
    }
    default:
      return null;
  }
}

/**
 * Whether an event passes a filter: its level is at least `minimumLevel`, its rendered message
 * contains `grep` (ignoring case), and every `where` property exists and renders (as
 * `renderValue` renders it, without a format) exactly as the condition's value; `@l` is the
 * event's level, `@i` its `eventId` (the line's `@i`), else its template's hash, `@mt` its
 * template's text, `@m` its rendered message, `@tr` / `@sp` its trace and span ids, as `--json`
 * writes them (an event without one matches no such condition).
 *
 * @example eventMatches(event, { minimumLevel: 'warning', where: [{ name: 'UserId', value: '42' }] })
 */
export function eventMatches(event: LogEvent, filter: EventFilter, eventId?: string | number | bigint): boolean {
  if (filter.minimumLevel !== undefined && levelValue(event.level) < levelValue(filter.minimumLevel)) return false;
  const where = filter.where;
  if (where !== undefined) {
    const properties = event.properties;
    for (let i = 0; i < where.length; i++) {
      const { name, value } = where[i];
      const field = clefField(event, name, eventId);
      const actual = field !== null ? field : Object.hasOwn(properties, name) ? renderValue(properties[name]) : undefined;
      if (actual !== value) return false;
    }
  }
  // Last: rendering the message costs more than the checks above.
  if (filter.grep !== undefined && filter.grep !== '' && !event.renderMessage().toLowerCase().includes(filter.grep.toLowerCase()))
    return false;
  return true;
}
