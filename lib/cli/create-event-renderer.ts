import type { LogEvent } from '../core/log-event';
import { CompactJsonFormatter } from '../formatting/compact-json-formatter';
import { TextFormatter } from '../formatting/text-formatter';
import { ANSI_RESET, defaultConsoleTheme } from '../sinks/console-theme';

/** How the `rxlog` command shows an event. */
export interface EventRendererOptions {
  /** CLEF (`CompactJsonFormatter`) instead of text. Default `false`. */
  readonly json?: boolean;
  /** The output template of the text. Default `DEFAULT_OUTPUT_TEMPLATE`. */
  readonly template?: string;
  /** Colours each text line by level with `defaultConsoleTheme.ansi`; never applied to CLEF. Default `false`. */
  readonly color?: boolean;
}

/** Colours each line separately, so a multi-line stack trace keeps its colour and the newlines stay plain. */
function colorLines(text: string, code: string): string {
  return text
    .split('\n')
    .map((line) => (line === '' ? line : `${code}${line}${ANSI_RESET}`))
    .join('\n');
}

/**
 * Turns each event into the text `rxlog` writes for it, always ending with a newline: a CLEF
 * line, or the output template's text (with `\n` added when the template does not end with
 * `{NewLine}` or an exception), coloured by level when asked.
 *
 * @example createEventRenderer({ template: '{Level:u3} {Message}' })(event) // 'INF Hi Ann\n'
 */
export function createEventRenderer(options: EventRendererOptions = {}): (event: LogEvent) => string {
  if (options.json === true) {
    const clef = new CompactJsonFormatter();
    return (event) => `${clef.format(event)}\n`;
  }
  const text = new TextFormatter(options.template);
  const theme = options.color === true ? defaultConsoleTheme.ansi : undefined;
  return (event) => {
    let out = text.format(event);
    if (!out.endsWith('\n')) out += '\n';
    const code = theme?.[event.level] ?? '';
    return code === '' ? out : colorLines(out, code);
  };
}
