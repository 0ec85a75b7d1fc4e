import { isLevelName, type LogLevelName } from '../../core/log-level';
import { SelfLog } from '../../core/self-log';

/**
 * The level of a request's completion event: what the `requestLogging.level` option answers when
 * it is a level name, else `fallback`. An option that throws or answers something else is
 * reported to SelfLog and never costs the event.
 */
export function chosenLevel(choose: () => unknown, fallback: LogLevelName): LogLevelName {
  try {
    const chosen = choose();
    if (isLevelName(chosen)) return chosen;
    SelfLog.write('requestLogging.level returned {Level}, not a level name; the default level is used', String(chosen));
  } catch (error) {
    SelfLog.write('requestLogging.level threw; the default level is used', error);
  }
  return fallback;
}
