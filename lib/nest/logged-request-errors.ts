/** Most recent stack traces remembered for matching an error Nest reports as text. */
const RECENT_STACKS = 64;

const errors = new WeakSet<object>();
const stacks: string[] = [];

/**
 * Remembers an error the request interceptor wrote with its request's completion event, so that
 * `RxlogLoggerService` does not write it a second time when Nest's exception filter reports it
 * (Nest 12 passes the error itself; older versions pass its message and stack as text).
 */
export function markLoggedRequestError(error: unknown): void {
  if (typeof error !== 'object' || error === null) return;
  errors.add(error);
  const stack = stackOf(error);
  if (stack === undefined) return;
  stacks.push(stack);
  if (stacks.length > RECENT_STACKS) stacks.shift();
}

/** Whether `error` (an error object, or a stack trace as text) was written with a completion event. */
export function wasLoggedRequestError(error: unknown, stack?: string): boolean {
  if (typeof error === 'object' && error !== null && errors.has(error)) return true;
  return stack !== undefined && stacks.includes(stack);
}

/** An error's stack trace, when it has one as text. */
export function stackOf(error: object): string | undefined {
  try {
    const stack: unknown = (error as { stack?: unknown }).stack;
    return typeof stack === 'string' && stack !== '' ? stack : undefined;
  } catch {
    return undefined;
  }
}
