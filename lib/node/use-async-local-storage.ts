import type { ContextStore } from '../context/context-store';
import { LogContext } from '../context/log-context';
import { StackContextStore } from '../context/stack-context-store';
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

/** The holder of the calls that never restore (request middleware, RxlogModule): one, however many. */
const FOR_GOOD = {};

/**
 * Switches LogContext to an AsyncLocalStorage store held by `holder`, unless one installed here
 * is in force (then `holder` joins its holders). With `keepOthers`, a store that is not the
 * synchronous default (the app's own) is kept, and `holder` holds nothing. Returns whether it
 * switched.
 */
function hold(holder: object, keepOthers: boolean): boolean {
  const state = installation();
  const next = new AsyncLocalStorageContextStore();
  const before = LogContext.useStore(next);
  const kept = before === state.installed || (keepOthers && !(before instanceof StackContextStore));
  if (kept) {
    // Already on through an earlier call (keep that store, so its restore finds it), or the app's own.
    LogContext.useStore(before);
    if (before !== state.installed) return false;
  } else {
    // Off, or the app set another store since: what was restored before is no longer in force.
    state.installed = next;
    state.previous = before;
    state.holders.clear();
  }
  state.holders.add(holder);
  return !kept;
}

/**
 * Makes LogContext follow async continuations by switching it to an AsyncLocalStorage store.
 *
 * Calls nest, as Serilog's disposables do: a second call while the store is on keeps it, and
 * the previous store comes back when the last call not yet restored is restored, in whatever
 * order. A restore function acts once (calling it again does nothing), and it leaves a store the
 * app set since in place. Request middleware (`requestLogging`, `fastifyRequestLogging`,
 * `RxlogModule`) that switched the store on, or found it on, holds it on for good: restoring
 * every call then leaves it on, since the middleware still serves requests.
 *
 * @returns a function that puts the previous store back.
 * @example
 * useAsyncLocalStorage();
 * app.use((req, res, next) => LogContext.run({ RequestId: req.id }, next));
 */
export function useAsyncLocalStorage(): () => void {
  const state = installation();
  const holder = {};
  hold(holder, false);
  return () => {
    if (!state.holders.delete(holder) || state.holders.size !== 0) return;
    const inForce = LogContext.useStore(state.previous as ContextStore);
    // The app set its own store since: that one stays.
    if (inForce !== state.installed) LogContext.useStore(inForce);
    state.installed = undefined;
    state.previous = undefined;
  };
}

/**
 * Switches the synchronous default store to AsyncLocalStorage and holds it on for good, for
 * request middleware; keeps a store of the app's own. Returns whether it switched.
 *
 * @internal
 */
export function holdAsyncLocalStorage(): boolean {
  return hold(FOR_GOOD, true);
}
