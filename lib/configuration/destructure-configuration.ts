import { readFailure } from '../core/read-options';
import { type RedactOptions, RedactionPolicy } from '../templates/redaction-policy';
import { type ConfigurationState, expectNotCreated } from './configuration-state';

/** `.destructure…`: policies applied while values are captured into events. */
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
}
