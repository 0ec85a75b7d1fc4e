import { holdAsyncLocalStorage } from '../use-async-local-storage';

/**
 * Switches LogContext to an AsyncLocalStorage store when it uses the synchronous default, so
 * request middleware can rely on context following `await`s. Any other store is the app's choice
 * (an AsyncLocalStorage store, one of its own bridging to its request scope, a subclass of
 * StackContextStore) and is kept. The store `useAsyncLocalStorage()` installs is held on for good,
 * as a call never restored: the middleware serves requests after the app restores its own calls.
 *
 * @returns whether the store was switched by this call.
 */
export function ensureAsyncLocalStorage(): boolean {
  return holdAsyncLocalStorage();
}
