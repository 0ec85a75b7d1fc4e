import { filter, type MonoTypeOperatorFunction } from 'rxjs';
import type { LogEvent } from '../core/log-event';
import { LevelSwitch } from '../core/level-switch';
import { isLevelName, type LogLevelName, levelValue } from '../core/log-level';
import { SelfLog } from '../core/self-log';

/**
 * Keeps events at `level` or above. With a LevelSwitch, the threshold follows the switch as it
 * changes. An event whose level is not one of the six names (an app operator's `'Warning'`, a
 * missing level) is kept rather than lost unseen, and SelfLog is told once per operator, as a
 * filter that fails keeps its event.
 *
 * @throws ConfigurationError when `level` is not a level name (aliases `trace`, `info`, `warn` are accepted).
 * @example
 * events$.pipe(minimumLevel('warning'))
 */
export function minimumLevel(level: LogLevelName | LevelSwitch | string): MonoTypeOperatorFunction<LogEvent> {
  const threshold = level instanceof LevelSwitch ? level : new LevelSwitch(level);
  let told = false;
  return filter((event) => {
    const name = event.level;
    if (isLevelName(name)) return levelValue(name) >= threshold.value;
    if (!told) {
      told = true;
      SelfLog.write('minimumLevel: unknown level {Level} kept', name);
    }
    return true;
  });
}
