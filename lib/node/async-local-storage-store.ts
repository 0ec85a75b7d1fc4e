import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import {
  type ContextProperties,
  type ContextStore,
  type DetachedRunner,
  type ExactContextRunner,
  RUN_DETACHED,
  RUN_EXACTLY,
} from '../context/context-store';
import { type ContextFrame, contextOf, openFrame, rootFrame } from '../context/context-frame';
import { sharedState } from '../core/shared-state';
import { outsideDiagnosticCollection } from './http/diagnostic-context';

/**
 * One AsyncLocalStorage for every store, of every copy of rxlog in the process (see sharedState):
 * switching LogContext from one AsyncLocalStorage store to another (a second
 * `useAsyncLocalStorage()`, or its restore, while requests are in flight, or the other build's)
 * must not take their properties away.
 */
let shared: AsyncLocalStorage<ContextFrame | undefined> | undefined;
const storage = (): AsyncLocalStorage<ContextFrame | undefined> =>
  (shared ??= sharedState('LogContext.AsyncLocalStorage.v2', () => new AsyncLocalStorage<ContextFrame | undefined>()));

/** Runs `fn` with no properties and outside any diagnostic collection (the store's `suspend`). */
const outsideRequest = <T>(fn: () => T): T =>
  // run, not exit (experimental): async work started inside keeps no properties either.
  storage().run(undefined, () => outsideDiagnosticCollection(fn));

/**
 * The async context this module was first loaded in (with the app's imports at startup: none),
 * for sink delivery (RUN_DETACHED), not where a store is made, which may be inside a request (a
 * serverless handler that calls `useAsyncLocalStorage()` on every invocation makes it in the
 * first), whose every AsyncLocalStorage (its OpenTelemetry span) each later batch would run in.
 * Only an object made at load: nothing global is touched until the first delivery.
 */
const loadedIn = new AsyncResource('rxlog.SinkDelivery');
/** The one of every copy of rxlog in the process: the first to deliver gives its own. */
let detached: AsyncResource | undefined;

/**
 * A LogContext store on Node's AsyncLocalStorage: properties set by `run` follow the callback's
 * async continuations (`await`, promise callbacks, timers, `setImmediate`, `process.nextTick`),
 * and concurrent runs never see each other's properties. Every instance reads the same
 * AsyncLocalStorage, so replacing one by another keeps the properties of runs in flight. An
 * EventEmitter listener runs in the context of the `emit` call, not of where it was registered
 * (an RxJS Subject's subscriber, of the `next` call): bind it with `AsyncResource.bind(listener)`
 * inside the run to keep the run's context. Work that
 * a library queues and runs in one batch (RxJS's `asapScheduler`, a connection pool) runs in the
 * context of whichever caller started the batch. A timer or connection made inside a run keeps
 * the run's properties for every callback it makes later: make long-lived work inside
 * `LogContext.suspend` (this store's `suspend`), which runs it with none.
 *
 * Sink delivery (a batch's write, its retries, its age timer, a sink's `flush()` and `close()`)
 * runs in the async context in force where `rxlog/node` was first loaded (at startup, with the
 * app's imports: none), wherever the store is made, with no properties and outside any request:
 * every AsyncLocalStorage of the process, OpenTelemetry's active span included, reads as it did
 * there.
 */
export class AsyncLocalStorageContextStore implements ContextStore, ExactContextRunner, DetachedRunner {
  current(): ContextProperties | undefined {
    const frame = (shared ?? storage()).getStore();
    return frame === undefined ? undefined : (frame.merged ?? contextOf(frame));
  }

  run<T>(properties: ContextProperties, fn: () => T): T {
    const context = shared ?? storage();
    let frame = context.getStore();
    try {
      frame = openFrame(frame, properties);
    } catch {
      // No stack left for the merge, at the depth a nesting of runs reached: `fn` still runs, in the outer context.
    }
    return context.run(frame, fn);
  }

  /**
   * Runs `fn` outside the request: no properties, and no `diagnosticContext` collection (a
   * `diagnosticContext.set` inside is ignored), so long-lived work started inside neither writes
   * onto that request's completion event nor keeps the request's state alive.
   */
  suspend<T>(fn: () => T): T {
    return outsideRequest(fn);
  }

  /** @internal See RUN_EXACTLY: the diagnostic collection stays, as the rest of the async context does. */
  [RUN_EXACTLY]<T>(context: ContextProperties | undefined, fn: () => T): T {
    return storage().run(context === undefined ? undefined : rootFrame(context), fn);
  }

  /** @internal See RUN_DETACHED: in the async context of this module's first loading. */
  [RUN_DETACHED]<T>(fn: () => T): T {
    detached ??= sharedState('LogContext.detached.v1', () => loadedIn);
    return detached.runInAsyncScope(() => outsideRequest(fn));
  }
}
