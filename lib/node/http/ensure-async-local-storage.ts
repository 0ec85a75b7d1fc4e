import { LogContext } from '../../context/log-context';
import { StackContextStore } from '../../context/stack-context-store';
import { AsyncLocalStorageContextStore } from '../async-local-storage-store';

/**
 * Switches LogContext to an AsyncLocalStorage store when it uses the synchronous default, so
 * request middleware can rely on context following `await`s. Any other store is the app's choice
 * (an AsyncLocalStorage store, or one of its own bridging to its request scope) and is kept.
 *
 * @returns whether the store was switched by this call.
 */
export function ensureAsyncLocalStorage(): boolean {
  const previous = LogContext.useStore(new AsyncLocalStorageContextStore());
  if (previous instanceof StackContextStore) return true;
  LogContext.useStore(previous);
  return false;
}
