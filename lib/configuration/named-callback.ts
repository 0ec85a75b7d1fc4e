import type { LogEvent } from '../core/log-event';

/**
 * `call` (by default one that calls `callback`) named as `callback` is named now, or `''` when its
 * name cannot be read (a Proxy whose `name` getter throws). The pipeline reads an enricher's or a
 * filter's name for SelfLog on every event, outside the guard that catches the callback's own
 * faults: a name that threw there ended the shared stream, losing every event after it uncounted.
 */
export function namedCallback<F extends (event: LogEvent) => unknown>(
  callback: F,
  call = ((event: LogEvent) => callback(event)) as F,
): F {
  let name: unknown = '';
  try {
    ({ name } = callback);
  } catch {
    // Unreadable: SelfLog names it 'anonymous'.
  }
  return Object.defineProperty(call, 'name', { value: typeof name === 'string' ? name : '' });
}
