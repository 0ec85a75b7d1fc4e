import type { OperatorFunction, SchedulerLike } from 'rxjs';
import { ConfigurationError } from '../core/errors/configuration-error';
import type { LogEvent } from '../core/log-event';
import { guardScheduler } from '../core/guard-scheduler';
import { unrefScheduler } from '../core/unref-scheduler';
import { Logger } from '../pipeline/logger';
import { LoggerPipeline } from '../pipeline/logger-pipeline';
import { type ConfigurationState, emptyConfigurationState, expectNotCreated } from './configuration-state';
import { expectFunctions } from '../core/expect-option';
import { thrownText } from '../core/read-options';
import { checkScheduler } from '../operators/operator-options';
import { DestructureConfiguration } from './destructure-configuration';
import { EnrichmentConfiguration } from './enrichment-configuration';
import { FilterConfiguration } from './filter-configuration';
import { MinimumLevelConfiguration } from './minimum-level-configuration';
import { SinkConfiguration } from './sink-configuration';

/**
 * The fluent builder of a logger, in Serilog's shape. Mistakes (an unknown level, an enricher
 * that is not a function, a sink without `emit`, an option out of range) throw a
 * ConfigurationError naming the bad value, at the call that made them.
 *
 * @example
 * const log = new LoggerConfiguration()
 *   .minimumLevel.debug()
 *   .enrich.withProperty('App', 'shop')
 *   .writeTo.console()
 *   .createLogger();
 */
export class LoggerConfiguration {
  readonly #state: ConfigurationState = emptyConfigurationState();

  readonly minimumLevel = new MinimumLevelConfiguration<this>(this, this.#state);
  readonly enrich = new EnrichmentConfiguration<this>(this, this.#state);
  readonly filter = new FilterConfiguration<this>(this, this.#state);
  readonly writeTo = new SinkConfiguration<this>(this, this.#state);
  readonly destructure = new DestructureConfiguration<this>(this, this.#state);

  /** Adds RxJS operators to the shared stream, after enrichment and filters, before the sinks. */
  pipe(...operators: OperatorFunction<LogEvent, LogEvent>[]): this {
    expectNotCreated(this.#state, 'pipe');
    expectFunctions(operators, 'pipe', 'an operator function');
    this.#state.operators.push(...operators);
    return this;
  }

  /**
   * Puts every timer of the pipeline (batch age, retry delays, breaker reset, metrics interval,
   * shutdown timeout) on one scheduler, e.g. a TestScheduler for marble tests. Default: a
   * scheduler like RxJS's asyncScheduler whose timers are unref'd in Node. A scheduler whose
   * `now()` throws (or gives no finite number) or whose `schedule()` throws costs no event and no
   * close: that call falls back to the default clock or timers, reported once to SelfLog. rxlog's
   * operators in `.pipe(…)` or a sink's `pipe` made without a scheduler (`throttleEvents(options)`)
   * run on this one too; one passed to them explicitly wins. A `circuitBreaker` keeps the clock of its first call.
   */
  useScheduler(scheduler: SchedulerLike): this {
    expectNotCreated(this.#state, 'useScheduler');
    checkScheduler('useScheduler', scheduler, 'useScheduler');
    this.#state.scheduler = scheduler;
    return this;
  }

  /**
   * Builds the logger from the configuration as it is now. A configuration builds one logger: a
   * second call, or any builder call after this one (`writeTo`, `minimumLevel`, `enrich` …, which
   * could no longer change the logger), throws a ConfigurationError naming the call.
   */
  createLogger(): Logger {
    if (this.#state.created)
      throw new ConfigurationError('createLogger: this configuration already created a logger; use a new LoggerConfiguration');
    this.#state.created = true;
    const state = this.#state;
    const pipeline = new LoggerPipeline({
      ...state,
      // Copies, as Serilog takes them: a later call on this configuration must not reach the logger.
      filters: [...state.filters],
      overrides: Array.from(state.overrides, ([prefix, level]) => ({ prefix, level })),
      // Enricher and LogContext values are redacted as they are captured, like call arguments.
      redaction: [...state.redaction],
      enrichers: [...state.enrichers],
      scheduler: state.scheduler === undefined ? unrefScheduler : guardScheduler(state.scheduler),
    });
    const failure = pipeline.startFailure;
    if (failure !== undefined) {
      pipeline.abandon();
      // Nothing was built: a second call says the same, not "already created".
      state.created = false;
      throw new ConfigurationError(
        `createLogger: operator ${failure.where} failed when applied, so it would drop every event (a factory not called, such as throttleEvents for throttleEvents(…)?): ${thrownText(failure.error)}`,
        { cause: failure.error },
      );
    }
    return new Logger(pipeline, state.minimumLevel, undefined);
  }
}
