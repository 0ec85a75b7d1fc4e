import { expectOption } from './expect-option';

/** The longest delay a timer can wait (2^31 - 1 ms, about 24.8 days); past it Node's and browsers' timers fire at once. */
export const MAX_TIMER_MS = 2_147_483_647;

/** Whether `value` is a delay a timer can wait: a number from 0 to {@link MAX_TIMER_MS}. */
export function isTimerMs(value: unknown): value is number {
  return typeof value === 'number' && value >= 0 && value <= MAX_TIMER_MS;
}

/**
 * Checks a delay option: a number of milliseconds from `min` to {@link MAX_TIMER_MS}.
 *
 * @throws ConfigurationError naming `where` and the value.
 */
export function checkTimerMs(where: string, value: unknown, min = 0): asserts value is number {
  expectOption(isTimerMs(value) && value >= min, where, `milliseconds from ${min} to ${MAX_TIMER_MS}`, value);
}
