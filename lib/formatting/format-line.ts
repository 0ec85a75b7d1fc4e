import { describeValue } from '../core/describe-value';
import type { LogEvent } from '../core/log-event';
import { SelfLog } from '../core/self-log';
import type { Formatter } from '../core/sink';

/**
 * Formats one event as a line ending in exactly one `\n`; undefined when the formatter throws or
 * returns something other than a string (reported to SelfLog as coming from `owner`), so one
 * hostile event cannot fail its whole batch. File, stream and console sinks share it.
 *
 * @example formatLine(new CompactJsonFormatter(), event, 'FileSink') // '{"@t":"…","@mt":"…"}\n'
 */
export function formatLine(formatter: Formatter, event: LogEvent, owner: string): string | undefined {
  let line: string;
  try {
    line = formatter.format(event);
  } catch (error) {
    SelfLog.write('{Owner}: the formatter failed; event skipped', owner, error);
    return undefined;
  }
  // A JavaScript formatter may return anything: reading `.length` of undefined would throw and
  // fail the whole batch, and `${line}` would write "undefined" as the event.
  if (typeof line !== 'string') {
    SelfLog.write('{Owner}: the formatter returned {Value}, not a string; event skipped', owner, describeValue(line));
    return undefined;
  }
  // Text formatters often end with {NewLine}; one newline per event either way. Reading the
  // last character flattens the line (a copy), so single-line formatters skip the check.
  if (formatter.singleLine === true) return `${line}\n`;
  return line.length > 0 && line.charCodeAt(line.length - 1) === 10 ? line : `${line}\n`;
}
