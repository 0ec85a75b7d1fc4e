import type { LogEvent } from '../core/log-event';
import type { EmitResult, Formatter } from '../core/sink';
import { formatLine } from '../formatting/format-line';

// FileSink formats its events one at a time.
export { formatLine };

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
