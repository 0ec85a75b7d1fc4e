import { expectOption } from '../core/expect-option';
import { readFailure } from '../core/read-options';
import { type CaptureLimits, DEFAULT_CAPTURE_LIMITS } from '../templates/capture';
import { type RedactOptions, RedactionPolicy } from '../templates/redaction-policy';
import { type ConfigurationState, expectNotCreated } from './configuration-state';

/** `.destructure…`: policies and limits applied while values are captured into events. */
export class DestructureConfiguration<TParent> {
  readonly #parent: TParent;
  readonly #state: ConfigurationState;
  constructor(parent: TParent, state: ConfigurationState) {
    this.#parent = parent;
    this.#state = state;
  }

  /**
   * Redacts secrets while they are captured: call arguments, child-logger properties, LogContext
   * and enricher values, and the exception's own properties. The queue, `events$` and every sink
   * see only the censored value. Several calls apply one after another.
   *
   * @throws ConfigurationError naming a bad path, key pattern or censor, or saying that reading the options threw.
   * @example
   * new LoggerConfiguration().destructure.redact({ paths: ['User.password'], keys: /token|secret/i })
   */
  redact(options: RedactOptions): TParent {
    expectNotCreated(this.#state, 'destructure.redact');
    try {
      this.#state.redaction.push(RedactionPolicy.compile(options, 'destructure.redact'));
    } catch (error) {
      // A Proxy whose names cannot be listed is a configuration mistake like any other.
      readFailure('destructure.redact', 'the options', error);
    }
    return this.#parent;
  }

  /**
   * The deepest nesting of arrays and objects captured (Serilog's `Destructure.ToMaximumDepth`); a
   * structure deeper than this is captured as `'[MaxDepth]'`. Default `10`; `0` keeps no structure.
   *
   * @throws ConfigurationError naming the value when it is not a whole number ≥ 0.
   */
  toMaximumDepth(maximumDepth: number): TParent {
    return this.#limit('maxDepth', maximumDepth, 0, 'destructure.toMaximumDepth');
  }

  /**
   * The longest string captured, in UTF-16 code units (Serilog's `Destructure.ToMaximumStringLength`);
   * a longer one is cut and `'…[truncated N chars]'` appended. Unlike Serilog's, it applies to
   * every captured string, a plain `{Name}` argument's too, and to names inside captured values.
   * Default `65536`.
   *
   * @throws ConfigurationError naming the value when it is not a whole number ≥ 2 (Serilog's lower bound).
   */
  toMaximumStringLength(maximumStringLength: number): TParent {
    return this.#limit('maxStringLength', maximumStringLength, 2, 'destructure.toMaximumStringLength');
  }

  /**
   * The most items captured per array, Set, Map or object (Serilog's
   * `Destructure.ToMaximumCollectionCount`); past it an array ends with `'…N more'` and an object
   * with a key `'…'`. Default `1000`.
   *
   * @throws ConfigurationError naming the value when it is not a whole number ≥ 1 (Serilog's lower bound).
   */
  toMaximumCollectionCount(maximumCollectionCount: number): TParent {
    return this.#limit('maxCollectionLength', maximumCollectionCount, 1, 'destructure.toMaximumCollectionCount');
  }

  #limit(name: keyof CaptureLimits, value: number, min: number, where: string): TParent {
    expectNotCreated(this.#state, where);
    // A NaN read from an unset environment variable, or Infinity, would leave capture without bounds.
    expectOption(Number.isSafeInteger(value) && value >= min, where, `a whole number ≥ ${min}`, value);
    this.#state.captureLimits = { ...(this.#state.captureLimits ?? DEFAULT_CAPTURE_LIMITS), [name]: value };
    return this.#parent;
  }
}
