import { isObject } from '../core/is-object';
import type { LogEvent } from '../core/log-event';
import { ConfigurationError } from '../core/errors/configuration-error';
import { SelfLog } from '../core/self-log';
import { strayPromise } from '../core/stray-promise';
import { writeJson } from '../templates/safe-json';
import { describeOption } from './operator-options';

/** What picks an event's key: a property name, or a function of the event. A structured value is keyed by its JSON text. */
export type EventKey = string | ((event: LogEvent) => unknown);

/**
 * Turns an {@link EventKey} option into a function that never throws: a selector that throws or
 * returns a Promise (an async one), or a named property that cannot be read (a throwing getter, a
 * Proxy), is reported to SelfLog and gives `undefined`; a value that is not an event (not an
 * object: the selector is not called; or, by name, no properties object) gives `undefined`, unreported. A structured value (an object, an array, a Date) gives its compact JSON text:
 * every event captures its own copy of a structure (from `{@Request}`, LogContext or an
 * enricher), so two events of one request hold equal values but never the same object, and keys
 * compared as objects would never match. Scalars are given as they are.
 *
 * @throws ConfigurationError when `key` is neither a non-empty string nor a function.
 */
export function eventKeySelector(key: EventKey, where: string): (event: LogEvent) => unknown {
  if ((typeof key === 'string' && key !== '') || typeof key === 'function') {
    return (event) => {
      // A value that is not an event (an app operator's `undefined`) has no key, and nothing to
      // report: a selector written for events would throw on it, one SelfLog line per value.
      if (typeof event !== 'object' || (event as unknown) === null) return undefined;
      try {
        // A property that cannot be read (a throwing getter, a Proxy) is no key, as a throwing selector is.
        let value: unknown;
        if (typeof key === 'function') {
          value = key(event);
          // An async selector's Promise is no key: keyed by its JSON text, '{}', every event would share one.
          if (strayPromise(value, where, key)) return undefined;
        } else {
          // An object without a properties object is no event either.
          const properties: unknown = (event as Partial<LogEvent>).properties;
          if (!isObject(properties)) return undefined;
          value = Object.hasOwn(properties, key) ? (properties as Record<string, unknown>)[key] : undefined;
        }
        return isObject(value) ? writeJson(value) : value;
      } catch (error) {
        SelfLog.write('{Where}: the key selector threw; the event has no key', where, error);
        return undefined;
      }
    };
  }
  throw new ConfigurationError(`${where}: expected a property name or a function, got ${describeOption(key)}`);
}
