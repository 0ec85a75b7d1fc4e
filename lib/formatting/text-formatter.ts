import { expectOption } from '../core/expect-option';
import type { LogEvent } from '../core/log-event';
import { hasNoHoles, type MessageTemplate, type PropertyToken } from '../core/message-template';
import { SelfLog } from '../core/self-log';
import type { Formatter } from '../core/sink';
import { eventTimeMs } from '../templates/log-event-record';
import { formatDate } from '../templates/format-date';
import { parseTemplate } from '../templates/parse-template';
import { alignText, renderValue } from '../templates/render-template';
import { setOwnProperty } from '../templates/own-property';
import { memoOf } from '../templates/template-memo';
import { writeJson } from '../templates/safe-json';
import { escapeControlCharacters } from '../core/escape-control-characters';
import { read, thrownMessage } from '../core/read-property';
import { renderMessageEscaped } from './escape-control-characters';
import { exceptionText } from '../core/exception-text';
import { formatLevel } from './format-level';

/**
 * The event's time as a Date: a spread copy of a record has the record's `timeMs` but not its
 * `timestamp` getter. A time that cannot be read (an event built in JavaScript whose `timestamp`
 * is a number, a string or missing) is an invalid Date, written `Invalid Date` as one is.
 */
function eventDate(event: LogEvent): Date {
  const { timestamp } = event as Partial<LogEvent>;
  if (timestamp instanceof Date) return timestamp;
  try {
    return new Date(eventTimeMs(event));
  } catch {
    return new Date(Number.NaN);
  }
}

/** The output template used when none is given: `[12:00:00 INF] Message` and the exception's stack. */
export const DEFAULT_OUTPUT_TEMPLATE = '[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}';

/**
 * A line break of an exception's text before a line that starts at its first column and is none of
 * exceptionText's own (`caused by: `, `error 1 of 2: `, `[3 more errors]`): a line a message added
 * (``new Error(`no user ${name}`)``), which `{Exception}` indents so it cannot pass for a log line.
 */
const UNMARKED_LINE = /\n(?![\t ]|caused by: |error \d+ of \d+: |\[\d+ more errors\])(?=.)/g;

/** One hole of the output template; a missing event property renders as `''`, which its alignment pads. */
type Step = (event: LogEvent) => string;

const NO_NAMES: ReadonlySet<string> = new Set();

/** The names of the template's holes, found once and kept in its memo. */
function namesIn(template: MessageTemplate): ReadonlySet<string> {
  const memo = memoOf(template);
  let names = memo.names;
  if (names === undefined)
    memo.names = names = hasNoHoles(template)
      ? NO_NAMES
      : new Set(template.tokens.flatMap((token) => (token.kind === 'property' ? [token.name] : [])));
  return names;
}

/**
 * The properties `{Properties}` writes. Of an event built in JavaScript, a value whose read throws
 * (a getter, a Proxy trap) is its `'[Throws: message]'` marker, and properties that cannot be
 * listed (null, a revoked Proxy) one `rxlog.unreadable` entry, as the JSON writers write them
 * (see readableProperties), rather than the whole line becoming a placeholder.
 */
function remainingProperties(event: LogEvent, outputNames: ReadonlySet<string>): Record<string, unknown> {
  const inMessage = namesIn(event.messageTemplate);
  const rest: Record<string, unknown> = {};
  const properties = event.properties;
  let keys: string[];
  try {
    keys = Object.keys(properties);
  } catch (error) {
    return { 'rxlog.unreadable': `[Throws: ${thrownMessage(error)}]` };
  }
  for (const key of keys) {
    if (inMessage.has(key) || outputNames.has(key)) continue;
    // A getter of an event built in JavaScript may throw: its marker, not the whole event unformattable.
    setOwnProperty(rest, key, read(properties, key));
  }
  return rest;
}

