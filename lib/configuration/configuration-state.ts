import type { OperatorFunction, SchedulerLike } from 'rxjs';
import { ConfigurationError } from '../core/errors/configuration-error';
import type { Enricher } from '../core/enricher';
import { type LevelReader, LevelSwitch } from '../core/level-switch';
import type { LogEvent } from '../core/log-event';
import type { EventPredicate } from '../operators/event-predicate';
import type { SinkRegistration } from '../pipeline/logger-pipeline';
import type { CaptureSettings } from '../templates/capture';
import type { RedactionPolicy } from '../templates/redaction-policy';

/** What the fluent builders collect before `createLogger()`. */
export interface ConfigurationState {
  minimumLevel: LevelReader;
  /**
   * `minimumLevel.override`s by upper-cased prefix: one configured again replaces the earlier one
   * without a scan, so thousands of them configure in linear time.
   */
  overrides: Map<string, LevelReader>;
  enrichers: Enricher[];
  filters: EventPredicate[];
  operators: OperatorFunction<LogEvent, LogEvent>[];
  sinks: SinkRegistration[];
  scheduler: SchedulerLike | undefined;
  /** Redaction policies from `.destructure.redact(…)`, applied in order at capture. */
  redaction: RedactionPolicy[];
  /**
   * The capture limits `.destructure.toMaximum…(…)` set, and the transforms of
   * `.destructure.byTransforming…(…)`; undefined until one is set (the defaults, on the hot path's shortest way).
   */
  captureLimits: CaptureSettings | undefined;
  /** Whether `createLogger()` has run: the configuration is spent, and a later call on it is a mistake. */
  created: boolean;
}

export function emptyConfigurationState(): ConfigurationState {
  return {
    // Information, as in Serilog: LevelSwitch's default.
    minimumLevel: new LevelSwitch(),
    overrides: new Map(),
    enrichers: [],
    filters: [],
    operators: [],
    sinks: [],
    scheduler: undefined,
    redaction: [],
    captureLimits: undefined,
    created: false,
  };
}

/**
 * Refuses a builder call once `createLogger()` has run: the logger is built from the
 * configuration as it was, so the call could change nothing, and it would be lost without a word.
 *
 * @throws ConfigurationError naming `where` when the configuration already created its logger.
 */
export function expectNotCreated(state: ConfigurationState, where: string): void {
  if (state.created)
    throw new ConfigurationError(
      `${where}: this configuration already created its logger, which this call cannot change; configure before createLogger() or use a new LoggerConfiguration`,
    );
}
