import type { LogEvent } from './log-event';

/**
 * Marks what an enricher may not return: each member is one that an array, a Map, a Set, a Date, a
 * Promise or a function has and an object of properties does not. All optional, so any object
 * type without them matches: an interface, a class instance, a literal.
 */
interface NotProperties {
  /** Arrays, tuples, Maps, Sets, typed arrays. */
  readonly [Symbol.iterator]?: never;
  /** Promises, Maps, Sets and other values whose `Object.prototype.toString` is not `[object Object]`. */
  readonly [Symbol.toStringTag]?: never;
  /** Functions. */
  readonly [Symbol.hasInstance]?: never;
  /** Dates. */
  readonly [Symbol.toPrimitive]?: never;
  /** A LogEvent: an enricher returns the properties to add, not the event it was given. */
  readonly renderMessage?: never;
}

/**
 * What an enricher may return: an object of properties of any object type (an interface, a class
 * instance's own fields, a literal, a record). An array, a Map, a Set, a Date, a Promise (an async
 * enricher), a function or the event itself is not one: it adds nothing at run time, and fails to
 * compile.
 */
export type EnricherProperties = Readonly<Record<string, unknown>> | (object & NotProperties);

/**
 * Adds properties to an event: returns the properties to add (never overwriting ones the event
 * already has), or nothing. `P` is the type of what it
 * returns: by default a record, so a test can read `withHost(event)?.Host`; name it to return an
 * interface or a class instance (`Enricher<RequestContext>`), which has no index signature.
 * `.enrich.with(…)` and the `enrich` operator take an enricher of any such `P`.
 *
 * @example
 * const withHost: Enricher = () => ({ Host: 'web-1' });
 * const withRequest: Enricher<RequestContext> = () => requestContext;
 */
export type Enricher<P extends EnricherProperties = Readonly<Record<string, unknown>>> = (
  event: LogEvent,
) => P | undefined | void;
