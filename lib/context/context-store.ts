import type { NotAnObjectOfProperties } from '../core/is-properties';

/** Properties carried by the ambient context. */
export type ContextProperties = Readonly<Record<string, unknown>>;

/** The type a call's properties are checked against when they are not an object of properties; nothing has it. */
export interface NotProperties {
  /** An array, a Map, a Set, a Date or a function binds no properties. */
  readonly 'rxlog: not an object of properties': never;
}

/**
 * `unknown` when `P` (any object type: an object literal, an interface, a class instance) can be
 * properties, else `NotProperties`: an array, a Map, a Set, a Date or a function fails to
 * compile, in `Logger.child`, `LogContext.run` and `withLogContext` alike.
 */
export type CheckProperties<P> = P extends NotAnObjectOfProperties ? NotProperties : unknown;

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
   * Sink delivery (a batch's write, its retries, its age timer) runs inside it too, so what it
   * starts carries none of the caller's properties. Optional: with a store that has none,
   * `LogContext.suspend` and sink delivery run `fn` in the store's context.
   */
  suspend?<T>(fn: () => T): T;
}

/**
 * The key of a store's optional method that runs `fn` with exactly `context` in force (none for
 * `undefined`), not layered over the current properties, and nothing else of the async context
 * changed (a `suspend` may leave more: the AsyncLocalStorage store's leaves the request's
 * diagnostic collection too). `withLogContext` puts the context around a stream back with it.
 *
 * @internal
 */
export const RUN_EXACTLY: unique symbol = Symbol.for('rxlog.ContextStore.runExactly');

/** @internal A store that can put a context back exactly: see {@link RUN_EXACTLY}. */
export interface ExactContextRunner {
  [RUN_EXACTLY]<T>(context: ContextProperties | undefined, fn: () => T): T;
}

/**
 * The key of a store's optional method that runs `fn` detached from whatever called it: no
 * properties in force and, for a store that follows async continuations, none of the caller's
 * async context either (the AsyncLocalStorage store restores every AsyncLocalStorage of the
 * process, OpenTelemetry's included, as it was where `rxlog/node` was first loaded), so async work started
 * inside (a timer, a socket, a promise) carries nothing of the caller. Sink delivery runs through
 * it: a batch holds events of many callers and belongs to none of them.
 *
 * @internal
 */
export const RUN_DETACHED: unique symbol = Symbol.for('rxlog.ContextStore.runDetached');

/** @internal A store that can run work detached from its caller: see {@link RUN_DETACHED}. */
export interface DetachedRunner {
  [RUN_DETACHED]<T>(fn: () => T): T;
}
