import { catchError, type MonoTypeOperatorFunction, type Observable, type OperatorFunction } from 'rxjs';
import type { LogEvent } from '../core/log-event';
import { SelfLog } from '../core/self-log';

/**
 * Wraps an app-supplied operator so that an error inside it costs only the event that caused
 * it: the error goes to SelfLog and the operator is subscribed again to the (hot) source, so
 * later events flow as before instead of the whole pipeline being torn down.
 */
export function isolateOperator(
  operator: OperatorFunction<LogEvent, LogEvent>,
  where: string,
): MonoTypeOperatorFunction<LogEvent> {
  return (source: Observable<LogEvent>) =>
    source.pipe(
      operator,
      catchError((error: unknown, caught: Observable<LogEvent>) => {
        SelfLog.write('Operator {Where} failed; the event is lost and the operator restarted', where, error);
        return caught;
      }),
    );
}
