import type { LogEvent } from '../core/log-event';
import { SelfLog } from '../core/self-log';
import type { Formatter } from '../core/sink';

/**
 * Formats a batch into `lines` (cleared first), one line per event each ending in exactly one
 * `\n`. An event the formatter throws on is skipped and reported to SelfLog as coming from
 * `owner`, so one hostile event cannot fail its whole batch.
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
  const singleLine = formatter.singleLine === true;
  for (let i = 0; i < events.length; i++) {
    let line: string;
    try {
      line = formatter.format(events[i]);
    } catch (error) {
      SelfLog.write('{Owner}: the formatter failed; event skipped', owner, error);
      continue;
    }
    // Text formatters often end with {NewLine}; one newline per event either way. Reading the
    // last character flattens the line (a copy), so single-line formatters skip the check.
    indexes?.push(i);
    if (singleLine) lines.push(`${line}\n`);
    else lines.push(line.length > 0 && line.charCodeAt(line.length - 1) === 10 ? line : `${line}\n`);
  }
  return lines;
}
