/** Timers and queues that stay real: servers and requests run on them while the clocks are faked. */
const REAL = [
  'hrtime',
  'nextTick',
  'queueMicrotask',
  'setImmediate',
  'clearImmediate',
  'setInterval',
  'clearInterval',
  'setTimeout',
  'clearTimeout',
] as const;

/**
 * Fakes Date only: the clock moves in virtual time (jest.setSystemTime, jest.advanceTimersByTime
 * moves nothing else) while real servers and requests run on real timers.
 */
export function fakeDateOnly(now?: number): void {
  jest.useFakeTimers({ ...(now === undefined ? {} : { now }), doNotFake: [...REAL, 'performance'] });
}

/**
 * Fakes Date and `performance.now()` only, for code on the monotonic clock (a rate limiter's
 * buckets): jest.advanceTimersByTime moves both while real servers run on real timers.
 */
export function fakeClocksOnly(now?: number): void {
  jest.useFakeTimers({ ...(now === undefined ? {} : { now }), doNotFake: [...REAL] });
}
