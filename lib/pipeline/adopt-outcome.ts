/**
 * Calls `call` (a sink's write) and reports its outcome: `done` now for a plain result, or when a
 * thenable fulfils; `failed` when the call throws, the thenable rejects, or reading or calling its
 * `then` throws (a hostile Proxy), so a batch is never left in flight by a result that cannot be
 * awaited. A thenable is adopted through a native promise.
 */
export function adoptOutcome(call: () => unknown, done: (result: unknown) => void, failed: (error: unknown) => void): void {
  let result: unknown;
  let then: unknown;
  let native: boolean;
  try {
    result = call();
    then =
      (typeof result === 'object' || typeof result === 'function') && result !== null
        ? (result as { then?: unknown }).then
        : undefined;
    native = typeof then === 'function' && result instanceof Promise;
  } catch (error) {
    failed(error);
    return;
  }
  if (typeof then !== 'function') done(result);
  else if (native) (result as Promise<unknown>).then(done, failed);
  else new Promise((resolve, reject) => void Reflect.apply(then as () => unknown, result, [resolve, reject])).then(done, failed);
}
