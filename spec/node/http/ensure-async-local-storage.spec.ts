import { LogContext } from '../../../lib/context/log-context';
import { StackContextStore } from '../../../lib/context/stack-context-store';
import { AsyncLocalStorageContextStore } from '../../../lib/node/async-local-storage-store';
import { ensureAsyncLocalStorage } from '../../../lib/node/http/ensure-async-local-storage';

describe('ensureAsyncLocalStorage', () => {
  afterEach(() => LogContext.useStore(new StackContextStore()));

  it('switches a synchronous store to AsyncLocalStorage, so context follows awaits', async () => {
    LogContext.useStore(new StackContextStore());
    expect(ensureAsyncLocalStorage()).toBe(true);
    const seen = await LogContext.run({ RequestId: 'r' }, async () => {
      await new Promise((resolve) => setImmediate(resolve));
      return LogContext.current();
    });
    expect(seen).toEqual({ RequestId: 'r' });
  });

  it('keeps an AsyncLocalStorage store the app installed', () => {
    const store = new AsyncLocalStorageContextStore();
    LogContext.useStore(store);
    expect(ensureAsyncLocalStorage()).toBe(false);
    expect(LogContext.useStore(new StackContextStore())).toBe(store);
  });
});
