import { hasSharedBrand } from '../core/shared-brand';
import type { ContextProperties, ContextStore } from './context-store';
import { mergeContext } from './merge-context';

/** Marks the StackContextStores of every copy of rxlog in a process (its CommonJS and ES module builds). */
const BRAND: unique symbol = Symbol.for('rxlog.StackContextStore');

/**
 * The default context store: a synchronous stack. Properties follow the call stack of `run`'s
 * callback, not its async continuations (code after an `await` inside the callback runs outside
 * it); in Node, `useAsyncLocalStorage()` lifts that limit.
 */
export class StackContextStore implements ContextStore {
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

  current(): ContextProperties | undefined {
    return this.#stack.at(-1);
  }

  run<T>(properties: ContextProperties, fn: () => T): T {
    return this.#with(mergeContext(this.current(), properties), fn);
  }

  suspend<T>(fn: () => T): T {
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
