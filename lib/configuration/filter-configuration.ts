import { expectCallback } from '../core/expect-option';
import { callbackName, strayPromise } from '../core/stray-promise';
import type { EventPredicate } from '../operators/event-predicate';
import { type ConfigurationState, expectNotCreated } from './configuration-state';

/**
 * `.filter…`: which events reach the sinks. Excluded events count in `metrics().filtered`. What a
 * predicate returns is read as RxJS's `filter` reads it (`undefined`, `0`, `''` are false), so
 * `byIncludingOnly(p)` and `byExcluding((e) => !p(e))` keep the same events. A predicate that
 * throws keeps the event and is reported to SelfLog. A predicate that is not a function, or is a
 * class (which throws called without `new`), is a ConfigurationError.
 */
export class FilterConfiguration<TParent> {
  readonly #parent: TParent;
  readonly #state: ConfigurationState;
  constructor(parent: TParent, state: ConfigurationState) {
    this.#parent = parent;
    this.#state = state;
  }

  /** Drops the events for which `predicate` returns true. */
  byExcluding(predicate: EventPredicate): TParent {
    check(this.#state, predicate, 'filter.byExcluding');
    const byExcluding: EventPredicate = (event) => {
      const result: unknown = predicate(event);
      return strayPromise(result, 'Filter', predicate) || !result;
    };
    // SelfLog names a filter that throws after the app's predicate, not after this wrapper.
    Object.defineProperty(byExcluding, 'name', { value: callbackName(predicate) });
    this.#state.filters.push(byExcluding);
    return this.#parent;
  }

  /** Keeps only the events for which `predicate` returns true. */
  byIncludingOnly(predicate: EventPredicate): TParent {
    check(this.#state, predicate, 'filter.byIncludingOnly');
    this.#state.filters.push(predicate);
    return this.#parent;
  }
}

function check(state: ConfigurationState, predicate: unknown, where: string): void {
  expectNotCreated(state, where);
  expectCallback(predicate, where, 'a predicate function');
}
