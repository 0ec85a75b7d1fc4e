import { map, type MonoTypeOperatorFunction } from 'rxjs';
import type { LogEvent } from '../core/log-event';
import type { LogLevelName } from '../core/log-level';
import type { MessageTemplate } from '../core/message-template';
import { readLevel } from './read-level';
import { SelfLog } from '../core/self-log';
import { heldThrows } from '../core/read-property';
import { isObject } from '../core/is-object';
import { captureValue } from '../templates/capture';
import { setOwnProperty } from '../templates/own-property';
import { eventTimeMs, LogEventRecord, wholeEvent } from '../templates/log-event-record';
import { type RedactOptions, RedactionPolicy } from '../templates/redaction-policy';

/**
 * Applies a redaction policy (the options of `.destructure.redact(…)`) to the events of a stream
 * the app builds itself: an event whose properties or exception hold something the policy names
 * is replaced by a copy with it censored or removed; other events pass as they are. An app
 * operator's copy made with spread syntax (no `timestamp` or `renderMessage()`) is redacted into a
 * whole event with the time it carries; properties holding a cycle of plain objects, or an array
 * with holes, are captured as the logger would (`'[Circular]'`, 1 000 items), then redacted; a
 * value that is not an event (a `map` branch's `undefined`) holds nothing to redact and passes as
 * it is. The logger's own events are better redacted at capture, with `.destructure.redact(…)`, so
 * no queue or sink ever holds the secret.
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
        const source = whole.properties;
        let redacted: Readonly<Record<string, unknown>>;
        try {
          // A cycle of plain objects the app built is captured first, as the logger would (it
          // becomes '[Circular]'): walked as it is, a copy along a changed branch would lead back
          // into the app's objects (user.self === user), whose secrets the sinks would write. So
          // is an array with holes, whose walk would visit each hole (see walksCaptured).
          redacted = walksCaptured(source)
            ? policy.redactProperties(capturedCopy(source), true)
            : policy.redactProperties(source);
        } catch {
          // What cannot be walked as it is (a getter or Proxy trap that throws, nesting too deep for
          // the stack): captured as the logger would, then redacted.
          redacted = policy.redactProperties(capturedCopy(source), true);
        }
        // An app's event may carry no Error there (null, or a string read back from JSON): no object, nothing to
        // redact (text is never searched), and it goes on as it is rather than made an Error it never was.
        const exception: unknown = whole.exception;
        return [
          redacted,
          typeof exception === 'object' && exception !== null ? policy.redactError(exception as Error) : whole.exception,
        ];
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

/**
 * Whether `properties` are redacted as captured: when an array they hold has holes (`items[1e9] =
 * x`), which a walk as it is would visit one by one (minutes), where capture keeps 1 000 items; or
 * when an object `properties` holds leads back into one it is inside (a cycle), following what
 * a formatter may write: an array's items, a Map's keys and values, a Set's items, any other
 * object's own enumerable values (a class instance's fields). A policy walks plain objects and
 * arrays as they are and copies only a changed branch, so a cycle through any of these leads
 * from the copy back into the app's objects. Each object that holds objects is explored once (a
 * leaf of a few values is read again when met again), without recursion (as deep or as shared as
 * an app builds it); no app code runs but getters and Proxy traps, and one
 * that throws sends the caller to capture too.
 */
function walksCaptured(properties: Readonly<Record<string, unknown>>): boolean {
  const values = Object.values(properties);
  // Most events hold scalars only: nothing to explore.
  if (!values.some((value) => typeof value === 'object' && value !== null)) return false;
  const open = new Set<object>([properties]);
  const done = new Set<object>();
  const stack: [object, unknown[]][] = [[properties, values]];
  while (stack.length !== 0) {
    const [value, children] = stack[stack.length - 1];
    if (children.length === 0) {
      stack.pop();
      open.delete(value);
      done.add(value);
      continue;
    }
    const child = children.pop();
    // A typed array or Buffer holds numbers only.
    if (typeof child !== 'object' || child === null || ArrayBuffer.isView(child) || done.has(child)) continue;
    if (open.has(child)) return true;
    // Object.values for an array too: a sparse one (a[1e9] = x) gives what it holds, not its length in holes.
    const items =
      child instanceof Map ? [...child.keys(), ...child.values()] : child instanceof Set ? [...child] : Object.values(child);
    if (Array.isArray(child) && items.length < child.length) return true;
    // A leaf (no object in it) is in no cycle: kept in no set, as the million small items of an
    // array are (an entry each made the check 5 times slower than the redaction, and as big), and
    // read again when met again, unless it is long enough for that to cost (then kept as done).
    if (!items.some(isObject)) {
      if (items.length > LEAF_READ_AGAIN) done.add(child);
      continue;
    }
    open.add(child);
    stack.push([child, items]);
  }
  return false;
}

/** The most values of a leaf `walksCaptured` reads again each time it meets it, rather than keeps. */
const LEAF_READ_AGAIN = 16;

/** When the event happened, or now when that cannot be read (no timestamp at all): never throws. */
function timeOf(event: LogEvent): number {
  try {
    return eventTimeMs(event);
  } catch {
    return Date.now();
  }
}
