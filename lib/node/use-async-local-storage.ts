import type { ContextStore } from '../context/context-store';
import { LogContext } from '../context/log-context';
import { sharedState } from '../core/shared-state';
import { AsyncLocalStorageContextStore } from './async-local-storage-store';

/**
 * What `useAsyncLocalStorage()` switched on, for every copy of rxlog in the process (see
 * sharedState): the store it installed, the store before it, and the calls not yet restored.
 */
interface Installation {
  installed: ContextStore | undefined;
  previous: ContextStore | undefined;
  holders: Set<object>;
}
let shared: Installation | undefined;
const installation = (): Installation =>
  (shared ??= sharedState('LogContext.useAsyncLocalStorage.v1', () => ({
    installed: undefined,
    previous: undefined,
    holders: new Set<object>(),
  })));

/**
 * Makes LogContext follow async continuations by switching it to an AsyncLocalStorage store.
 *
 * Calls nest, as Serilog's disposables do: a second call while the store is on keeps it, and
 * the previous store comes back when the last call not yet restored is restored, in whatever
 * order. A restore function acts once (calling it again does nothing), and it leaves a store the
 * app set since in place.
 *
 * @returns a function that puts the previous store back.
 * @example
 * useAsyncLocalStorage();
 * app.use((req, res, next) => LogContext.run({ RequestId: req.id }, next));
 */
export function useAsyncLocalStorage(): () => void {
  const state = installation();
  const next = new AsyncLocalStorageContextStore();
  const before = LogContext.useStore(next);
  if (before === state.installed) {
    // Already on through an earlier call: keep that store, so its restore finds it.
    LogContext.useStore(before);
  } else {
    // Off, or the app set another store since: what was restored before is no longer in force.
    state.installed = next;
    state.previous = before;
    state.holders.clear();
  }
  const holder = {};
  state.holders.add(holder);
  return () => {
    if (!state.holders.delete(holder) || state.holders.size !== 0) return;
    const inForce = LogContext.useStore(state.previous as ContextStore);
    // The app set its own store since: that one stays.
    if (inForce !== state.installed) LogContext.useStore(inForce);
    state.installed = undefined;
    state.previous = undefined;
  };
}
