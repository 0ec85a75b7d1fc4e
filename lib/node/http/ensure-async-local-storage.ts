import { LogContext } from '../../context/log-context';
import { AsyncLocalStorageContextStore } from '../async-local-storage-store';

/**
 * Switches LogContext to an AsyncLocalStorage store unless it already uses one, so request
 * middleware can rely on context following `await`s without replacing a store the app installed.
 *
 * @returns whether the store was switched by this call.
 */
export function ensureAsyncLocalStorage(): boolean {
  const previous = LogContext.useStore(new AsyncLocalStorageContextStore());
  if (previous instanceof AsyncLocalStorageContextStore) {
    LogContext.useStore(previous);
    return false;
  }
  return true;
}
