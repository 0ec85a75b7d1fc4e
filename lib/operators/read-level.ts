import { isObject } from '../core/is-object';
import type { LogEvent } from '../core/log-event';
import { FATAL, isLevelName, levelValue } from '../core/log-level';

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

/**
 * The value of an event's level for an operator that compares levels. A level that is not one of
 * the six names (an app operator's `'Error'` or `'WARN'`, a number, none) counts as fatal, above
 * every threshold, so it is never sampled out or held to be dropped (minimumLevel keeps it too);
 * a value that is not an event, or whose level cannot be read, counts as below every level.
 */
export function levelRank(value: unknown): number {
  if (isObject(value))
    try {
      const level = (value as LogEvent).level;
      return isLevelName(level) ? levelValue(level) : FATAL;
    } catch {
      // Unreadable (a Proxy whose trap throws): as a value that is not an event.
    }
  return Number.NEGATIVE_INFINITY;
}
