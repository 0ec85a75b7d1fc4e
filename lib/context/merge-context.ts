import { describeValue } from '../core/describe-value';
import { holdThrows, read, tellHeld } from '../core/read-property';
import { SelfLog } from '../core/self-log';
import type { ContextProperties } from './context-store';
import { isProperties } from '../core/is-properties';

/**
 * Most properties a context holds: the capture limit on a collection's length
 * (`DEFAULT_CAPTURE_LIMITS.maxCollectionLength`), past which an event would leave them out anyway.
 * Kept here, at the run, so that a run given a huge object costs its listing once, not on every
 * event logged inside it (listing 100 000 names takes V8 over 100 ms).
 */
export const MAX_PROPERTIES = 1000;

/** The context of a run whose properties were refused, outside any other. */
const NONE: ContextProperties = Object.freeze({});

/** Sets `key` on `target`; a "__proto__" name becomes an own property, as spreading makes it, not the prototype. */
export function put(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/**
 * The properties an inner `LogContext.run` puts in force: `properties` over `outer`, at most
 * {@link MAX_PROPERTIES} of them (the outer ones first, then the new names in order; the rest are
 * left out and reported to SelfLog, once for the run). Never throws: properties that are not an
 * object of properties (`null`, a string, an array, whose indexes would become names, a Map, a
 * Set or a Date, whose entries are no names, as an enricher's) or whose names cannot be
 * listed (a Proxy whose traps throw) are reported to SelfLog and left out, so the app's callback
 * still runs, with the outer context. A getter that throws puts its marker (`'[Throws: message]'`)
 * in force, as a call's argument would, and the names after it are kept; SelfLog is told the name
 * and the error's kind only, as under a redaction policy, which is not known here.
 *
 * Frozen, once per run: it is what `LogContext.current()` hands out and what every event of the
 * run reads, so a caller that changes what it got cannot change the run's context (Serilog's
 * `LogContext.Clone()` is a snapshot of an immutable stack too), and no copy is made per read.
 */
export function mergeContext(outer: ContextProperties | undefined, properties: ContextProperties): ContextProperties {
  if (!isProperties(properties)) {
    SelfLog.write('LogContext.run: not properties: {Value}', describeValue(properties));
    return outer ?? NONE;
  }
  try {
    const outerKeys = outer === undefined ? [] : Object.keys(outer);
    let count = outerKeys.length;
    const kept = Object.keys(properties).filter(
      (key) => (outer !== undefined && Object.hasOwn(outer, key)) || count++ < MAX_PROPERTIES,
    );
    if (count > MAX_PROPERTIES)
      SelfLog.write('LogContext.run: {Count} properties past {Limit} left out', count - MAX_PROPERTIES, MAX_PROPERTIES);
    // Set name by name onto a fresh object, not spread over the outer one: V8 adds names to a copy
    // made by a spread on a slow path (a nested run took ten times as long as a first one).
    const merged: Record<string, unknown> = {};
    for (const key of outerKeys) put(merged, key, (outer as ContextProperties)[key]);
    // Read where no redaction policy is known: a getter that throws is told by its kind, not its
    // message, which may quote what a policy censors (its marker shows the message in the events).
    const held = holdThrows();
    try {
      for (const key of kept) put(merged, key, read(properties, key));
    } finally {
      tellHeld(held);
    }
    return Object.freeze(merged);
  } catch (error) {
    SelfLog.write('LogContext.run: unreadable properties ignored', error);
    return outer ?? NONE;
  }
}
