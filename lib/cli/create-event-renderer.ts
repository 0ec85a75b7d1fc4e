import type { LogEvent } from '../core/log-event';
import { CompactJsonFormatter } from '../formatting/compact-json-formatter';
import { escapeControlCharacters } from '../core/escape-control-characters';
import { TextFormatter } from '../formatting/text-formatter';
import { ANSI_RESET, defaultConsoleTheme } from '../sinks/console-theme';
import { DisplayedEvent } from './bounded-event';
import { writeJson } from '../templates/safe-json';
import { wholeJson } from './written-whole';
import { LINE_RENDERINGS, type MaybeRenderedEvent } from '../formatting/line-renderings';

/** How the `rxlog` command shows an event. */
export interface EventRendererOptions {
  /** CLEF (`CompactJsonFormatter`) instead of text. Default `false`. */
  readonly json?: boolean | undefined;
  /** The output template of the text. Default `DEFAULT_OUTPUT_TEMPLATE`. */
  readonly template?: string | undefined;
  /** Colours each text line by level with `defaultConsoleTheme.ansi`; never applied to CLEF. Default `false`. */
  readonly color?: boolean | undefined;
}

/** Colours each line separately, so a multi-line stack trace keeps its colour and the newlines stay plain. */
function colorLines(text: string, code: string): string {
  return text
    .split('\n')
    .map((line) => (line === '' ? line : `${code}${line}${ANSI_RESET}`))
    .join('\n');
}

/**
 * The event with control characters escaped in its template text too. Text output keeps a
 * template as the developer wrote it, but here it was read from a file: it is data, and a hostile
 * line must no more drive the terminal or forge a line with its `@mt` or `@m` than with a value.
 * Each control character is escaped on its own, so escaping the rendered message escapes its
 * text and its values alike; a formatted hole keeps the line's `@r` rendering (see `RenderedEvent`).
 */
function withEscapedMessage(event: LogEvent): LogEvent {
  const rendered = event.renderMessage();
  const escaped = escapeControlCharacters(rendered);
  return escaped === rendered ? event : new DisplayedEvent(event, escaped);
}

/** The event without the properties `names`: the rest, its message and its renderings are its own. */
function withoutProperties(event: LogEvent, names: readonly string[]): LogEvent {
  const properties: Record<string, unknown> = {};
  for (const key of Object.keys(event.properties))
    if (!names.includes(key))
      Object.defineProperty(properties, key, {
        value: event.properties[key],
        enumerable: true,
        writable: true,
        configurable: true,
      });
  const copy = Object.create(event, { properties: { value: properties } }) as LogEvent;
  return new DisplayedEvent(copy, event.renderMessage(), (event as MaybeRenderedEvent)[LINE_RENDERINGS]);
}

/**
 * Turns each event into the text `rxlog` writes for it, always ending with a newline: a CLEF
 * line (its `@t` with the digits past the millisecond of a `DisplayedEvent`'s line; its `@i` the
 * line's own, `eventId`, when given, else the template's hash; the line's own `@` fields, `atFields`, after the
 * properties, as written; with `whole`, for an event the formatter would cut (see `writtenWhole`), its structured
 * values after the others, whole (see `wholeJson`); its C1
 * controls, DEL and U+2028/U+2029 written as `\u` escapes, as JSON has them), or
 * the output template's text (with `\n` added when the template does not end with `{NewLine}` or
 * an exception), coloured by level when asked. Control characters in the
 * template text are escaped as in values (see `escapeControlCharacters`).
 *
 * @example createEventRenderer({ template: '{Level:u3} {Message}' })(event) // 'INF Hi Ann\n'
 */
export function createEventRenderer(
  options: EventRendererOptions = {},
): (event: LogEvent, eventId?: string | number | bigint, atFields?: readonly string[], whole?: boolean) => string {
  if (options.json === true) {
    const clef = new CompactJsonFormatter();
    // JSON escapes C0 controls but leaves C1 (U+009B is a one-byte CSI, which xterm and VTE act on when it comes as
    // UTF-8), DEL and U+2028/U+2029 raw: written as `\u009b` …, the line is the same JSON and cannot drive a terminal.
    // The formatter's own `@i` is the first `,"@i":"` of its line: a string before it (`@mt`) has its quotes escaped.
    return (event, eventId, atFields, whole = false) => {
      // Written after the formatter's line: a line's own `@ps`, `@st` … (Seq's span fields), as they were (the formatter
      // would escape them as `@@ps`), and, for an event the formatter would cut, its structured values, whole.
      const apart =
        whole === true
          ? Object.keys(event.properties).filter((name) => {
              const value = event.properties[name];
              return atFields?.includes(name) === true || (typeof value === 'object' && value !== null);
            })
          : atFields;
      let line = clef.format(apart === undefined || apart.length === 0 ? event : withoutProperties(event, apart));
      if (apart !== undefined && apart.length > 0) {
        let more = '';
        for (const name of apart) {
          if (!Object.hasOwn(event.properties, name)) continue;
          // Any other name that starts with `@` escaped as the formatter escapes it: `@@name`.
          const key = name.charCodeAt(0) === 0x40 && atFields?.includes(name) !== true ? `@${name}` : name;
          const value = event.properties[name];
          more += `,${writeJson(key)}:${whole ? wholeJson(value) : writeJson(value)}`;
        }
        line = `${line.slice(0, -1)}${more}}`;
      }
      // The digits of the line's time past the millisecond, back in `@t` before its `Z` (`{"@t":"2026-11-22T10:00:00.123Z"`):
      // Serilog writes ticks (`.1234567`), and Seq keeps them and orders events of one millisecond by them.
      const fine = event instanceof DisplayedEvent ? event.subMillisecond : '';
      if (fine !== '' && line.charCodeAt(30) === 0x5a) line = `${line.slice(0, 30)}${fine}${line.slice(30)}`;
      const written = eventId === undefined ? line : line.replace(/,"@i":"[0-9a-f]{8}"/, () => `,"@i":${writeJson(eventId)}`);
      return `${escapeControlCharacters(written)}\n`;
    };
  }
  const text = new TextFormatter(options.template);
  const theme = options.color === true ? defaultConsoleTheme.ansi : undefined;
  return (event) => {
    let out = text.format(withEscapedMessage(event));
    if (!out.endsWith('\n')) out += '\n';
    const code = theme?.[event.level] ?? '';
    return code === '' ? out : colorLines(out, code);
  };
}
