import { expectOption } from '../core/expect-option';
import { readGuarded } from '../core/read-options';
import { hasMethods } from '../core/has-methods';
import {
  type CheckProperties,
  type ContextProperties,
  type ContextStore,
  type DetachedRunner,
  type ExactContextRunner,
  RUN_DETACHED,
  RUN_EXACTLY,
} from './context-store';
import { StackContextStore } from './stack-context-store';
import { mergeContext } from './merge-context';
import { sinkDeliveryWrapper } from './around-sink-delivery';
import { writeUnlessRepeated } from '../core/self-log';
import { sharedState } from '../core/shared-state';
import { describeValue } from '../core/describe-value';

/**
 * Refuses a call without a function to run (from JavaScript, or a Serilog user's `PushProperty`
 * habit: there is no push), before the properties are read or anything is put in force: a
 * TypeError naming the value, as the store would throw anyway, but one that says what was missing.
 */
function expectCallback(fn: unknown, where: string): void {
  if (typeof fn !== 'function') throw new TypeError(`LogContext.${where}: expected a function to run, got ${describeValue(fn)}`);
}

/** The store in force, one for every copy of rxlog in the process (see sharedState). */
let context: { store: ContextStore } | undefined;
const shared = (): { store: ContextStore } =>
  (context ??= sharedState('LogContext.v1', () => ({ store: new StackContextStore() })));

/**
 * Ambient properties: everything logged inside `run`'s callback carries them (with
 * `.enrich.fromLogContext()` in the configuration). Inner runs layer over outer ones; a property
 * the event already has is never overwritten.
 *
 * @example
 * LogContext.run({ RequestId: 'r-7' }, () => handle(request));
 */
export const LogContext = {
  /**
   * Runs `fn` with `properties` in the context; they are removed when it returns or throws. Any
   * object type is taken (an interface, a class whose own fields are the properties); an array, a
   * Map, a Set, a Date or a function fails to compile. (`P` follows `T`, defaulting to
   * {@link ContextProperties}, so a call that names `T` alone, `run<number>(…)`, still compiles.)
   *
   * A store of the app's own (`useStore`) whose `run` throws before it calls `fn`, or returns
   * without calling it, costs `fn` nothing: `fn` runs without the properties, and SelfLog is told
   * once for calls in a row. What `fn` throws reaches the caller.
   *
   * @throws TypeError naming `fn` when it is not a function (nothing is put in force).
   */
  run<T, P extends object = ContextProperties>(properties: P & CheckProperties<P>, fn: () => T): T {
    // The check inline and rxlog's stores called directly, nothing between: a level of nesting
    // costs this frame and the store's (see docs/configuration.md).
    if (typeof fn !== 'function') expectCallback(fn, 'run');
    const store = (context ?? shared()).store;
    if (hasOwnWay(store, RUN_EXACTLY)) return store.run(properties as ContextProperties, fn);
    // An app's own store: its fault costs the callback nothing (request middleware runs every request in it).
    return throughStore(
      (go) => store.run(properties as ContextProperties, go),
      fn,
      "LogContext.run: the store's run() failed; the callback runs without its properties",
    );
  },

  /**
   * Runs `fn` with no ambient properties (Serilog's `LogContext.Suspend()`); those in force come
   * back when it returns or throws. Work started inside (a timer, a cache refresher) and, with
   * `useAsyncLocalStorage()`, its async continuations carry none of the caller's properties; that
   * store also runs `fn` outside the request's `diagnosticContext` collection.
   *
   * @example
   * LogContext.run({ RequestId: 'r-7' }, () => LogContext.suspend(() => startCacheRefresher()));
   * @throws TypeError naming `fn` when it is not a function.
   */
  suspend<T>(fn: () => T): T {
    expectCallback(fn, 'suspend');
    const store = shared().store;
    if (typeof store.suspend === 'function') return store.suspend(fn);
    // Once for calls in a row (a suspend per request, withLogContext's per retry), not once each.
    writeUnlessRepeated('LogContext.suspend: no suspend() in the store');
    return fn();
  },

  /**
   * The properties in force now, or undefined outside any run: with rxlog's stores a frozen object
   * (Serilog's `LogContext.Clone()`), to put in force again later with `run(saved, fn)`; changing
   * it throws in strict code and never changes the context of the run.
   */
  current(): ContextProperties | undefined {
    return shared().store.current();
  },

  /**
   * Replaces the store (e.g. with an AsyncLocalStorage one); returns the previous store.
   *
   * @throws ConfigurationError naming `next` when it has no `current()` and `run()` (the store is kept).
   */
  useStore(next: ContextStore): ContextStore {
    // Refused here: taken, it would make every LogContext.run throw in the app and every event lose its context.
    readGuarded('LogContext.useStore', 'the store', () =>
      expectOption(hasMethods(next, ['current', 'run']), 'LogContext.useStore', 'a ContextStore with current() and run()', next),
    );
    const state = shared();
    const previous = state.store;
    state.store = next;
    return previous;
  },
};

/**
 * Whether `store` runs rxlog's work its own way (`key`: see {@link RUN_EXACTLY}, {@link RUN_DETACHED}):
 * it has that method, and its `run` and `suspend`, which that method stands for, are those of the
 * class that defines it. A subclass that overrides one (the app's own store, which request
 * middleware keeps) gets rxlog's work through its methods, as any store of the app's own does.
 * Never throws.
 */
