import type { LogEvent } from '../../core/log-event';
import { renderValue } from '../../templates/render-template';
import { syslogEscapeLineBreaks } from './syslog-framing';
import { syslogEventTime } from './syslog-event-time';
import { syslogHeaderField } from './syslog-header-field';
import type { SyslogMessageSettings } from './syslog-message-settings';
import { syslogEscapeNul, syslogMessageText } from './syslog-message-text';
import { syslogSeverity } from './syslog-severity';
import { syslogSdElement, syslogStructuredDataParams } from './syslog-structured-data';
import { syslogTruncateUtf8 } from './syslog-truncate-utf8';

/**
 * MSGID: the event's own property (never an Object.prototype member such as `constructor`), or the
 * NILVALUE when it is missing or its getter throws, as structured data skips such a property.
 */
function messageId(event: LogEvent, property: string | undefined): string {
  if (property === undefined) return '-';
  let value: unknown;
  try {
    // An event built in JavaScript may have properties that are null or a revoked Proxy.
    if (!Object.hasOwn(event.properties, property)) return '-';
    value = event.properties[property];
  } catch {
    return '-';
  }
  return value === undefined || value === null ? '-' : syslogHeaderField(renderValue(value), 32);
}

/**
 * The latest time sent: RFC 5424's TIMESTAMP has a four-digit year (RFC 3339's DATE-FULLYEAR), but
 * rsyslog refuses a year of 2100 or later (ParseTIMESTAMP3339 in its runtime/datetime.c) and then
 * reads the whole header as MSG. Such a time is a wrong clock or a wrong event, never a real one.
 */
const LAST_TIME_MS = Date.UTC(2099, 11, 31, 23, 59, 59, 999);
/** The earliest: 0000-01-01T00:00:00.000Z. */
const FIRST_TIME_MS = -62_167_219_200_000;

/**
 * TIMESTAMP: UTC to the millisecond, or the NILVALUE for an invalid time, one outside the years
 * 0000–2099, or one that cannot be read (an event built in JavaScript whose `timestamp` is no Date).
 */
function timestamp(event: LogEvent): string {
  const time = syslogEventTime(event);
  return time >= FIRST_TIME_MS && time <= LAST_TIME_MS ? new Date(time).toISOString() : '-';
}

/**
 * One event as an RFC 5424 message, `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD MSG`, with
 * a UTC timestamp to the millisecond (the NILVALUE `-` when the time is invalid or its year is
 * not 0000–2099) and MSG as UTF-8 without a BOM; NUL is written `#000` in structured data and MSG.
 * A message longer than `maxMessageBytes` is cut at a character boundary, in MSG; if the header
 * and structured data alone do not fit, the SD-PARAMs that do are kept, in order, and the others
 * left out whole (none left: `-`), so the message stays well-formed and one long value does not
 * take the other properties with it. `onCut` is called once for each property value left out for its
 * length, and once more when the message had to be cut.
 *
 * @example syslogRfc5424(event, settings) // '<14>1 2026-11-22T12:00:00.000Z web-1 shop 4242 Orders [rxlog@32473 Id="7"] Order 7 paid'
 */
export function syslogRfc5424(event: LogEvent, settings: SyslogMessageSettings, onCut?: () => void): string {
  const pri = settings.facility * 8 + syslogSeverity(event.level);
  const head = `<${pri}>1 ${timestamp(event)} ${settings.hostname} ${settings.appName} ${settings.procId} ${messageId(event, settings.messageIdProperty)} `;
  const id = settings.structuredDataId;
  const params = id === undefined ? [] : syslogStructuredDataParams(event.properties, settings.maxMessageBytes, onCut);
  const singleLine = settings.singleLine;
  let sd = id === undefined ? '-' : sentSd(syslogSdElement(params, id), singleLine);
  let msg = syslogMessageText(event, settings.formatter, settings.maxMessageBytes);
  if (singleLine) msg = syslogEscapeLineBreaks(msg);
  const max = settings.maxMessageBytes;
  const text = msg === '' ? head + sd : `${head}${sd} ${msg}`;
  // A UTF-16 unit is at most 3 UTF-8 bytes: short messages skip the byte count altogether.
  if (text.length * 3 <= max || Buffer.byteLength(text, 'utf8') <= max) return text;
  onCut?.();
  if (id !== undefined && sd !== '-' && Buffer.byteLength(head + sd, 'utf8') >= max) {
    sd = fittingSd(params, id, max - Buffer.byteLength(head, 'utf8'), singleLine);
    return syslogTruncateUtf8(msg === '' ? head + sd : `${head}${sd} ${msg}`, max);
  }
  return syslogTruncateUtf8(text, max);
}

/** Structured data as it is sent: NUL written `#000`, and line breaks escaped when `singleLine`. */
function sentSd(sd: string, singleLine: boolean): string {
  const escaped = syslogEscapeNul(sd);
  return singleLine ? syslogEscapeLineBreaks(escaped) : escaped;
}

/**
 * The SD-ELEMENT of the params that fit, taken in order, each whole or not at all, shorter than
 * `room` bytes as sent (as the whole element had to be); `-` when none does.
 */
function fittingSd(params: readonly string[], id: string, room: number, singleLine: boolean): string {
  let used = id.length + 2; // '[', the SD-ID (ASCII) and ']'
  const kept: string[] = [];
  for (let i = 0; i < params.length; i++) {
    const param = sentSd(params[i], singleLine);
    const bytes = Buffer.byteLength(param, 'utf8');
    if (used + bytes >= room) continue;
    used += bytes;
    kept.push(param);
  }
  return syslogSdElement(kept, id);
}
