import type { LogEvent } from './log-event';

/**
 * Adds properties to an event: returns the properties to add (never overwriting ones the event
 * already has), or nothing.
 *
 * @example const withHost: Enricher = () => ({ Host: 'web-1' });
 */
export type Enricher = (event: LogEvent) => Readonly<Record<string, unknown>> | undefined | void;
