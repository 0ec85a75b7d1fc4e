import type { OperatorFunction, SchedulerLike } from 'rxjs';
import type { Enricher } from '../core/enricher';
import { LevelSwitch } from '../core/level-switch';
import type { LogEvent } from '../core/log-event';
import type { EventPredicate } from '../operators/event-predicate';
import type { LevelOverride, SinkRegistration } from '../pipeline/logger-pipeline';
import type { RedactionPolicy } from '../templates/redaction-policy';

/** What the fluent builders collect before `createLogger()`. */
export interface ConfigurationState {
  minimumLevel: LevelSwitch;
  overrides: LevelOverride[];
  enrichers: Enricher[];
  filters: EventPredicate[];
  operators: OperatorFunction<LogEvent, LogEvent>[];
  sinks: SinkRegistration[];
  scheduler: SchedulerLike | undefined;
  /** Redaction policies from `.destructure.redact(…)`, applied in order at capture. */
  redaction: RedactionPolicy[];
}

export function emptyConfigurationState(): ConfigurationState {
  return {
    // Information, as in Serilog: LevelSwitch's default.
    minimumLevel: new LevelSwitch(),
    overrides: [],
    enrichers: [],
    filters: [],
    operators: [],
    sinks: [],
    scheduler: undefined,
    redaction: [],
  };
}
