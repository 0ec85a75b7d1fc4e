import { map, type MonoTypeOperatorFunction } from 'rxjs';
import type { LogEvent } from '../core/log-event';
import { SelfLog } from '../core/self-log';
import { eventTimeMs, LogEventRecord } from '../templates/log-event-record';
import { type RedactOptions, RedactionPolicy } from '../templates/redaction-policy';

/**
 * Applies a redaction policy (the options of `.destructure.redact(…)`) to the events of a stream
 * the app builds itself: an event whose properties or exception hold something the policy names
 * is replaced by a copy with it censored or removed; other events pass as they are. The logger's
 * own events are better redacted at capture, with `.destructure.redact(…)`, so no queue or sink
 * ever holds the secret.
 *
 * ```text
 * source:                               -a-|   a.properties = { User: { password: 'x' } }
 * redact({ paths: ['User.password'] }): -b-|   b.properties = { User: { password: '[Redacted]' } }
 * ```
 *
 * @throws ConfigurationError when the options are invalid.
 * @example
 * imported$.pipe(redact({ keys: /token|secret/i }))
 */
export function redact(options: RedactOptions): MonoTypeOperatorFunction<LogEvent> {
  const policy = RedactionPolicy.compile(options, 'redact');
  return map((event) => {
    try {
      const properties = policy.redactProperties(event.properties);
      const exception = event.exception === undefined ? undefined : policy.redactError(event.exception);
      if (properties === event.properties && exception === event.exception) return event;
      return new LogEventRecord(eventTimeMs(event), event.level, event.messageTemplate, properties, exception);
    } catch (error) {
      SelfLog.write('redact: the event could not be redacted; its properties are dropped', error);
      return new LogEventRecord(eventTimeMs(event), event.level, event.messageTemplate, {});
    }
  });
}
