import type { SchedulerLike } from 'rxjs';

/**
 * Resolves `true` when `promise` settles within `timeoutMs` on the scheduler, else `false` at the
 * timeout (the promise is left running). Without a timeout it simply waits.
 */
export function settlesWithin(
  promise: Promise<unknown>,
  timeoutMs: number | undefined,
  scheduler: SchedulerLike,
): Promise<boolean> {
  const settled = promise.then(
    () => true,
    () => true,
  );
  if (timeoutMs === undefined) return settled;
  return new Promise<boolean>((resolve) => {
    const timer = scheduler.schedule(() => resolve(false), timeoutMs);
    void settled.then(() => {
      timer.unsubscribe();
      resolve(true);
    });
  });
}
