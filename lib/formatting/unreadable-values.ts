import { thrownMessage } from '../core/read-property';
import { SelfLog } from '../core/self-log';

/** The key under which an event whose property names cannot be listed (a Proxy whose trap throws) gets its marker, as OTLP's attribute. */
export const UNREADABLE_KEY = 'rxlog.unreadable';

/** What a read of a property threw (a getter, a Proxy trap of an event built in JavaScript). */
export class Unread {
  constructor(readonly error: unknown) {}
}

/** `properties[key]`, or an Unread holding what reading it threw. Never throws. */
export function peek(properties: Readonly<Record<string, unknown>>, key: string): unknown {
  try {
    return properties[key];
  } catch (error) {
    return new Unread(error);
  }
}

/** `Object.keys(properties)`, or an Unread holding what listing them threw. Never throws. */
export function listKeys(properties: Readonly<Record<string, unknown>>): string[] | Unread {
  try {
    return Object.keys(properties);
  } catch (error) {
    return new Unread(error);
  }
}

/**
 * The `'[Throws: message]'` markers a JSON writer puts where an event's property threw when read
 * (the marker capture and OTLP's writer use), counted for one SelfLog report per event.
 */
export class UnreadableTally {
  #count = 0;
  #first = '';

  /** Starts a new event. */
  reset(): void {
    this.#count = 0;
  }

  /** The marker of a read that threw, its message cut to 200 characters, counted. */
  marker(error: unknown): string {
    const marker = `[Throws: ${thrownMessage(error)}]`;
    if (this.#count++ === 0) this.#first = marker;
    return marker;
  }

  /** A value read by `peek` as it is written: an Unread becomes its marker. */
  value(value: unknown): unknown {
    return value instanceof Unread ? this.marker(value.error) : value;
  }

  /** Tells SelfLog, once for the event, how many values were written as markers (nothing when none were). */
  report(writer: string): void {
    if (this.#count > 0)
      SelfLog.write(
        '{Writer}: {Count} unreadable value(s) of an event written as markers, the first {Marker}',
        writer,
        this.#count,
        this.#first,
      );
  }
}
