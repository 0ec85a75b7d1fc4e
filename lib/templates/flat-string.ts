/**
 * A copy of `text` that shares no memory with the string it was cut from. V8 represents
 * `slice`/`substring` results (and strings built from them) as views that keep the whole original
 * alive, so a 64 KiB cut of a 100 MiB string would retain 100 MiB in a queue; this copy lets the
 * original be collected. Costs one pass over `text`: for cut strings only, never the hot path.
 *
 * @example const kept = flatString(`${huge.slice(0, 1024)}…[truncated]`);
 */
export function flatString(text: string): string {
  // JSON.parse builds a fresh sequential string from its input; the round trip is exact for any string.
  return JSON.parse(JSON.stringify(text)) as string;
}
