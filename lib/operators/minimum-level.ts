import type { MonoTypeOperatorFunction } from 'rxjs';
import type { LogEvent } from '../core/log-event';
import { type LevelSwitch, levelSwitchFrom } from '../core/level-switch';
import { isLevelName, type LogLevelName, levelValue } from '../core/log-level';
import { SelfLog } from '../core/self-log';
import { excludingCounted } from './filter-events';
import { readLevel } from './read-level';

/** The `droppedBy` reason under which a sink counts the events `minimumLevel` excluded in its `pipe`. */
export const MINIMUM_LEVEL_REASON = 'minimumLevel.belowLevel';

/**
 * Keeps events at `level` or above. With a LevelSwitch, the threshold follows the switch as it
 * changes. In a sink's `pipe`, each event below the level counts in the sink's `dropped`, under
 * {@link MINIMUM_LEVEL_REASON} (the sink's own `minimumLevel` option keeps such events out of the
 * sink altogether: they are never its `received`). An event whose level is not one of the six
 * names (an app operator's `'Warning'`, a missing level, a value that is not an event) is kept rather than lost unseen, and
 * SelfLog is told once per operator, as a filter that fails keeps its event.
 *
 * @throws ConfigurationError naming the value when `level` is not a level name or a LevelSwitch (aliases `trace`, `info`, `warn` are accepted; a missing level is refused).
 * @example
 * events$.pipe(minimumLevel('warning'))
 */
export function minimumLevel(level: LogLevelName | LevelSwitch | string): MonoTypeOperatorFunction<LogEvent> {
  // Parsed here, not by the switch's constructor, whose default would read a missing level as
  // 'information', and whose message would name LevelSwitch rather than this operator.
  const threshold = levelSwitchFrom(level, 'minimumLevel');
  let told = false;
  return excludingCounted((event) => {
    // A value that is not an event (an app operator's `undefined`, a Proxy whose reads throw) is
    // kept, as one without a level.
    const name = readLevel(event);
    if (isLevelName(name)) return levelValue(name) >= threshold.value;
    if (!told) {
      told = true;
      SelfLog.write('minimumLevel: unknown level {Level} kept', name);
    }
    return true;
  }, MINIMUM_LEVEL_REASON);
}
