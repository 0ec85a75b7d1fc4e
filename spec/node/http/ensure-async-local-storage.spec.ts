import { createServer } from 'node:http';
import type { ContextProperties } from '../../../lib/context/context-store';
import { LogContext } from '../../../lib/context/log-context';
import { StackContextStore } from '../../../lib/context/stack-context-store';
import { AsyncLocalStorageContextStore } from '../../../lib/node/async-local-storage-store';
import { ensureAsyncLocalStorage } from '../../../lib/node/http/ensure-async-local-storage';
import { requestLogging } from '../../../lib/node/http/request-logging';
import { useAsyncLocalStorage } from '../../../lib/node/use-async-local-storage';
import { appContextStore } from '../../helpers/app-context-store';
import { secondCopy } from '../../helpers/second-copy';
import { collectSelfLog } from '../../helpers/self-log';
import { get, listen, memoryLogger } from '../../helpers/node-http';

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

  it('switches the other copy’s synchronous store too (the CommonJS and ES module builds side by side)', async () => {
    const other = await secondCopy(() => import('../../../lib/context/stack-context-store'));
    LogContext.useStore(new other.StackContextStore());
    expect(ensureAsyncLocalStorage()).toBe(true);
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

  it('keeps a subclass of StackContextStore the app installed: the app’s own store, not the default', () => {
    // An app that extends the browser store (to trace its runs, say) chose it, as it chose any other.
    const seen: string[] = [];
    class TracingStore extends StackContextStore {
      override run<T>(properties: ContextProperties, fn: () => T): T {
        seen.push(Object.keys(properties).join());
        return super.run(properties, fn);
      }
    }
    const appStore = new TracingStore();
    LogContext.useStore(appStore);
    const selfLog = collectSelfLog();
    try {
      expect(ensureAsyncLocalStorage()).toBe(false);
      // Kept, it is still synchronous: said, so a RequestId gone after an await has a reason.
      expect(selfLog.diagnostics.map((d) => d.template)).toEqual([
        "Request middleware keeps the app's LogContext store, a StackContextStore subclass: its properties do not follow awaits",
      ]);
    } finally {
      selfLog.stop();
    }
    LogContext.run({ RequestId: 'r' }, () => undefined);
    expect(seen).toEqual(['RequestId']);
    expect(LogContext.useStore(new StackContextStore())).toBe(appStore);
  });
});

// Serilog's disposables nest: disposing an outer one never pulls what an inner user still needs.
// The middleware needs AsyncLocalStorage for as long as it serves, so it holds it on as a call
// that is never restored.
describe('requestLogging made while useAsyncLocalStorage() is on', () => {
  afterEach(() => LogContext.useStore(new StackContextStore()));

  it('keeps RequestId across the handler’s awaits after that call is restored', async () => {
    const restore = useAsyncLocalStorage();
    const { log, events } = memoryLogger();
    const logRequests = requestLogging(log);
    restore();
    const server = await listen(
      createServer((req, res) =>
        logRequests(req, res, async () => {
          await new Promise((resolve) => setImmediate(resolve));
          log.information('After the await');
          res.end('ok');
        }),
      ),
    );
    try {
      expect((await get(`${server.url}/orders`, { 'x-request-id': 'r-42' })).status).toBe(200);
    } finally {
      await server.close();
    }
    expect(events.find((e) => e.messageTemplate.text === 'After the await')?.properties.RequestId).toBe('r-42');
  });

  it('still lets the default store come back when no middleware holds AsyncLocalStorage', async () => {
    const restore = useAsyncLocalStorage();
    restore();
    const seen = await LogContext.run({ RequestId: 'r' }, async () => {
      await new Promise((resolve) => setImmediate(resolve));
      return LogContext.current();
    });
    expect(seen).toBeUndefined();
  });
});
