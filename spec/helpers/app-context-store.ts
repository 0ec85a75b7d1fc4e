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
