import { isLevelName, type LogLevelName } from '../../core/log-level';
import { SelfLog } from '../../core/self-log';
import { isThenable, reportRejection } from '../../operators/report-rejection';

/**
 * The level of a request's completion event: what the `requestLogging.level` option answers when
 * it is a level name, else `fallback`. An option that throws or answers something else is
 * reported to SelfLog and never costs the event. The event is written when the response ends, so
 * an async option's Promise is not waited for: it is reported, and its rejection too (not left
 * unhandled, which ends a Node process).
 */
export function chosenLevel(choose: () => unknown, fallback: LogLevelName): LogLevelName {
  try {
    const chosen = choose();
    if (isLevelName(chosen)) return chosen;
    if (isThenable(chosen)) {
      SelfLog.write(
        'requestLogging.level returned a Promise (an async function?); it must answer synchronously; the default level is used',
      );
      reportRejection(chosen, 'requestLogging.level rejected');
      return fallback;
    }
    SelfLog.write('requestLogging.level returned {Level}, not a level name; the default level is used', String(chosen));
  } catch (error) {
    SelfLog.write('requestLogging.level threw; the default level is used', error);
  }
  return fallback;
}
