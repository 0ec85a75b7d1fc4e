import type { LogEvent } from '../core/log-event';
import { SelfLog } from '../core/self-log';
import type { Formatter } from '../core/sink';
import { exceptionText } from '../core/exception-text';
import { IsoTimestampCache } from './iso-timestamp-cache';
import { quoteJson, writeJson } from '../templates/safe-json';
import { eventMessage } from '../templates/log-event-record';
import { renderTemplate } from '../templates/render-template';
import { readableProperties } from './unreadable-values';
import { formatterFlag } from './formatter-flag';

/** Options of NdjsonFormatter. */
export interface NdjsonFormatterOptions {
  /** Adds the message template as `template`. Default `true`. */
  includeTemplate?: boolean | undefined;
}

/**
 * Property names that get one more leading `_`: the top-level fields, and the same names already
 * prefixed with underscores. Escaping that whole family keeps the mapping injective (`level` →
 * `_level`, `_level` → `__level`), so two properties never share a key.
 */
const ESCAPED = /^_*(?:timestamp|level|message|template|exception)$/;

/**
 * Formats events as plain newline-delimited JSON, the shape pino and most log shippers read: one
 * flat object per event, no trailing newline, fields in this order: `timestamp` (ISO 8601 UTC; an invalid time or one outside the years 0001–9999 is
 * the time of formatting),
 * `level` (rxlog's level name, e.g. `"information"`), `message` (rendered), `template` (unless
 * `includeTemplate: false`), `exception` (the stack, when there is one), then the properties in
 * their order; a property named like a field above gets a leading `_` (`_level`), and one named
 * like that with underscores gets one more (`_level` → `__level`), so keys never collide. Values are written
 * as CLEF writes them (bigint as an integer, past 4300 digits as a string, NaN and ±Infinity as
 * strings, undefined left out).
 * `format` never throws.
 *
 * @example new NdjsonFormatter().format(event) // '{"timestamp":"2026-11-22T12:00:00.000Z","level":"information","message":"Hi Ann","template":"Hi {Name}","Name":"Ann"}'
 */
export class NdjsonFormatter implements Formatter {
  /** One JSON object per line, no trailing newline. */
  readonly singleLine = true;
  private readonly includeTemplate: boolean;
  private readonly times = new IsoTimestampCache();

  /** @throws ConfigurationError for an option it does not know (`includeTemplates`) or an `includeTemplate` that is not a boolean. */
  constructor(options: NdjsonFormatterOptions = {}) {
    this.includeTemplate = formatterFlag('NdjsonFormatter', options, 'includeTemplate', true);
  }

  /** One event as one JSON object, without a trailing newline. */
  format(event: LogEvent): string {
    try {
      return this.write(event, false);
    } catch {
      // Speed: the common event is written without a guard around each read. One that threw is
      // written again from a copy of its properties that reads each on its own (see readableProperties).
    }
    try {
      return this.write(event, true);
    } catch (error) {
      SelfLog.write('NdjsonFormatter failed to format an event: {Error}', error);
      return `{"timestamp":"${new Date().toISOString()}","level":"error","message":"Unformattable event","exception":${quoteJson(exceptionText(error))}}`;
    }
  }

  /** The event's line; `guarded`, from a copy of its properties in which a read that threw is its marker. */
  private write(event: LogEvent, guarded: boolean): string {
    const properties = guarded ? readableProperties(event.properties, 'NdjsonFormatter') : event.properties;
    const message = guarded ? renderTemplate(event.messageTemplate, properties) : eventMessage(event);
    // quoteJson: events built in JavaScript can carry any level text.
    let out = `{"timestamp":"${this.times.iso(event)}","level":${quoteJson(String(event.level))},"message":${quoteJson(message)}`;
    if (this.includeTemplate) out += `,"template":${quoteJson(event.messageTemplate.text)}`;
    if (event.exception !== undefined) out += `,"exception":${quoteJson(exceptionText(event.exception))}`;
    for (const name of Object.keys(properties)) {
      const value = properties[name];
      if (value === undefined) continue;
      out += `,${quoteJson(ESCAPED.test(name) ? `_${name}` : name)}:${writeJson(value)}`;
    }
    return `${out}}`;
  }
}
