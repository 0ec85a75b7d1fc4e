import type { LogEvent } from './log-event';

/**
 * What an {@link Enricher} returns: an object of properties, of any object type (an object literal,
 * an interface, a class instance whose own fields are the properties). An iterable (an array, a
 * Map, a Set), a Date or a function is not properties and fails to compile (at run time it adds
 * nothing and is reported to SelfLog). The members typed `never` are how the compiler tells those
 * apart: no object of properties has them, and `Readonly<Record<string, unknown>>` alone refused an
 * interface or a class (no index signature) under `strict`.
 */
export type EnricherProperties = object & {
  readonly [Symbol.iterator]?: never;
  readonly [Symbol.toPrimitive]?: never;
  readonly [Symbol.hasInstance]?: never;
};

/**
 * Adds properties to an event: returns the properties to add (never overwriting ones the event
 * already has), or nothing.
 *
 * @example const withHost: Enricher = () => ({ Host: 'web-1' });
 */
export type Enricher = (event: LogEvent) => EnricherProperties | undefined | void;
