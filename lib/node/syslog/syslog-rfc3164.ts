import type { LogEvent } from '../../core/log-event';
import { syslogEscapeLineBreaks } from './syslog-framing';
import { syslogEventTime } from './syslog-event-time';
import type { SyslogMessageSettings } from './syslog-message-settings';
import { syslogMessageText } from './syslog-message-text';
import { syslogSeverity } from './syslog-severity';
import { syslogTruncateUtf8 } from './syslog-truncate-utf8';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/**
 * RFC 3164's TIMESTAMP, `Mmm dd hh:mm:ss` in local time, the day padded with a space (`Nov  2`);
 * the time of formatting when the event's is invalid, past a Date's range (a copy's `timeMs` of
 * 1e20 or Infinity) or cannot be read (the format has no NILVALUE).
 */
function bsdTimestamp(event: LogEvent): string {
  let d = new Date(syslogEventTime(event));
  // An invalid Date made `undefined NaN NaN:NaN:NaN`, longer than the header's bound too.
  if (Number.isNaN(d.getTime())) d = new Date();
  const day = d.getDate();
  return `${MONTHS[d.getMonth()]} ${day < 10 ? ` ${day}` : day} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/**
 * A value made fit for RFC 3164's HOSTNAME as receivers parse it: rsyslog takes that word for the
 * hostname only when it holds nothing but letters, digits, `.`, `_` and `-` and ends in a letter or
 * digit; any other word (`web@1`, `fe80::1`, `node-`, `-`) it reads as the TAG, and the real TAG and
 * PID become part of MSG. Other characters become `_`, trailing ones that are not letters or digits
 * are dropped, and the result is cut to 255 characters; empty means no HOSTNAME at all, which
 * receivers fill in with the sender's address (as for local syslog(3) messages).
 *
 * @example syslogBsdHostname('fe80::1') // 'fe80__1'
 */
export function syslogBsdHostname(value: string): string {
  let out = value.slice(0, 255).replace(/[^A-Za-z0-9._-]/g, '_');
  while (out !== '' && !/[A-Za-z0-9]$/.test(out)) out = out.slice(0, -1);
  return out;
}

/**
 * One event as a BSD syslog message (RFC 3164), `<PRI>Mmm dd hh:mm:ss HOSTNAME TAG[PID]: MSG`, for
 * receivers that predate RFC 5424. The timestamp is local time without year or milliseconds, as
 * that format has it; properties are not sent (the format has no structured data). A message
 * longer than `maxMessageBytes` is cut at a character boundary (and `onCut` called). An empty `hostname` (see
 * syslogBsdHostname) leaves the HOSTNAME out.
 *
 * @example syslogRfc3164(event, settings) // '<14>Nov 22 12:00:00 web-1 shop[4242]: Order 7 paid'
 */
export function syslogRfc3164(event: LogEvent, settings: SyslogMessageSettings, onCut?: () => void): string {
  const pri = settings.facility * 8 + syslogSeverity(event.level);
  let msg = syslogMessageText(event, settings.formatter, settings.maxMessageBytes);
  if (settings.singleLine) msg = syslogEscapeLineBreaks(msg);
  const host = settings.hostname === '' ? '' : `${settings.hostname} `;
  const head = `<${pri}>${bsdTimestamp(event)} ${host}${settings.appName}[${settings.procId}]:`;
  const text = msg === '' ? head : `${head} ${msg}`;
  const cut = syslogTruncateUtf8(text, settings.maxMessageBytes);
  if (cut.length !== text.length) onCut?.();
  return cut;
}
