import type { LogEvent } from '../core/log-event';

/**
 * The `field` (by default `level`) of what an operator was given, or `undefined` when it has none
 * that can be read: a value that is not an object (an app operator's `undefined`), or one whose read
 * throws (a Proxy whose trap throws, a revoked Proxy, a throwing getter). Never throws, so an
 * operator that reads it treats such a value as it treats any value that is not an event, instead
 * of failing the stream and losing what it holds.
 */
export function readLevel(value: unknown, field: 'level' | 'messageTemplate' = 'level'): unknown {
  try {
    return (value as Partial<LogEvent> | null | undefined)?.[field];
  } catch {
    return undefined;
  }
}
