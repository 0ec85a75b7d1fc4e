import { hasSharedBrand } from '../core/shared-brand';
import {
  type ContextProperties,
  type ContextStore,
  type DetachedRunner,
  type ExactContextRunner,
  RUN_DETACHED,
  RUN_EXACTLY,
} from './context-store';
import { mergeContext } from './merge-context';
import { SelfLog } from '../core/self-log';

/** Whether `value` is a Promise, as an `async` callback returns. Never throws (a Proxy whose getPrototypeOf trap throws is none). */
function isPromise(value: unknown): boolean {
  try {
    return value instanceof Promise;
  } catch {
    return false;
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
  // An undefined entry is a suspend: no properties in force until it returns.
  readonly #stack: (ContextProperties | undefined)[] = [];
  /** Whether SelfLog was told that a run's callback returned a Promise (once per store). */
  #toldAsync = false;

  current(): ContextProperties | undefined {
    return this.#stack.at(-1);
  }

  run<T>(properties: ContextProperties, fn: () => T): T {
    const result = this.#with(mergeContext(this.current(), properties), fn);
    if (!this.#toldAsync && isPromise(result)) {
      // The properties stop at the callback's first await: said once, so a missing RequestId has a reason.
      this.#toldAsync = true;
      SelfLog.write(
        'LogContext.run: the callback returned a Promise; its properties do not follow its awaits (in Node: useAsyncLocalStorage())',
      );
    }
    return result;
  }

  suspend<T>(fn: () => T): T {
    return this.#with(undefined, fn);
  }

  /** @internal See RUN_EXACTLY. */
  [RUN_EXACTLY]<T>(context: ContextProperties | undefined, fn: () => T): T {
    return this.#with(context, fn);
  }

  /** @internal See RUN_DETACHED: a synchronous stack has only its properties to leave, as `suspend`. */
  [RUN_DETACHED]<T>(fn: () => T): T {
    return this.#with(undefined, fn);
  }

  #with<T>(context: ContextProperties | undefined, fn: () => T): T {
    this.#stack.push(context);
    try {
      return fn();
    } finally {
      this.#stack.pop();
    }
  }
}
