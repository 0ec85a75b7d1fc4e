import { map, type MonoTypeOperatorFunction } from 'rxjs';
import type { LogEvent } from '../core/log-event';
import type { LogLevelName } from '../core/log-level';
import type { MessageTemplate } from '../core/message-template';
import { readLevel } from './read-level';
import { SelfLog } from '../core/self-log';
import { heldThrows } from '../core/read-property';
import { captureValue } from '../templates/capture';
import { setOwnProperty } from '../templates/own-property';
import { eventTimeMs, LogEventRecord, wholeEvent } from '../templates/log-event-record';
import { type RedactOptions, RedactionPolicy } from '../templates/redaction-policy';

/**
 * Applies a redaction policy (the options of `.destructure.redact(…)`) to the events of a stream
 * the app builds itself: an event whose properties or exception hold something the policy names
 * is replaced by a copy with it censored or removed; other events pass as they are. An app
 * operator's copy made with spread syntax (no `timestamp` or `renderMessage()`) is redacted into a
 * whole event with the time it carries; properties holding a cycle of plain objects are captured
 * as the logger would (`'[Circular]'`), then redacted; a value that is not an event (a `map` branch's
 * `undefined`) holds nothing to redact and passes as it is. The logger's
 * own events are better redacted at capture, with `.destructure.redact(…)`, so no queue or sink
 * ever holds the secret.
 *
 * ```text
 * source:                               -a-|   a.properties = { User: { password: 'x' } }
 * redact({ paths: ['User.password'] }): -b-|   b.properties = { User: { password: '[Redacted]' } }
 * ```
 *
 * An array of paths is short for `{ paths }` with the default censor: `redact(['User.password'])`.
 *
 * @throws ConfigurationError when the options are invalid.
 * @example
 * imported$.pipe(redact({ keys: /token|secret/i }))
 */
export function redact(options: RedactOptions | readonly string[]): MonoTypeOperatorFunction<LogEvent> {
  const policy = RedactionPolicy.compile(options, 'redact');
  return map((event) => {
    if (typeof event !== 'object' || (event as unknown) === null) return event;
    let whole = event;
    try {
      // A spread copy has the record's timeMs (and perhaps a template as text), not its timestamp getter.
      whole = wholeEvent(event);
      // A getter that threw on a value the policy censors is told to SelfLog without its message (see heldThrows).
      const [properties, exception] = heldThrows((): [Readonly<Record<string, unknown>>, Error | undefined] => {
        let redacted: Readonly<Record<string, unknown>>;
        try {
          redacted = policy.redactProperties(whole.properties);
        } catch {
          // A cycle of plain objects the app built (they are walked as they are, not captured):
          // captured as the logger would (the cycle becomes '[Circular]'), then redacted.
          redacted = policy.redactProperties(capturedCopy(whole.properties), true);
        }
        return [redacted, whole.exception === undefined ? undefined : policy.redactError(whole.exception)];
      });
      if (properties === whole.properties && exception === whole.exception) return event;
      return new LogEventRecord(timeOf(whole), whole.level, whole.messageTemplate, properties, exception);
    } catch (error) {
      SelfLog.write('redact: the event could not be redacted; its properties are dropped', error);
      // Each part read on its own: an event whose level or template cannot be read either (a Proxy
      // whose traps throw) still goes on without its properties, rather than as it came or as an error.
      return new LogEventRecord(
        timeOf(whole),
        readLevel(whole) as LogLevelName,
        readLevel(whole, 'messageTemplate') as MessageTemplate,
        {},
      );
    }
  });
}

/** Each property captured as a `{@Name}` value is: bounded data, which the policy can walk. */
function capturedCopy(properties: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(properties)) setOwnProperty(copy, key, captureValue(properties[key], 'structure'));
  return copy;
}

/** When the event happened, or now when that cannot be read (no timestamp at all): never throws. */
function timeOf(event: LogEvent): number {
  try {
    return eventTimeMs(event);
  } catch {
    return Date.now();
  }
}
