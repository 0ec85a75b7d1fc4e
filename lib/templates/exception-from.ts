import { isObject } from '../core/is-object';
import { hasErrorBrand } from '../core/has-error-brand';
import { keepThrows } from '../core/read-property';
import { ThrownValueError } from '../core/errors/thrown-value-error';
import { type CaptureSettings, captureValue, joinsItems } from './capture';
import { setOwnProperty } from './own-property';
import { thrownDataError } from './redaction-policy';

let thrownReader: ((value: object) => Error | undefined) | undefined;

/**
 * The thrown object each exception made of its data without a logger's transforms came from (an
 * operator's, a request handler's, made before the call): the logger makes it again with its own.
 */
const madeFrom = new WeakMap<Error, object>();

/**
 * Gives {@link exceptionFrom} a reader of a framework's error object that is no Error (the Angular
 * entry's, for HttpClient's HttpErrorResponse, set by `provideRxlog`), and of an Error that holds
 * one: what it returns is the exception, `undefined` leaves the value to the rules below. Given an
 * Error, it must not throw. Internal: not exported by an entry.
 */
export function readThrownValuesWith(reader: (value: object) => Error | undefined): void {
  thrownReader = reader;
}

/**
 * What a `catch` gave, as an event's exception: an Error as it is (one from another realm too,
 * recognised by its string `name`, `message` and `stack`, and one whose prototype was taken away,
 * recognised by its brand, `Object.prototype.toString` saying `[object Error]`), any other value as a
 * {@link ThrownValueError} carrying `String(value)`, or for an object whose `String()` says only
 * `[object Object]` (`{ name, message }` without a stack too), its data as JSON
 * (`{"userId":42}`, which a redaction policy redacts as it does an Error's own properties), a
 * `name` and `message` it inherits first; that text is cut as a captured string is (64 KiB).
 * That data is captured with the default limits and the `transforms` of `settings` (a logger's
 * `.destructure.byTransforming…`); an exception made so without transforms (by an operator or a
 * framework entry, before the log call) is made again from the thrown object when given to a
 * logger that has some, so its transforms mask the data as `log.error(value, …)` does. Never throws.
 */
export function exceptionFrom(value: unknown, settings?: CaptureSettings): Error {
  if (isObject(value)) {
    try {
      if (value instanceof Error) {
        // Made from a thrown object's data before the logger saw it: made again with its transforms.
        const thrown = settings?.transforms && madeFrom.get(value);
        return thrown ? exceptionFrom(thrown, settings) : (thrownReader?.(value) ?? value);
      }
      const read = thrownReader?.(value);
      if (read !== undefined) return read;
      // An Error whose prototype was taken away (Object.setPrototypeOf(error, null)) is one by
      // brand, and keeps its own message and stack: formatters read them without its prototype.
      if (Object.getPrototypeOf(value) === null && hasErrorBrand(value)) return value as Error;
      const candidate = value as { name?: unknown; message?: unknown; stack?: unknown };
      // Formatters write the stack, else String(value): without a stack, "[object Object]".
      if (typeof candidate.name === 'string' && typeof candidate.message === 'string' && typeof candidate.stack === 'string')
        return value as Error;
    } catch {
      // A Proxy whose traps throw (a revoked one too) or a throwing getter: not an error.
    }
  }
  let text: string;
  try {
    // An array (a typed one too) is joined within the capture limits (String() of a hostile one takes gigabytes).
    text = joinsItems(value) ? (captureValue(value, 'stringify') as string) : String(value);
    // An object without a toString of its own says nothing as String(): its data, as JSON, does
    // (pino's object-first call, `throw { code }`). Captured first, so it is bounded and safe, and
    // kept with the error, so that a redaction policy can rewrite it. Neither call throws.
    // A getter that threw as the data was read is told where the exception is logged (keepThrows):
    // its message may quote a value the logger's policies censor.
    if (text === '[object Object]') {
      const made = keepThrows(() => thrownDataError(thrownData(value as object, settings?.transforms)));
      if (settings?.transforms === undefined) madeFrom.set(made, value as object);
      return made;
    }
  } catch {
    // An object without a prototype, or whose toString throws, still gets an exception that says what it was.
    try {
      text = Object.prototype.toString.call(value);
    } catch {
      text = `[unprintable ${typeof value}]`;
    }
  }
  // Cut as a captured string is (64 KiB): a thrown response body can be megabytes.
  return new ThrownValueError(captureValue(text) as string);
}

/**
 * A thrown object's data, captured: its own properties, after the string `name` and `message` it
 * inherits. A DOMException from another realm (an iframe's AbortError) has no stack and keeps both
 * in getters on its prototype, so its own properties alone would say `{}`. Never throws.
 */
function thrownData(value: object, transforms: CaptureSettings['transforms']): unknown {
  // The transforms only: an exception keeps the default limits.
  const settings: CaptureSettings | undefined = transforms && { transforms };
  const data = captureValue(value, 'structure', settings);
  if (!isObject(data) || Array.isArray(data)) return data;
  try {
    const { name, message } = value as { name?: unknown; message?: unknown };
    if (typeof message !== 'string' || Object.hasOwn(data, 'message')) return data;
    const inherited: Record<string, unknown> = {};
    if (typeof name === 'string' && !Object.hasOwn(data, 'name')) inherited.name = captureValue(name);
    inherited.message = captureValue(message);
    // Copied name by name: a '__proto__' key of the data (JSON.parse makes them) is data here too.
    for (const key of Object.keys(data)) setOwnProperty(inherited, key, (data as Record<string, unknown>)[key]);
    return inherited;
  } catch {
    // A getter that throws: the own data still says what it can.
    return data;
  }
}
