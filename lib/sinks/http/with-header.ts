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

/** The headers a fixed record or a headers function gives now. */
export function readHeaders(headers: HttpHeaders): Readonly<Record<string, string>> {
  return typeof headers === 'function' ? headers() : headers;
}
