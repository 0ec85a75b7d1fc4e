import { AsyncLocalStorage } from 'node:async_hooks';
import type { ContextProperties, ContextStore } from '../context/context-store';
import { mergeContext } from '../context/merge-context';

/**
 * A LogContext store on Node's AsyncLocalStorage: properties set by `run` follow the callback's
 * async continuations (`await`, timers, EventEmitter callbacks registered inside it), and
 * concurrent runs never see each other's properties.
 */
export class AsyncLocalStorageContextStore implements ContextStore {
  private readonly storage = new AsyncLocalStorage<ContextProperties>();

  current(): ContextProperties | undefined {
    return this.storage.getStore();
  }

  run<T>(properties: ContextProperties, fn: () => T): T {
    const outer = this.storage.getStore();
    // Merged once per run, so reading the context on every event is a single lookup.
    return this.storage.run(mergeContext(outer, properties), fn);
  }
}
