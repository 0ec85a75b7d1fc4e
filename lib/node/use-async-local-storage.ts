import type { ContextStore } from '../context/context-store';
import { LogContext } from '../context/log-context';
import { isPlainStackContextStore, StackContextStore } from '../context/stack-context-store';
import { writeUnlessRepeated } from '../core/self-log';
import { sharedState } from '../core/shared-state';
import { AsyncLocalStorageContextStore } from './async-local-storage-store';

/**
 * What `useAsyncLocalStorage()` switched on, for every copy of rxlog in the process (see
 * sharedState): the store it installed, the store before it, the calls not yet restored (a count:
 * a call never restored keeps nothing), whether request middleware holds it on for good, and the
 * installation those belong to (a restore function of an earlier one acts on nothing).
 */
interface Installation {
  installed: ContextStore | undefined;
  previous: ContextStore | undefined;
  holders: number;
  forGood: boolean;
  generation: number;
}
let shared: Installation | undefined;
const installation = (): Installation =>
  (shared ??= sharedState('LogContext.useAsyncLocalStorage.v2', () => ({
    installed: undefined,
    previous: undefined,
    holders: 0,
    forGood: false,
    generation: 0,
  })));

/**
 * Switches LogContext to an AsyncLocalStorage store, unless one installed here is in force (then
 * the call joins its holders): `forGood` for request middleware, else one more call to restore.
 * With `forGood`, a store that is not the synchronous default (the app's own, a subclass of
 * StackContextStore included) is kept and nothing is held. Returns whether it switched.
 */
function hold(forGood: boolean): boolean {
  const state = installation();
  const next = new AsyncLocalStorageContextStore();
  const before = LogContext.useStore(next);
  const kept = before === state.installed || (forGood && !isPlainStackContextStore(before));
  if (kept) {
    // Already on through an earlier call (keep that store, so its restore finds it), or the app's own.
    LogContext.useStore(before);
    if (before !== state.installed) {
      // The app's choice, kept; but a RequestId gone after a handler's first await needs a reason.
      if (before instanceof StackContextStore)
        writeUnlessRepeated(
          "Request middleware keeps the app's LogContext store, a StackContextStore subclass: its properties do not follow awaits",
        );
      return false;
    }
  } else {
    // Off, or the app set another store since: what was restored before is no longer in force.
    state.installed = next;
    state.previous = before;
    state.holders = 0;
    state.forGood = false;
    state.generation++;
  }
  if (forGood) state.forGood = true;
  else state.holders++;
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
  hold(false);
  const generation = state.generation;
  let restored = false;
  return () => {
    if (restored || generation !== state.generation) return;
    restored = true;
    if (--state.holders !== 0 || state.forGood) return;
    const inForce = LogContext.useStore(state.previous as ContextStore);
    // The app set its own store since: that one stays.
    if (inForce !== state.installed) LogContext.useStore(inForce);
    state.installed = undefined;
    state.previous = undefined;
    state.generation++;
  };
}

/**
 * Switches the synchronous default store to AsyncLocalStorage and holds it on for good, for
 * request middleware; keeps a store of the app's own. Returns whether it switched.
 *
 * @internal
 */
export function holdAsyncLocalStorage(): boolean {
  return hold(true);
}
