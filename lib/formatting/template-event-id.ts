/**
 * The CLEF event id (`@i`) of a template, as Serilog computes it (`EventIdHash.Compute` in
 * Serilog.Formatting.Compact, which its rendered CLEF formatter writes as `@i`): Jenkins'
 * one-at-a-time 32-bit hash over the template text's UTF-16 code units, as 8 lower-case hex
 * digits. So events of one template share an id across processes, and with .NET apps that log
 * the same template through Serilog, Seq groups them under one event type.
 *
 * @example templateEventId('a') // 'ca2e9442'
 */
export function templateEventId(text: string): string {
  let hash = 0;
  for (let i = 0; i < text.length; i++) {
    hash = (hash + text.charCodeAt(i)) >>> 0;
    hash = (hash + (hash << 10)) >>> 0;
    hash = (hash ^ (hash >>> 6)) >>> 0;
  }
  hash = (hash + (hash << 3)) >>> 0;
  hash = (hash ^ (hash >>> 11)) >>> 0;
  hash = (hash + (hash << 15)) >>> 0;
  return hash.toString(16).padStart(8, '0');
}
