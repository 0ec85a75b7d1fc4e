import type { LogEvent } from '../core/log-event';
import { eventMessage } from '../templates/log-event-record';

/** The event's rendered message, or its template text when rendering throws (a hostile property). Never throws. */
export function renderMessageSafely(event: LogEvent): string {
  try {
    return eventMessage(event);
  } catch {
    return event.messageTemplate.text;
  }
}

/** An error's `name` or `message` as a string, or undefined when it is missing or its getter throws. Never throws. */
export function readErrorField(error: Error, field: 'name' | 'message'): string | undefined {
  try {
    const value: unknown = error[field];
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a non-string name or message is rare; its String() form is the best we can send
    return typeof value === 'string' ? value : value === undefined ? undefined : String(value);
  } catch {
    return undefined;
  }
}
