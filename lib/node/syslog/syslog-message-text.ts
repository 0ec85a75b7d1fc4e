import type { LogEvent } from '../../core/log-event';
import type { Formatter } from '../../core/sink';
import { renderMessageEscaped } from '../../formatting/escape-control-characters';
import { exceptionText } from '../../core/exception-text';

/**
 * The MSG part of a syslog message: the formatter's output without trailing line breaks, or by
 * default the rendered message (control characters in property values escaped, as text output
 * does) followed, on the next lines, by the exception's stack. NUL is written `#000` either way.
 *
 * @param maxLength Cut to this many UTF-16 units before NUL is escaped: a message of
 *   `maxLength` bytes cannot hold more (a unit is at least a byte), so the caller's byte cut, which
 *   follows, gives the same text without escaping the megabytes it drops.
 */
export function syslogMessageText(event: LogEvent, formatter?: Formatter, maxLength = Number.POSITIVE_INFINITY): string {
  let text: string;
  if (formatter !== undefined) text = trimLineBreaks(formatter.format(event));
  else {
    const message = renderMessageEscaped(event);
    text = event.exception === undefined ? message : `${message}\n${exceptionText(event.exception)}`;
  }
  return syslogEscapeNul(text.length > maxLength ? text.slice(0, maxLength) : text);
}

/**
 * `text` without its trailing CRs and LFs. A loop from the end, not `/[\r\n]+$/`: that expression
 * backtracks over every run of line breaks not at the end (quadratic: an exception message of
 * 40 000 line breaks took 6 s), and a formatter's `{Exception}` keeps line breaks from outside input.
 */
function trimLineBreaks(text: string): string {
  let end = text.length;
  while (end > 0) {
    const c = text.charCodeAt(end - 1);
    if (c !== 10 && c !== 13) break;
    end--;
  }
  return end === text.length ? text : text.slice(0, end);
}

/**
 * NUL written as rsyslog shows control characters (`#000`): many receivers end a C string there,
 * and some end a newline-framed message there too (RFC 6587 §3.4.2), so what follows would be
 * read as a message of its own.
 */
export function syslogEscapeNul(text: string): string {
  return text.indexOf('\0') === -1 ? text : text.replace(/\0/g, '#000');
}
