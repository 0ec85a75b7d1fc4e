import { thrownMessage } from '../core/read-property';
import { SelfLog } from '../core/self-log';

/**
 * A plain copy of an event's properties that a JSON writer can read without a throw: a value whose
 * read throws (a getter or Proxy trap of an event built in JavaScript) is its `'[Throws: message]'`
 * marker (as capture and the OTLP writer write it), keys that cannot be listed one `rxlog.unreadable`
 * entry; SelfLog hears of them once, naming `writer`. Never throws.
 */
export function readableProperties(properties: Readonly<Record<string, unknown>>, writer: string): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  let count = 0;
  let first = '';
  const marker = (error: unknown): string => {
    const text = `[Throws: ${thrownMessage(error)}]`;
    if (count++ === 0) first = text;
    return text;
  };
  let keys: string[];
  try {
    keys = Object.keys(properties);
  } catch (error) {
    keys = [];
    copy['rxlog.unreadable'] = marker(error);
  }
  for (const key of keys) {
    let value: unknown;
    try {
      value = properties[key];
    } catch (error) {
      value = marker(error);
    }
    // defineProperty: a key `__proto__` stays a property of the copy.
    Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
  }
  if (count > 0)
    SelfLog.write(
      '{Writer}: {Count} unreadable value(s) of an event written as markers, the first {Marker}',
      writer,
      count,
      first,
    );
  return copy;
}
