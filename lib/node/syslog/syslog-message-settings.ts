import type { Formatter } from '../../core/sink';

/** What a SyslogSink puts around each event, resolved and sanitised once when it is built. */
export interface SyslogMessageSettings {
  /** The facility code, 0–23. */
  readonly facility: number;
  /** HOSTNAME, already valid for the format (with RFC 3164, `''` leaves it out). */
  readonly hostname: string;
  /** APP-NAME (RFC 5424) or TAG (RFC 3164), already valid for the format. */
  readonly appName: string;
  /** PROCID, already a valid header field. */
  readonly procId: string;
  /** The property whose value becomes MSGID; undefined writes `-`. */
  readonly messageIdProperty: string | undefined;
  /** The SD-ID of the properties' SD-ELEMENT; undefined writes no structured data. */
  readonly structuredDataId: string | undefined;
  /** Writes MSG; undefined renders the message plus the exception's stack. */
  readonly formatter: Formatter | undefined;
  /** Longest message, in bytes of UTF-8, framing excluded. */
  readonly maxMessageBytes: number;
  /** Escape line breaks, for newline-framed streams. */
  readonly singleLine: boolean;
}
