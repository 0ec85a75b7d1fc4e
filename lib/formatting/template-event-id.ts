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
  // Each `^=` works on 32-bit integers, so every round ends wrapped to 32 bits: the sums before it
  // stay far below 2^53, exact in a double. `>>> 0` reads the last sum as the unsigned 32-bit hash.
  let hash = 0;
  for (let i = 0; i < text.length; i++) {
    hash += text.charCodeAt(i);
    hash += hash << 10;
    hash ^= hash >>> 6;
  }
  hash += hash << 3;
  hash ^= hash >>> 11;
  hash += hash << 15;
  return (hash >>> 0).toString(16).padStart(8, '0');
}
