import type { LogEvent } from '../../core/log-event';
import { SelfLog } from '../../core/self-log';
import type { Formatter } from '../../core/sink';
import { exceptionText } from '../../core/exception-text';
import { trimNewline } from '../../formatting/trim-newline';
import { eventTimeMs, LogEventRecord } from '../../templates/log-event-record';
import { parseTemplateCached } from '../../templates/template-cache';

const UNFORMATTABLE_TEMPLATE = 'Event with message template {OriginalMessageTemplate} could not be formatted as JSON';

/**
 * The line an HTTP sink sends in place of an event its `formatter` threw on, as Serilog's Seq sink's
 * `ConstrainedBufferedFormatter` writes it: an Error event `Event with message template
 * {OriginalMessageTemplate} could not be formatted as JSON` carrying the error, at the event's
 * time, written by the same formatter; SelfLog says so. Undefined, the event left out, when the
 * formatter throws on that too or `fits` refuses it. Never throws.
 */
export function unformattableLine(
  formatter: Formatter,
  event: LogEvent,
  error: unknown,
  sink: string,
  fits: (line: string) => boolean = () => true,
): string | undefined {
  const original = templateText(event);
  const exception = error instanceof Error ? error : new Error(exceptionText(error));
  const properties = original === undefined ? {} : { OriginalMessageTemplate: original };
  const template = parseTemplateCached(UNFORMATTABLE_TEMPLATE);
  try {
    const line = trimNewline(
      formatter.format(new LogEventRecord(eventTimeOrNow(event), 'error', template, properties, exception)),
    );
    if (fits(line)) {
      SelfLog.write(
        '{Sink}: an event with message template {Template} could not be formatted; a placeholder is sent in its place: {Error}',
        sink,
        original,
        error,
      );
      return line;
    }
  } catch {
    // Left out below, as Serilog's sink drops what it cannot write even as a placeholder.
  }
  SelfLog.write(
    '{Sink}: an event with message template {Template} could not be formatted, nor its placeholder; it is left out: {Error}',
    sink,
    original,
    error,
  );
  return undefined;
}

/**
 * The event's line by `formatter`, without its newline; when the formatter throws, its placeholder
 * (see {@link unformattableLine}), or undefined when that cannot be written either. Never throws.
 */
export function lineOrPlaceholder(
  formatter: Formatter,
  event: LogEvent,
  sink: string,
  fits?: (line: string) => boolean,
): string | undefined {
  try {
    return trimNewline(formatter.format(event));
  } catch (error) {
    return unformattableLine(formatter, event, error, sink, fits);
  }
}

/**
 * A batch's body: each event's line joined by `\n`; an event `lineOf` gives none for is left out and
 * added to `omitted`, and one it gives a line for is taken out of it: a body built again (a retry)
 * that writes an event an earlier one left out sends it, and the sink counts it delivered.
 */
export function joinLines(
  events: readonly LogEvent[],
  lineOf: (event: LogEvent) => string | undefined,
  omitted?: WeakSet<LogEvent>,
): string {
  const lines: string[] = [];
  for (const event of events) {
    const line = lineOf(event);
    if (line === undefined) omitted?.add(event);
    else {
      omitted?.delete(event);
      lines.push(line);
    }
  }
  return lines.join('\n');
}

/** The event's time as the formatters read it (an app's spread copy of a record has `timeMs`, not `timestamp`), else now. */
export function eventTimeOrNow(event: LogEvent): number {
  try {
    const time = eventTimeMs(event);
    return Number.isNaN(time) ? Date.now() : time;
  } catch {
    return Date.now();
  }
}

/** The event's template text, or undefined when it cannot be read as a string. */
function templateText(event: LogEvent): string | undefined {
  try {
    const text: unknown = event.messageTemplate.text;
    return typeof text === 'string' ? text : undefined;
  } catch {
    return undefined;
  }
}
