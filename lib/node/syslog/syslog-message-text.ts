import type { LogEvent } from '../../core/log-event';
import type { Formatter } from '../../core/sink';
import { exceptionText } from '../../formatting/exception-text';

/**
 * The MSG part of a syslog message: the formatter's output without trailing line breaks, or by
 * default the rendered message followed, on the next lines, by the exception's stack.
 */
export function syslogMessageText(event: LogEvent, formatter?: Formatter): string {
  if (formatter !== undefined) return formatter.format(event).replace(/[\r\n]+$/, '');
  const message = event.renderMessage();
  return event.exception === undefined ? message : `${message}\n${exceptionText(event.exception)}`;
}
