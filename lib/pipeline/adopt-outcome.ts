/**
 * Calls `call` (a sink's write) and reports its outcome: `done` now for a plain result, or when a
 * thenable fulfils; `failed` when the call throws, the thenable rejects, or reading or calling its
 * `then` throws (a hostile Proxy, a Proxy around a Promise), so a batch is never left in flight by
 * a result that cannot be awaited. Every thenable, a native Promise too (its `then` may be its
 * own), is adopted through a new native promise, so `done` or `failed` is called once, and only once.
 */
export function adoptOutcome(call: () => unknown, done: (result: unknown) => void, failed: (error: unknown) => void): void {
  let result: unknown;
  let then: unknown;
  try {
    result = call();
    then =
      (typeof result === 'object' || typeof result === 'function') && result !== null
        ? (result as { then?: unknown }).then
        : undefined;
  } catch (error) {
    failed(error);
    return;
  }
  if (typeof then !== 'function') done(result);
  // A `then` that throws rejects this promise; one that calls back twice is heard once.
  else new Promise((resolve, reject) => void Reflect.apply(then as () => unknown, result, [resolve, reject])).then(done, failed);
}
