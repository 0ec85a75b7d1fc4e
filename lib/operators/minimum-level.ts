import { filter, type MonoTypeOperatorFunction } from 'rxjs';
import type { LogEvent } from '../core/log-event';
import { LevelSwitch } from '../core/level-switch';
import { type LogLevelName, levelValue } from '../core/log-level';

/**
 * Keeps events at `level` or above. With a LevelSwitch, the threshold follows the switch as it
 * changes.
 *
 * @throws ConfigurationError when `level` is not a level name (aliases `trace`, `info`, `warn` are accepted).
 * @example
 * events$.pipe(minimumLevel('warning'))
 */
export function minimumLevel(level: LogLevelName | LevelSwitch | string): MonoTypeOperatorFunction<LogEvent> {
  const threshold = level instanceof LevelSwitch ? level : new LevelSwitch(level);
  return filter((event) => levelValue(event.level) >= threshold.value);
}
