/**
 * Most thenables adopted one inside another for one call (a sink's write, an app's callback): one
 * whose `then` fulfils with itself, as a fluent builder's may, or two that fulfil with each other,
 * would otherwise be adopted for ever, on microtasks alone, starving the event loop so that not
 * even a close timeout could fire.
 */
export const MAX_NESTED_THENABLES = 32;

/**
 * Calls `call` (a sink's write, an app's callback) and reports its outcome: `done` now for a
 * plain result, or when a thenable fulfils; `failed` when the call throws, the thenable rejects, or reading or calling its
 * `then` throws (a hostile Proxy, a Proxy around a Promise), so a batch is never left in flight by
 * a result that cannot be awaited. Every thenable, a native Promise too (its `then` may be its
 * own), is adopted through a new native promise, so `done` or `failed` is called once, and only
 * once. A thenable that fulfils with a thenable is adopted as a Promise adopts it, at most
 * {@link MAX_NESTED_THENABLES} deep: deeper, it fails. Use it, never `await` or `Promise.resolve`,
 * for a value an app or a sink returns.
 */
export function adoptOutcome(call: () => unknown, done: (result: unknown) => void, failed: (error: unknown) => void): void {
  let result: unknown;
  try {
    result = call();
  } catch (error) {
    failed(error);
    return;
  }
  adopt(result, 0, done, failed);
}

/**
 * A native promise that settles as what `call` returns does (adopted as `adoptOutcome` adopts
 * it, so never without end), or rejects with what `call` throws: for awaiting a sink's `flush()`
 * or `close()`.
 */
export function settledOutcome(call: () => unknown): Promise<void> {
  return new Promise<void>((resolve, reject) => adoptOutcome(call, () => resolve(), reject));
}

/**
 * A native promise that settles as what `call` returns does (adopted as `adoptOutcome` adopts it,
 * so never without end), or rejects with what `call` throws: for awaiting, or racing against a
 * timeout, what an app's function returns (a custom `fetch`, its Response's `text()`).
 */
export function adoptedPromise<T>(call: () => T | PromiseLike<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => adoptOutcome(call, (result) => resolve(result as T), reject));
}

/** `done(value)`, or when `value` is a thenable, its outcome: the value it fulfils with adopted in turn, `depth + 1` deep. */
function adopt(value: unknown, depth: number, done: (result: unknown) => void, failed: (error: unknown) => void): void {
  let then: unknown;
  try {
    then =
      (typeof value === 'object' || typeof value === 'function') && value !== null
        ? (value as { then?: unknown }).then
        : undefined;
  } catch (error) {
    failed(error);
    return;
  }
  if (typeof then !== 'function') {
    done(value);
    return;
  }
  if (depth >= MAX_NESTED_THENABLES) {
    failed(new TypeError(`a thenable that fulfils with a thenable more than ${MAX_NESTED_THENABLES} deep`));
    return;
  }
  // A `then` that throws rejects this promise; one that calls back twice is heard once. What it
  // fulfils with is boxed, so that the native promise does not adopt it without a bound.
  new Promise<{ readonly value: unknown }>(
    (resolve, reject) =>
      void Reflect.apply(then as () => unknown, value, [(fulfilled: unknown) => resolve({ value: fulfilled }), reject]),
  ).then((box) => adopt(box.value, depth + 1, done, failed), failed);
}
