import { from, type Observable, tap } from 'rxjs';
import type { LogEvent } from '../../lib/core/log-event';
import type { LogLevelName } from '../../lib/core/log-level';
import type { Formatter } from '../../lib/core/sink';

export interface EventOverrides {
  level?: LogLevelName;
  text?: string;
  properties?: Record<string, unknown>;
  timestamp?: Date;
  exception?: Error;
}

/**
 * A plain LogEvent for operator tests that need no template machinery: the template is one text
 * token and renders as its text.
 */
export function makeEvent(overrides: EventOverrides = {}): LogEvent {
  const text = overrides.text ?? 'event';
  return {
    timestamp: overrides.timestamp ?? new Date(Date.UTC(2026, 10, 22, 12, 0, 0)),
    level: overrides.level ?? 'information',
    messageTemplate: { text, tokens: [{ kind: 'text', text }] },
    properties: overrides.properties ?? {},
    exception: overrides.exception,
    renderMessage: () => text,
  };
}

/** `n` numbered events, `{ N: i }` in their properties, for counting what a sink received. */
export function makeEvents(n: number, overrides: EventOverrides = {}): LogEvent[] {
  return Array.from({ length: n }, (_, i) =>
    makeEvent({ ...overrides, text: `event ${i}`, properties: { N: i, ...overrides.properties } }),
  );
}

/**
 * A synchronous source of `values` (as `from(array)` is) that counts how many of them it has
 * emitted: an operator under a `take(1)` must stop it after the first.
 */
export function countingSource<T>(values: readonly T[]): { source: Observable<T>; emitted: () => number } {
  let emitted = 0;
  return { source: from(values).pipe(tap(() => emitted++)), emitted: () => emitted };
}

/** A formatter that writes `N` and throws on every tenth event (N = 0, 10, 20 …): what a sink does with a failing formatter. */
export const throwsOnTens: Formatter = {
  format: (event) => {
    if ((event.properties.N as number) % 10 === 0) throw new Error('unformattable');
    return String(event.properties.N);
  },
};
