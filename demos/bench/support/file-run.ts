import { nowNs, peakRssMiB } from './clock';
import { countLines, fsyncPath } from './file-lines';
import { hotPathResult } from './hot-path-workload';
import { reportResult } from './report-result';

/** What a logger's sink did not write: the counts of its shutdown report (rxlog's). */
export interface UnwrittenCounts {
  readonly dropped: number;
  readonly failed: number;
  readonly undelivered: number;
}

/**
 * Fsyncs `file`, then reports the run of `n` calls whose loop ran from `start` to `loopEnd`
 * (nanoseconds), end to end up to the fsync, with the lines in the file and, given `counts`, the
 * events the sink did not write.
 */
export function reportFileRun(file: string, n: number, start: number, loopEnd: number, counts?: UnwrittenCounts): void {
  fsyncPath(file);
  const end = nowNs();
  reportResult({
    ...hotPathResult({ n, loopNs: loopEnd - start, endToEndNs: end - start, lines: countLines(file) }),
    ...(counts === undefined ? {} : { dropped: counts.dropped + counts.failed + counts.undelivered }),
    peakRssMiB: peakRssMiB(),
  });
}
