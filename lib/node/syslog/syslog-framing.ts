/** How messages are delimited on a stream transport (RFC 6587): a byte-count prefix, or a trailing LF. */
export type SyslogFraming = 'octet-counting' | 'newline';

const LINE_BREAKS = /[\r\n]/g;

/**
 * Line breaks escaped the way rsyslog shows control characters (`#012` for LF, `#015` for CR),
 * so a multi-line message cannot split a newline-framed stream.
 */
export function syslogEscapeLineBreaks(text: string): string {
  return text.indexOf('\n') === -1 && text.indexOf('\r') === -1
    ? text
    : text.replace(LINE_BREAKS, (c) => (c === '\n' ? '#012' : '#015'));
}

/**
 * Messages framed for a stream transport and joined, ready for one `write`: octet counting
 * writes `<byte length> <message>` (RFC 6587 §3.4.1), newline framing `<message>\n`
 * (§3.4.2; messages must already be free of line breaks).
 */
export function syslogFrame(messages: readonly string[], framing: SyslogFraming): string {
  let out = '';
  if (framing === 'newline') {
    for (let i = 0; i < messages.length; i++) out += `${messages[i]}\n`;
  } else {
    for (let i = 0; i < messages.length; i++) out += `${Buffer.byteLength(messages[i], 'utf8')} ${messages[i]}`;
  }
  return out;
}
