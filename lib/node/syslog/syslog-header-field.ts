/**
 * A value made fit for an RFC 5424 header field (HOSTNAME, APP-NAME, PROCID, MSGID) or an RFC 3164
 * TAG: characters outside printable US-ASCII (33–126), and any in `forbidden`, become `_`; the
 * result is cut to `maxLength` characters, and an empty value becomes the NILVALUE `-`.
 *
 * @example syslogHeaderField('my app', 48) // 'my_app'
 */
export function syslogHeaderField(value: string, maxLength: number, forbidden = ''): string {
  let out = '';
  const length = Math.min(value.length, maxLength);
  for (let i = 0; i < length; i++) {
    const c = value.charCodeAt(i);
    const ch = value[i];
    out += c >= 33 && c <= 126 && !forbidden.includes(ch) ? ch : '_';
  }
  return out === '' ? '-' : out;
}
