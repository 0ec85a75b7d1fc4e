/** The longest delay a timer can wait (2^31 - 1 ms, about 24.8 days); past it Node's and browsers' timers fire at once. */
export const MAX_TIMER_MS = 2_147_483_647;

/** Whether `value` is a delay a timer can wait: a number from 0 to {@link MAX_TIMER_MS}. */
export function isTimerMs(value: unknown): value is number {
  return typeof value === 'number' && value >= 0 && value <= MAX_TIMER_MS;
}
