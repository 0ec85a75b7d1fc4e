import { LogContext } from '../context/log-context';
import { AsyncLocalStorageContextStore } from './async-local-storage-store';

/**
 * Makes LogContext follow async continuations by switching it to an AsyncLocalStorage store.
 *
 * @returns a function that puts the previous store back.
 * @example
 * useAsyncLocalStorage();
 * app.use((req, res, next) => LogContext.run({ RequestId: req.id }, next));
 */
export function useAsyncLocalStorage(): () => void {
  const previous = LogContext.useStore(new AsyncLocalStorageContextStore());
  return () => {
    LogContext.useStore(previous);
  };
}
