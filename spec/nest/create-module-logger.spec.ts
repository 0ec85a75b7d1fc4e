import type { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { LogContext } from '../../lib/context/log-context';
import { StackContextStore } from '../../lib/context/stack-context-store';
import { createModuleLogger } from '../../lib/nest/create-module-logger';
import { AsyncLocalStorageContextStore } from '../../lib/node/async-local-storage-store';
import { MemorySink } from '../../lib/sinks/memory-sink';
import { appContextStore } from '../helpers/app-context-store';
import { unhandledRejectionsOf } from '../helpers/unhandled-rejections';

describe('createModuleLogger', () => {
  afterEach(() => LogContext.useStore(new StackContextStore()));

  it('switches the synchronous default store to AsyncLocalStorage, so context follows awaits', async () => {
    const memory = new MemorySink();
    const log = createModuleLogger({ configure: (c) => c.writeTo.sink(memory) });
    expect(LogContext.useStore(new StackContextStore())).toBeInstanceOf(AsyncLocalStorageContextStore);
    await log.close();
  });

  it('keeps a store of the app’s own, installed before the module, with the properties it has in flight', async () => {
    // An app bridging LogContext to its own request scope (a CLS module): replacing it would make
    // every run already in flight lose its properties, and the app's scope stop reaching events.
    const appStore = appContextStore();
    LogContext.useStore(appStore);
    const memory = new MemorySink();
    const log = await LogContext.run({ TenantId: 't-1' }, async () => {
      const made = createModuleLogger({ configure: (c) => c.writeTo.sink(memory) });
      await new Promise((resolve) => setImmediate(resolve));
      made.information('inside');
      return made;
    });
    await log.close();
    expect(memory.events.map((e) => e.properties.TenantId)).toEqual(['t-1']);
    expect(LogContext.useStore(new StackContextStore())).toBe(appStore);
  });
});

describe('createModuleLogger with an async configure', () => {
  afterEach(() => LogContext.useStore(new StackContextStore()));

  it('refuses it with a ConfigurationError that points to forRootAsync, and leaves no unhandled rejection behind', async () => {
    const unhandled = await unhandledRejectionsOf(() => {
      const configure = (async () => {
        await Promise.resolve();
        throw new Error('secret store down');
      }) as unknown as (c: LoggerConfiguration) => LoggerConfiguration;
      expect(() => createModuleLogger({ configure })).toThrow(
        expect.objectContaining({
          name: 'ConfigurationError',
          message:
            'RxlogModule configure: returned a Promise (an async function?); configure must build the logger synchronously: do async work (reading secrets, a config server) in forRootAsync’s useFactory, and return configure from it',
        }),
      );
    }, 1);
    expect(unhandled).toEqual([]);
  });
});
