import { expectCallback, expectOption } from '../core/expect-option';
import { readGuarded } from '../core/read-options';
import { type CaptureLimits, type CaptureTransform, DEFAULT_CAPTURE_LIMITS, expectCaptureLimit } from '../templates/capture';
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
   * see only the censored value. Several calls apply one after another. An array of paths is
   * short for `{ paths }` with the default censor (pino's `redact: ['a.b']`).
   *
   * @throws ConfigurationError naming a bad path, key pattern or censor, or saying that reading the options threw.
   * @example
   * new LoggerConfiguration().destructure.redact({ paths: ['User.password'], keys: /token|secret/i })
   */
  redact(options: RedactOptions | readonly string[]): TParent {
    expectNotCreated(this.#state, 'destructure.redact');
    // A Proxy whose names cannot be listed is a configuration mistake like any other.
    this.#state.redaction.push(
      readGuarded('destructure.redact', 'the options', () => RedactionPolicy.compile(options, 'destructure.redact')),
    );
    return this.#parent;
  }

  /**
   * The deepest nesting of arrays and objects captured (Serilog's `Destructure.ToMaximumDepth`); a
   * structure deeper than this is captured as `'[MaxDepth]'`. Default `10`; `0` keeps no structure.
   * At most `63`: rxlog's JSON and text writers follow 63 levels (a CLEF line nests at most 64 deep,
   * as Serilog's reader takes) and write deeper structure as `'[MaxDepth]'` whatever was captured,
   * while capture, which recurses, would run out of stack some thousand levels down (fewer the
   * deeper the logging call) and keep `'[Throws: Maximum call stack size exceeded]'` there.
   *
   * @throws ConfigurationError naming the value when it is not a whole number from 0 to 63.
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

  /**
   * Captures each instance of `type` (`value instanceof type`: a subclass's too) as what
   * `transform(value)` returns, in structure, within the same limits (Serilog's
   * `Destructure.ByTransforming<T>`). Applies wherever capture meets such an object: call
   * arguments with or without `@` (not `$`), their members at any depth, child-logger properties,
   * LogContext and enricher values, and the data of a thrown object that is not an Error. A
   * transform applies at most once at each place: what it returns is not transformed by it again
   * (one returning its own type cannot loop), though another transform may take it, and its
   * members meet every transform again. One that throws is captured as `'[Throws: message]'` and
   * told to SelfLog; the call still logs. Transforms are tried in the order registered.
   *
   * @throws ConfigurationError naming the value when `type` is not a class (an arrow function is not) or `transform` is not a function or is a class.
   * @example
   * new LoggerConfiguration().destructure.byTransforming(User, (user) => ({ id: user.id, name: user.name }))
   */
  byTransforming<T extends object>(type: abstract new (...args: never[]) => T, transform: (value: T) => unknown): TParent {
    return this.#transform('destructure.byTransforming', type, (value) => value instanceof type, transform);
  }

  /**
   * Captures each object `predicate` accepts as what `transform(value)` returns (Serilog's
   * `Destructure.ByTransformingWhere`, whose predicate reads the type: this one reads the object,
   * and a type guard types `transform`'s argument). The predicate runs for every object captured,
   * so keep it cheap; one that throws counts as a transform that throws. Otherwise as
   * `byTransforming`.
   *
   * @throws ConfigurationError naming the value when `predicate` or `transform` is not a function or is a class.
   * @example
   * new LoggerConfiguration().destructure.byTransformingWhere(isHttpErrorResponse, (r) => ({ status: r.status }))
   */
  byTransformingWhere<T extends object = object>(
    predicate: ((value: object) => value is T) | ((value: object) => boolean),
    transform: (value: T) => unknown,
  ): TParent {
    return this.#transform('destructure.byTransformingWhere', predicate, predicate, transform);
  }

  /** `given`: the class, or the predicate (then `matches` itself). */
  #transform<T extends object>(
    where: string,
    given: unknown,
    matches: (value: object) => boolean,
    transform: (value: T) => unknown,
  ): TParent {
    expectNotCreated(this.#state, where);
    // Object.is: byTransformingWhere(NaN) is a predicate that is not a function, not a class.
    const isPredicate = Object.is(given, matches);
    // A class has a prototype object: an arrow function has none, and would throw in every instanceof check.
    // A Proxy whose trap throws as it is read is a ConfigurationError too.
    const ok = readGuarded(
      where,
      'the type',
      () => typeof given === 'function' && (isPredicate || typeof (given as { prototype?: unknown }).prototype === 'object'),
    );
    expectOption(ok, where, isPredicate ? 'a predicate function' : 'a class as the type', given);
    // A predicate or transform that is a class would throw for every object captured.
    if (isPredicate) expectCallback(given, where, 'a predicate function');
    expectCallback(transform, where, 'a transform function');
    const limits = this.#state.captureLimits;
    // Matched before it is called: `matches` says the value is a T.
    const added: CaptureTransform = { matches, transform: transform as (value: object) => unknown };
    this.#state.captureLimits = { ...(limits ?? DEFAULT_CAPTURE_LIMITS), transforms: [...(limits?.transforms ?? []), added] };
    return this.#parent;
  }

  #limit(name: keyof CaptureLimits, value: number, min: number, where: string): TParent {
    expectNotCreated(this.#state, where);
    // A NaN read from an unset environment variable, or Infinity, would leave capture without bounds.
    expectCaptureLimit(name, value, where, min);
    this.#state.captureLimits = { ...(this.#state.captureLimits ?? DEFAULT_CAPTURE_LIMITS), [name]: value };
    return this.#parent;
  }
}
