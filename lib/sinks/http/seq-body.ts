import type { LogEvent } from '../../core/log-event';
import { SelfLog } from '../../core/self-log';
import type { Formatter } from '../../core/sink';
import { trimNewline } from '../../formatting/trim-newline';
import { LogEventRecord } from '../../templates/log-event-record';
import { parseTemplateCached } from '../../templates/template-cache';
import { utf8Length } from './http-utf8-length';
import { eventTimeOrNow, joinLines, lineOrPlaceholder } from './unformattable-line';

const OVERSIZE_TEMPLATE =
  'Event JSON representation exceeds the body size limit {EventBodyLimitBytes}; sample: {EventBodySample}';

/**
 * A SeqSink's batch body, as Serilog's Seq sink's `ConstrainedBufferedFormatter` writes it: each
 * event's line joined by `\n`; an event the formatter throws on is sent as an Error event
 * `Event with message template {OriginalMessageTemplate} could not be formatted as JSON`
 * carrying the error, and a line over `limit` UTF-8 bytes as the oversize placeholder (see
 * `oversizeLine`). An event whose placeholder cannot be written either is left out of the body and
 * added to `omitted`, so the sink counts it failed. Never throws, whatever the formatter does.
 */
export function seqBody(
  formatter: Formatter,
  limit: number,
  omitted: WeakSet<LogEvent>,
): (events: readonly LogEvent[]) => string {
  return (events) => joinLines(events, (event) => eventLine(formatter, event, limit), omitted);
}

function eventLine(formatter: Formatter, event: LogEvent, limit: number): string | undefined {
  // A placeholder for an event the formatter threw on is written only when it fits.
  const line = lineOrPlaceholder(formatter, event, 'SeqSink', (written) => fits(written, limit));
  if (line === undefined) return undefined;
  return fits(line, limit) ? line : oversizeLine(formatter, event, line, limit);
}

/**
 * The line in place of an event's `line` over `limit` UTF-8 bytes, as Serilog's Seq sink's
 * `ConstrainedBufferedFormatter` writes it: an Error event carrying the limit and the line's first
 * `(limit - 2048) / 2` characters (halved while the placeholder is over the limit, down to 512);
 * undefined, the event left out, when even that is over the limit or the formatter throws on it.
 */
function oversizeLine(formatter: Formatter, event: LogEvent, line: string, limit: number): string | undefined {
  const template = parseTemplateCached(OVERSIZE_TEMPLATE);
  const time = eventTimeOrNow(event);
  try {
    // Serilog's sample allows 2 bytes a character; text of 3 (CJK) or escapes gets a shorter one, down to 512.
    for (let length = Math.max(Math.floor((limit - 2048) / 2), 512); length >= 512; length = Math.floor(length / 2)) {
      const properties = { EventBodyLimitBytes: limit, EventBodySample: line.slice(0, length) };
      const written = trimNewline(formatter.format(new LogEventRecord(time, 'error', template, properties)));
      if (fits(written, limit)) {
        SelfLog.write('SeqSink: an event over eventBodyLimitBytes ({Limit}) is sent as a placeholder', limit);
        return written;
      }
    }
    SelfLog.write('SeqSink: an event over eventBodyLimitBytes ({Limit}) is left out: even its placeholder is over it', limit);
  } catch (error) {
    SelfLog.write(
      'SeqSink: an event over eventBodyLimitBytes ({Limit}) is left out: its placeholder could not be formatted: {Error}',
      limit,
      error,
    );
  }
  return undefined;
}

/** Whether a line's UTF-8 bytes are at most `limit`; a UTF-16 unit is at most 3 bytes, so most lines are not counted. */
function fits(line: string, limit: number): boolean {
  return line.length * 3 <= limit || utf8Length(line) <= limit;
}
