import { expectOption } from '../../core/expect-option';
import { isPlainRecord } from '../../core/is-plain-record';
import type { HttpHeaders } from './http-sink';

/**
 * `over` over `under`: when both are given, a function that merges, per request, what they give
 * (a fixed record or a headers function's result), `over`'s headers last so that they win (see
 * `HttpSink`'s `headers`: of two names that differ only in case, the later is sent). Otherwise
 * `over`, else `under`: an `over` that is not headers at all (a JavaScript caller's string) is
 * handed on as it is, for HttpSink to refuse.
 */
export function withHeaders(under: HttpHeaders | undefined, over: HttpHeaders | undefined): HttpHeaders | undefined {
  // Object(x) === x holds for objects (null-prototype ones too) and functions only.
  return under && Object(over) === over
    ? () => ({ ...readHeaders(under), ...readHeaders(over as HttpHeaders) })
    : (over ?? under);
}

/**
 * `headers` with one more header, `name: value`, over any of that name (see `withHeaders`).
 * Without a value (an option not given), `headers` as they are.
 */
export function withHeader(headers: HttpHeaders | undefined, name: string, value: string | undefined): HttpHeaders | undefined {
  return value === undefined ? headers : withHeaders(headers, { [name]: value });
}

/**
 * Checks a sink's `headers` option: a plain object of names to values, or a function giving one.
 * A `Headers` instance, a Map or an array of pairs has no own keys to read: taken as it is, every
 * request would go out without them (no API key, no tenant) and fail, or worse be accepted.
 *
 * @throws ConfigurationError naming `where` and the value.
 */
export function checkHeaders(where: string, headers: unknown): void {
  expectOption(
    headers === undefined || typeof headers === 'function' || isPlainRecord(headers),
    where,
    'an object or a function (for a Headers instance: Object.fromEntries(headers))',
    headers,
  );
}

/**
 * The headers a fixed record or a headers function gives now.
 *
 * @throws TypeError when a headers function gives anything but a plain object (the request fails, counted, with this reason).
 */
export function readHeaders(headers: HttpHeaders): Readonly<Record<string, string>> {
  if (typeof headers !== 'function') return headers;
  const given = headers();
  if (!isPlainRecord(given))
    throw new TypeError(
      'the headers function gave no object of header names to values (for a Headers instance: Object.fromEntries(headers))',
    );
  return given;
}
