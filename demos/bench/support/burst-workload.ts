import { nowNs } from './clock';

/** What the caller saw while logging a burst. */
export interface BurstTiming {
  /** Milliseconds for the whole loop of calls. */
  readonly loopMs: number;
  /** The longest single call, in milliseconds. */
  readonly longestCallMs: number;
}

/**
 * Calls `logOne(i)` `n` times in a tight loop, timing each call. The two clock reads per call
 * cost every library the same (about 60 ns).
 */
export function runBurst(n: number, logOne: (i: number) => void): BurstTiming {
  let longest = 0;
  const start = nowNs();
  for (let i = 0; i < n; i++) {
    const before = nowNs();
    logOne(i);
    const took = nowNs() - before;
    if (took > longest) longest = took;
  }
  return { loopMs: (nowNs() - start) / 1e6, longestCallMs: longest / 1e6 };
}
