import { AsyncLocalStorage } from 'node:async_hooks';
import type { ContextProperties, ContextStore } from '../../lib/context/context-store';

/**
 * A LogContext store of an app's own that follows async work: one bridging LogContext to the
 * app's request scope (a CLS module, a framework's context), which rxlog must keep when it would
 * otherwise switch to its AsyncLocalStorage store. With `suspend: true` it offers `suspend(fn)`
 * too, running `fn` (and the async work it starts) with no properties.
 *
 * @example LogContext.useStore(appContextStore());
 */
export function appContextStore(options: { suspend?: boolean } = {}): ContextStore {
  const storage = new AsyncLocalStorage<ContextProperties | undefined>();
  const store: ContextStore = {
    current: () => storage.getStore(),
    run: (properties, fn) => storage.run({ ...storage.getStore(), ...properties }, fn),
  };
  if (options.suspend === true) store.suspend = (fn) => storage.run(undefined, fn);
  return store;
}

/**
 * A synchronous LogContext store of an app's own (properties kept in a variable, as the browser's
 * default store keeps them), with `suspend(fn)`; `faults` replaces any of its functions, so a
 * spec can give it a `current`, `run` or `suspend` that throws or never calls back.
 *
 * @example LogContext.useStore(syncContextStore({ suspend: () => { throw new Error('no scope'); } }));
 */
export function syncContextStore(faults: Partial<ContextStore> = {}): ContextStore {
  let properties: ContextProperties | undefined;
  const swapped = <T>(next: ContextProperties | undefined, fn: () => T): T => {
    const outer = properties;
    properties = next;
    try {
      return fn();
    } finally {
      properties = outer;
    }
  };
  return {
    current: () => properties,
    run: (added, fn) => swapped({ ...properties, ...added }, fn),
    suspend: (fn) => swapped(undefined, fn),
    ...faults,
  };
}
