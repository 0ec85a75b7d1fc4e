import { AsyncLocalStorage } from 'node:async_hooks';
import type { ContextProperties, ContextStore } from '../context/context-store';
import { mergeContext } from '../context/merge-context';

/**
 * A LogContext store on Node's AsyncLocalStorage: properties set by `run` follow the callback's
 * async continuations (`await`, promise callbacks, timers, `setImmediate`, `process.nextTick`),
 * and concurrent runs never see each other's properties. An EventEmitter listener runs in the
 * context of the `emit` call, not of where it was registered: bind it with
 * `AsyncResource.bind(listener)` inside the run to keep the run's context. Work that a library
 * queues and runs in one batch (RxJS's `asapScheduler`, a connection pool) runs in the context of
 * whichever caller started the batch.
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