function step(token: PropertyToken, outputNames: ReadonlySet<string>): Step {
  const format = token.format;
  switch (token.name) {
    case 'Timestamp':
      return (event) => formatDate(eventDate(event), format);
    case 'UtcTimestamp':
      return (event) => formatDate(eventDate(event), format, true);
    case 'Level':
      // A level outside the six (an app operator's, maybe from data) is written as it is named.
      return (event) => escapeControlCharacters(formatLevel(event.level, format));
    case 'Message':
      return renderMessageEscaped;
    case 'Properties':
      return (event) => escapeControlCharacters(writeJson(remainingProperties(event, outputNames)));
    case 'NewLine':
      return () => '\n';
    case 'Exception':
      return (event) =>
        event.exception === undefined
          ? ''
          : `${escapeControlCharacters(exceptionText(event.exception), true).replace(UNMARKED_LINE, '\n  ')}\n`;
    default: {
      const name = token.name;
      return (event) => {
        // A missing property renders as empty text, padded to its alignment so the columns after it
        // line up, as Serilog's console sink and Serilog.Expressions templates do (Serilog's
        // MessageTemplateTextFormatter skips it, padding and all); TraceId and SpanId outside a trace too.
        let value: unknown;
        try {
          if (!Object.hasOwn(event.properties, name)) return '';
          value = read(event.properties, name);
        } catch (error) {
          // Properties that are null or a revoked Proxy (an event built in JavaScript): as `{Properties}` writes it.
          value = `[Throws: ${thrownMessage(error)}]`;
        }
        // As Serilog's output templates: `u` and `w` upper- and lower-case a string property.
        return escapeControlCharacters(
          typeof value !== 'string'
            ? renderValue(value, format)
            : format === 'u'
              ? value.toUpperCase()
              : format === 'w'
                ? value.toLowerCase()
                : value,
        );
      };
    }
  }
}

/**
 * Formats events as text with an output template, as Serilog's console and file sinks do.
 *
 * Holes: `{Timestamp:format}` (see `formatDate`; local time; ISO 8601 UTC without a format),
 * `{UtcTimestamp:format}` (the same in UTC, as Serilog's),
 * `{Level}` / `{Level:u3}` (see `formatLevel`), `{Message}` (the rendered message; strings are
 * always bare, so `:l`, `:j` and `:lj` change nothing), `{Properties}` (the event's properties not
 * named in its message template nor in the output template, as one compact JSON object, `{}` when
 * none), `{NewLine}` (`\n`), `{Exception}` (the stack and `\n`, or nothing; a line the error's message
 * adds is indented by two spaces), and any event property
 * by name (`{SourceContext}`; empty text when the event lacks it, padded to the hole's alignment
 * as Serilog's console sink pads it, so the columns after it line up; `:u` / `:w` upper- /
 * lower-case a string value). Every hole takes an alignment
 * (`{Level,-12}`). Control characters in values that come from data (property values, in the
 * message too, a level outside the six, and the exception's text but its line breaks) are written as escapes (`\n`,
 * `\u001b`), so a value cannot drive the terminal or forge a line; the text of both templates is
 * kept as written. A property whose read throws (a getter of an event built in JavaScript) is its
 * `'[Throws: message]'` marker, as capture writes it. The template is parsed once, in the constructor; `format` never throws.
 *
 * @example new TextFormatter('{Level:u3} {Message}').format(event) // 'INF User 42 logged in'
 */
export class TextFormatter implements Formatter {
  readonly #steps: readonly Step[];

  /** @throws ConfigurationError when the output template is not a string. */
  constructor(outputTemplate: string = DEFAULT_OUTPUT_TEMPLATE) {
    expectOption(typeof outputTemplate === 'string', 'TextFormatter', 'an output template string', outputTemplate);
    const template = parseTemplate(outputTemplate);
    const outputNames = namesIn(template);
    this.#steps = template.tokens.map((token): Step => {
      if (token.kind === 'text') {
        const text = token.text;
        return () => text;
      }
      const render = step(token, outputNames);
      const alignment = token.alignment;
      return alignment === undefined ? render : (event) => alignText(render(event), alignment);
    });
  }

  /** The event as the output template renders it. */
  format(event: LogEvent): string {
    try {
      let out = '';
      const steps = this.#steps;
      for (let i = 0; i < steps.length; i++) out += steps[i](event);
      return out;
    } catch (error) {
      SelfLog.write('TextFormatter failed to format an event: {Error}', error);
      // One line, escaped: the error's text may come from the event's data (a hostile getter's
      // message), and its stack is SelfLog's to show.
      const text = exceptionText(error);
      const newline = text.indexOf('\n');
      return `[unformattable event: ${escapeControlCharacters(newline === -1 ? text : text.slice(0, newline))}]\n`;
    }
  }
}
