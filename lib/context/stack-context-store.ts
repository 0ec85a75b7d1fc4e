import type { ContextProperties, ContextStore } from './context-store';
import { mergeContext } from './merge-context';

/**
 * The default context store: a synchronous stack. Properties follow the call stack of `run`'s
 * callback, not its async continuations (code after an `await` inside the callback runs outside
 * it); in Node, `useAsyncLocalStorage()` lifts that limit.
 */
export class StackContextStore implements ContextStore {
  readonly #stack: ContextProperties[] = [];

  current(): ContextProperties | undefined {
    return this.#stack.at(-1);
  }

  run<T>(properties: ContextProperties, fn: () => T): T {
    const outer = this.current();
    this.#stack.push(mergeContext(outer, properties));
    try {
      return fn();
    } finally {
      this.#stack.pop();
    }
  }
}
