import type { Enricher, EnricherProperties } from '../core/enricher';
import { expectFunctions, expectOption } from '../core/expect-option';
import { currentOrNone } from '../context/log-context';
import { type ConfigurationState, expectNotCreated } from './configuration-state';

/** What SelfLog hears when the `current()` of an app's own LogContext store throws as an event is enriched. */
const FROM_LOG_CONTEXT_FAILED =
  "enrich.fromLogContext: the LogContext store's current() failed; events go on without its context";

/** `.enrich…`: properties added to every event. An enricher never overwrites a property the event already has. */
export class EnrichmentConfiguration<TParent> {
  readonly #parent: TParent;
  readonly #state: ConfigurationState;
  constructor(parent: TParent, state: ConfigurationState) {
    this.#parent = parent;
    this.#state = state;
  }

  /**
   * Adds one fixed property to every event.
   *
   * @throws ConfigurationError naming the name when it is empty or only white space, as Serilog's PropertyEnricher refuses it.
   */
  withProperty(name: string, value: unknown): TParent {
    expectNotCreated(this.#state, 'enrich.withProperty');
    expectOption(
      typeof name === 'string' && name.trim() !== '',
      'enrich.withProperty',
      'a property name that is not empty or white space',
      name,
    );
    const properties = Object.freeze({ [name]: value });
    const withProperty: Enricher = () => properties;
    return this.with(withProperty);
  }

  /**
   * Adds what each enricher returns; a throwing enricher is reported to SelfLog and skipped. An
   * enricher may return any object type of properties: an interface or a class instance too.
   *
   * @throws ConfigurationError naming an enricher that is not a function, or is a class (which throws called without `new`).
   */
  with(...enrichers: Enricher<EnricherProperties>[]): TParent {
    expectNotCreated(this.#state, 'enrich.with');
    expectFunctions(enrichers, 'enrich.with', 'an enricher function');
    // The pipeline reads what an enricher returns by key, whatever its declared type (see enrichOwnEvent).
    this.#state.enrichers.push(...(enrichers as Enricher[]));
    return this.#parent;
  }

  /**
   * Adds the ambient properties of `LogContext.run(…)` in force where the event was logged. When
   * the `current()` of an app's own store (`LogContext.useStore`) throws, events go on without the
   * context and SelfLog hears of it once for a run of such events, not once per event.
   */
  fromLogContext(): TParent {
    expectNotCreated(this.#state, 'enrich.fromLogContext');
    const fromLogContext: Enricher = () => currentOrNone(FROM_LOG_CONTEXT_FAILED);
    return this.with(fromLogContext);
  }
}
