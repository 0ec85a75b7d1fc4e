import { hasSharedBrand } from '../core/shared-brand';
import {
  type ContextProperties,
  type ContextStore,
  type DetachedRunner,
  type ExactContextRunner,
  RUN_DETACHED,
  RUN_EXACTLY,
} from './context-store';
import { type ContextFrame, contextOf, openFrame, rootFrame } from './context-frame';
import { SelfLog } from '../core/self-log';

/**
 * The kind of a callback's result whose work runs after the run has ended, with none of its
 * properties: `Promise` (the code after its first await; any thenable), `Observable` (all of it,
 * when subscribed), `Generator` or `AsyncGenerator` (its body, when iterated); else undefined.
 * Never throws (a Proxy whose traps throw is none).
 */
function runsLater(result: unknown): string | undefined {
  if (typeof result !== 'object' || result === null) return undefined;
  try {
    // Any thenable: a Promise of another realm (an iframe's) or a library's, which `instanceof` misses.
    const { then, subscribe, lift } = result as { then?: unknown; subscribe?: unknown; lift?: unknown };
    if (typeof then === 'function') return 'Promise';
    const tag = Object.prototype.toString.call(result).slice(8, -1);
    if (tag.endsWith('Generator')) return tag;
    return typeof subscribe === 'function' && typeof lift === 'function' ? 'Observable' : undefined;
  } catch {
    return undefined;
  }
}

/** Marks the StackContextStores of every copy of rxlog in a process (its CommonJS and ES module builds). */
const BRAND: unique symbol = Symbol.for('rxlog.StackContextStore');

/**
 * The default context store: a synchronous stack. Properties follow the call stack of `run`'s
 * callback, not its async continuations (code after an `await` inside the callback runs outside
 * it, and SelfLog is told once per store when a callback returns a Promise); in Node,
 * `useAsyncLocalStorage()` lifts that limit.
 */
export class StackContextStore implements ContextStore, ExactContextRunner, DetachedRunner {
  /**
   * `value instanceof StackContextStore` holds for one made by any copy of rxlog in the process (its CommonJS
   * and ES module builds, loaded side by side); for a subclass, `instanceof` keeps its usual meaning.
   */
  static [Symbol.hasInstance](value: unknown): boolean {
    return hasSharedBrand(this, StackContextStore, BRAND, value);
  }

  /** The mark `instanceof StackContextStore` reads. */
  get [BRAND](): true {
    // On the prototype, not each instance: printed by Node, an instance would show it.
    return true;
  }
  /** The innermost run's frame: undefined outside any run and inside a suspend. */
  #top: ContextFrame | undefined = undefined;
  /** What SelfLog was told a run's callback returned (see runsLater): each kind once per store. */
  readonly #told = new Set<string>();

  current(): ContextProperties | undefined {
    const top = this.#top;
    return top === undefined ? undefined : (top.merged ?? contextOf(top));
  }

  run<T>(properties: ContextProperties, fn: () => T): T {
    const outer = this.#top;
    try {
      this.#top = openFrame(outer, properties);
    } catch {
      // No stack left for the merge, at the depth a nesting of runs reached: not the caller's
      // error, so `fn` still runs (in the outer context), and whatever it throws is its own.
    }
    // `fn` is called here, not through a helper: a level of nesting costs this frame and LogContext.run's.
    let result: T;
    try {
      result = fn();
    } finally {
      this.#top = outer;
    }
    if (typeof result === 'object' && result !== null) {
      try {
        this.#tellRunsLater(result);
      } catch {
        // As above: no stack left for the diagnostic; the result is the caller's all the same.
      }
    }
    return result;
  }

  suspend<T>(fn: () => T): T {
    return this.#with(undefined, fn);
  }

  /** @internal See RUN_EXACTLY. */
  [RUN_EXACTLY]<T>(context: ContextProperties | undefined, fn: () => T): T {
    return this.#with(context === undefined ? undefined : rootFrame(context), fn);
  }

  /** @internal See RUN_DETACHED: a synchronous stack has only its properties to leave, as `suspend`. */
  [RUN_DETACHED]<T>(fn: () => T): T {
    return this.#with(undefined, fn);
  }

  /** Its properties stop where the callback returns: said once a kind, so a missing RequestId has a reason. */
  #tellRunsLater(result: object): void {
    const later = runsLater(result);
    if (later === undefined || this.#told.has(later)) return;
    this.#told.add(later);
    SelfLog.write(
      later === 'Promise'
        ? 'LogContext.run: the callback returned a Promise; its properties do not follow its awaits (in Node: useAsyncLocalStorage())'
        : "LogContext.run: the callback's {Kind} runs after the run, without its properties (an Observable: use withLogContext)",
      later,
    );
  }

  #with<T>(frame: ContextFrame | undefined, fn: () => T): T {
    const outer = this.#top;
    this.#top = frame;
    try {
      return fn();
    } finally {
      this.#top = outer;
    }
  }
}

/**
 * Whether `value` is a StackContextStore made by the class itself, by any copy of rxlog in the
 * process: the synchronous default (or one like it), which request middleware replaces. An
 * instance of a subclass is the app's own store, chosen as any other is, and is kept. Never throws.
 *
 * @internal For useAsyncLocalStorage.
 */
export function isPlainStackContextStore(value: unknown): boolean {
  try {
    // The mark is an own property of the class's prototype only: a subclass's prototype inherits it.
    return value instanceof StackContextStore && Object.hasOwn(Object.getPrototypeOf(value) as object, BRAND);
  } catch {
    // A Proxy whose getPrototypeOf trap throws is the app's own.
    return false;
  }
}
