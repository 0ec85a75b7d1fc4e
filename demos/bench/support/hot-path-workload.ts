/** The template every library logs in the hot-path scenarios (rxlog's wording; pino and winston log the same two properties). */
export const HOT_TEMPLATE = 'User {User} did {Action}';

/** Eight user names, picked by the loop index, so values vary without allocating in the loop. */
export const USERS: readonly string[] = ['u0', 'u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7'];

/** The action logged with every event. */
export const ACTION = 'login';

/** What a hot-path child measured, in the units the table shows. */
export interface HotPathTiming {
  /** Events logged. */
  readonly n: number;
  /** Nanoseconds from the first call to the return of the last one. */
  readonly loopNs: number;
  /** Nanoseconds from the first call until the file was closed and fsynced. */
  readonly endToEndNs: number;
  /** Newline-terminated lines found in the file afterwards. */
  readonly lines: number;
}

/** The hot-path result fields, shared by every library's child so the columns line up. */
export function hotPathResult(timing: HotPathTiming): Record<string, number> {
  return {
    callerNsPerCall: timing.loopNs / timing.n,
    eventsPerSec: timing.n / (timing.endToEndNs / 1e9),
    endToEndMs: timing.endToEndNs / 1e6,
    lostLines: timing.n - timing.lines,
  };
}
