import { describeValue } from '../core/describe-value';
import type { LogEvent } from '../core/log-event';
import { SelfLog } from '../core/self-log';
import type { EmitResult, Formatter } from '../core/sink';

/**
 * Formats a batch into `lines` (cleared first), one line per event each ending in exactly one
 * `\n`. An event the formatter throws on (or returns no string for) is skipped and reported to
 * SelfLog as coming from `owner`, so one hostile event cannot fail its whole batch.
 *
 * @param indexes When given, receives the index in `events` of each line's event (skipped events have none).
 * @returns `lines`, reused by the caller across batches to spare an allocation.
 */
export function formatLines(
  formatter: Formatter,
  events: readonly LogEvent[],
  lines: string[],
  owner: string,
  indexes?: number[],
): string[] {
  lines.length = 0;
  if (indexes !== undefined) indexes.length = 0;
  for (let i = 0; i < events.length; i++) {
    const line = formatLine(formatter, events[i], owner);
    if (line === undefined) continue;
    indexes?.push(i);
    lines.push(line);
  }
  return lines;
}

/**
 * Formats one event as a line ending in exactly one `\n`; undefined when the formatter throws or
 * returns something other than a string (reported to SelfLog as coming from `owner`).
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

/**
 * How many of `lines` fit whole in the first `bytes` bytes of their UTF-8 text (`lineCount`), and
 * the bytes those lines take (`whole`): what a reader got of a write cut short.
 */
export function wholeLines(lines: readonly string[], bytes: number): { whole: number; lineCount: number } {
  let whole = 0;
  let lineCount = 0;
  while (lineCount < lines.length) {
    const next = whole + Buffer.byteLength(lines[lineCount], 'utf8');
    if (next > bytes) break;
    whole = next;
    lineCount++;
  }
  return { whole, lineCount };
}

/**
 * What a file or stream sink's write says of the events its formatter made it skip: nothing when
 * none, else an EmitResult, so the pipeline counts them failed rather than delivered.
 */
export function skippedEvents(skipped: number): EmitResult | undefined {
  return skipped > 0 ? { rejected: skipped } : undefined;
}
