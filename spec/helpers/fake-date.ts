/**
 * Fakes Date only: the clock moves in virtual time (jest.setSystemTime, jest.advanceTimersByTime
 * moves nothing else) while real servers and requests run on real timers.
 */
export function fakeDateOnly(now?: number): void {
  jest.useFakeTimers({
    ...(now === undefined ? {} : { now }),
    doNotFake: [
      'hrtime',
      'nextTick',
      'performance',
      'queueMicrotask',
      'setImmediate',
      'clearImmediate',
      'setInterval',
      'clearInterval',
      'setTimeout',
      'clearTimeout',
    ],
  });
}