function hasOwnWay(store: ContextStore, key: symbol): boolean {
  try {
    // Up to the class that defines the method (at once for rxlog's stores), with no throw for a store that has none.
    let made: ContextStore | null = store;
    while ((made = Object.getPrototypeOf(made) as ContextStore | null) !== null)
      if (Object.hasOwn(made, key)) return store.run === made.run && store.suspend === made.suspend;
  } catch {
    // A Proxy whose traps throw: its public methods, as an app store's.
  }
  return false;
}

/**
 * Runs `fn` with exactly `context` in force (none for `undefined`), whatever is in force now: with
 * the store's own way when it has one (see {@link RUN_EXACTLY}), which leaves the rest of the async
 * context as it is; else inside `LogContext.suspend`, then a run of `context`.
 *
 * @internal For withLogContext.
 */
export function runExactly<T>(context: ContextProperties | undefined, fn: () => T): T {
  const store = shared().store;
  if (hasOwnWay(store, RUN_EXACTLY)) return (store as ContextStore & ExactContextRunner)[RUN_EXACTLY](context, fn);
  return throughStore(
    (go) => LogContext.suspend(() => (context === undefined ? go() : store.run(context, go))),
    fn,
    STORE_FAILED,
  );
}

/**
 * `LogContext.run(properties, fn)` for properties run again and again (withLogContext's, on every
 * notification): the context they make over each context in force is kept for as long as that
 * one lives, so their names are listed (and SelfLog told of those past the limit) once for it, not
 * on every run. With a store that cannot put a context back exactly (an app's own), each call is a run.
 *
 * @internal For withLogContext.
 */
export function repeatedRun(properties: ContextProperties): <T>(fn: () => T) => T {
  // Weakly, by the outer context: a long-lived stream must not keep a request's context alive.
  let alone: ContextProperties | undefined;
  const over = new WeakMap<ContextProperties, ContextProperties>();
  return (fn) => {
    const store = shared().store;
    if (!hasOwnWay(store, RUN_EXACTLY)) return throughStore((go) => store.run(properties, go), fn, STORE_FAILED);
    const here = currentOrNone();
    let merged = here === undefined ? alone : over.get(here);
    if (merged === undefined) {
      merged = mergeContext(here, properties);
      if (here === undefined) alone = merged;
      else over.set(here, merged);
    }
    return (store as ContextStore & ExactContextRunner)[RUN_EXACTLY](merged, fn);
  };
}

/**
 * Runs `fn` detached from its caller with the store's own way (see {@link RUN_DETACHED}); with a
 * store that has none (an app's own), inside its `suspend` when it has one (no properties in
 * force, and for a store that follows async work, none in what `fn` starts), else as it is. For
 * sink delivery: a batch's write, its retries, its age timer, the HTTP sinks' offline store
 * replay and SeqSink's level probe run in no caller's context.
 * Inside that, the wrapper an entry put around sink delivery (see aroundSinkDelivery:
 * `suppressSinkTracing` enters OpenTelemetry's root context with tracing suppressed, whichever
 * store is in force). Costs three property reads when none is there. A store's `suspend` that
 * throws before it calls `fn`, or returns without calling it, costs no batch: `fn` runs as it is
 * (SelfLog hears of it, once for calls in a row).
 *
 * @internal
 */
export function runDetached<T>(fn: () => T): T {
  const store = shared().store;
  const wrapper = sinkDeliveryWrapper();
  const inner = wrapper === undefined ? fn : (): T => wrapper(fn);
  if (hasOwnWay(store, RUN_DETACHED)) return (store as ContextStore & DetachedRunner)[RUN_DETACHED](inner);
  if (typeof store.suspend !== 'function') return inner();
  return throughStore(
    (go) => (store as Required<ContextStore>).suspend(go),
    inner,
    "LogContext: the store's suspend() failed around sink delivery",
  );
}

/**
 * Calls `fn` through `enter` (a store's `run` or `suspend`, which is to call back `fn` at once)
 * and returns what `fn` returns. When `enter` throws before it calls `fn`, or returns without
 * calling it, `fn` runs as it is and SelfLog hears `failed`, once for calls in a row; a later call
 * back does nothing. So the fault of an app's own store costs no batch and no notification, and
 * runs nothing twice. What `fn` throws reaches the caller.
 */
function throughStore<T>(enter: (go: () => T) => unknown, fn: () => T, failed: string): T {
  // Set once `fn` runs, inside the store's method or here: a second call back does nothing.
  let ran = 0;
  let result: T | undefined;
  try {
    enter(() => (ran++ ? (undefined as T) : (result = fn())));
  } catch (error) {
    if (ran) throw error;
  }
  // Counted here too: a call back after this point does nothing.
  if (ran++) return result as T;
  writeUnlessRepeated(failed);
  return fn();
}

/** What SelfLog hears when an app's own store fails under withLogContext (its current(), run() or suspend() throws, or does not call back). */
const STORE_FAILED =
  "withLogContext: the LogContext store's current(), run() or suspend() failed; the stream goes on without its context";

/**
 * The properties in force, or undefined when the store cannot say (the `current()` of an app's
 * own store throws: SelfLog hears `failed`, once for calls in a row, not once per event). Never throws.
 *
 * @internal For withLogContext and `.enrich.fromLogContext()`.
 */
export function currentOrNone(failed = STORE_FAILED): ContextProperties | undefined {
  try {
    return shared().store.current();
  } catch {
    writeUnlessRepeated(failed);
    return undefined;
  }
}
