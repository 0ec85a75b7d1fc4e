/** How many times scenario 13 times each method in one process (the fastest is kept). */
export const METHOD_ROUNDS = 11;

/**
 * Times every loop `rounds` times, the order rotating by one each round so that no method always
 * runs first (cold) or right after the same neighbour; returns each loop's fastest ns per call.
 * A first untimed round warms every loop up. The fastest, not the median: on a shared machine
 * other work only ever adds time to a round, and a loop of a few nanoseconds a call is shifted
 * more by that than by anything it does itself.
 */
export function fastestNsPerCall(
  loops: Readonly<Record<string, (count: number) => void>>,
  rounds: number,
  time: (loop: (count: number) => void) => number,
): Record<string, number> {
  const names = Object.keys(loops);
  for (const name of names) loops[name](100_000);
  const samples = new Map<string, number[]>(names.map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(k + round) % names.length];
      samples.get(name)?.push(time(loops[name]));
    }
  }
  const result: Record<string, number> = {};
  for (const [name, values] of samples) result[name] = Math.min(...values);
  return result;
}
