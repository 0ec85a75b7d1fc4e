import type { MonoTypeOperatorFunction } from 'rxjs';
import type { LogEvent } from '../core/log-event';
import { LevelSwitch } from '../core/level-switch';
import { type LogLevelName, levelValue } from '../core/log-level';
import { excludingCounted } from './filter-events';

/** The `droppedBy` reason under which a sink counts the events `minimumLevel` excluded in its `pipe`. */
export const MINIMUM_LEVEL_REASON = 'minimumLevel.belowLevel';

/**
 * Keeps events at `level` or above. With a LevelSwitch, the threshold follows the switch as it
 * changes. In a sink's `pipe`, each event below the level counts in the sink's `dropped`, under
 * {@link MINIMUM_LEVEL_REASON} (the sink's own `minimumLevel` option keeps such events out of the
 * sink altogether: they are never its `received`).
 *
 * @throws ConfigurationError when `level` is not a level name (aliases `trace`, `info`, `warn` are accepted).
 * @example
 * events$.pipe(minimumLevel('warning'))
 */
export function minimumLevel(level: LogLevelName | LevelSwitch | string): MonoTypeOperatorFunction<LogEvent> {
  const threshold = level instanceof LevelSwitch ? level : new LevelSwitch(level);
  return excludingCounted((event) => levelValue(event.level) >= threshold.value, MINIMUM_LEVEL_REASON);
}
