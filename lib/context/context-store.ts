/** Properties carried by the ambient context. */
export type ContextProperties = Readonly<Record<string, unknown>>;

/**
 * Where LogContext keeps its ambient properties. The default is a synchronous stack (browsers);
 * `useAsyncLocalStorage()` from `rxlog/node` installs one that follows async continuations.
 */
export interface ContextStore {
  /** The properties in force now, innermost run last (merged), or undefined outside any run. */
  current(): ContextProperties | undefined;
  /** Runs `fn` with `properties` layered over the current ones; removed when `fn` returns or throws. */
  run<T>(properties: ContextProperties, fn: () => T): T;
  /**
   * Runs `fn` with no properties in force; the current ones come back when it returns or throws.
   * Optional: `LogContext.suspend` with a store that has none runs `fn` in the store's context.
   */
  suspend?<T>(fn: () => T): T;
}
