import { LogContext } from '../../../lib/context/log-context';
import { StackContextStore } from '../../../lib/context/stack-context-store';
import { AsyncLocalStorageContextStore } from '../../../lib/node/async-local-storage-store';
import { ensureAsyncLocalStorage } from '../../../lib/node/http/ensure-async-local-storage';
import { appContextStore } from '../../helpers/app-context-store';

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

  it('keeps a store of the app’s own that follows async work, with the properties it has in flight', async () => {
    // An app bridging LogContext to its own request scope (a CLS module, a framework's context).
    const appStore = appContextStore();
    LogContext.useStore(appStore);
    const seen = await LogContext.run({ TenantId: 't-1' }, async () => {
      expect(ensureAsyncLocalStorage()).toBe(false);
      await new Promise((resolve) => setImmediate(resolve));
      return LogContext.current();
    });
    expect(seen).toEqual({ TenantId: 't-1' });
    expect(LogContext.useStore(new StackContextStore())).toBe(appStore);
  });
});
