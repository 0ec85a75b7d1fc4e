import type { HttpErrorResponse } from '@angular/common/http';
import { httpFailureCause } from './http-failure-cause';
import { redactQuery } from './redact-query';

/**
 * Whether the value is HttpClient's HttpErrorResponse, read by its shape: `instanceof` would bundle
 * HttpClient's module into apps that never make a request. Its `name` is set by HttpClient itself.
 */
export function isHttpErrorResponse(value: unknown): value is HttpErrorResponse {
  if (typeof value !== 'object' || value === null) return false;
  // The name first: capture asks this of every object it meets, and most have none.
  const response = value as Partial<Record<keyof HttpErrorResponse, unknown>>;
  return (
    response.name === 'HttpErrorResponse' &&
    typeof response.status === 'number' &&
    typeof response.message === 'string' &&
    (response.url === null || typeof response.url === 'string')
  );
}

/**
 * An HttpErrorResponse as a logged value (`{@Response}`, `{ response }`, one inside another value):
 * its `name`, its `message` as {@link httpErrorException} writes it (the URL's query values
 * redacted, why a request got no answer added), `status`, `statusText` and the `url` with its query
 * values redacted (`null` when HttpClient had none). The headers (an `Authorization` the app set),
 * the response body (`error`) and the unredacted URL stay out. `provideRxlog` registers it with
 * `.destructure.byTransformingWhere(isHttpErrorResponse, …)`. Throws only what the value's getters throw.
 */
export function httpErrorData(value: HttpErrorResponse): Record<string, unknown> {
  const url = value.url;
  return {
    name: 'HttpErrorResponse',
    message: hideUrlOf(value, value.message + httpFailureCause(value)),
    status: value.status,
    statusText: value.statusText,
    url: url === null ? null : redactQuery(url),
  };
}

/**
 * An HttpErrorResponse as an event's exception: an Error named `HttpErrorResponse` whose message is
 * HttpClient's (`Http failure response for <url>: 500 Internal Server Error`) with the URL's query
 * values redacted, and why a request got no answer added. The response body (`error`), the headers
 * and the unredacted URL stay out, as they do from the interceptor's events. Throws only what the
 * value's getters throw.
 */
export function httpErrorException(value: HttpErrorResponse): Error {
  // A timeout and a refused connection both read "0 undefined": what HttpClient kept says which.
  const message = hideUrlOf(value, value.message + httpFailureCause(value));
  const exception = new Error(message);
  exception.name = 'HttpErrorResponse';
  // Made here, it has no stack of its own worth showing: rxlog's frames would mislead.
  exception.stack = `HttpErrorResponse: ${message}`;
  return exception;
}

/**
 * An Error whose `cause` is an HttpErrorResponse, and that response: Angular's ResourceValueError,
 * thrown where the value of an `httpResource` (or of a resource whose loader failed with one) is
 * read in its error state, quotes the response's message, URL and all, and holds the response as
 * its cause, body included. The exception is a copy with the URL's query values redacted in its
 * message and stack, and httpErrorException's exception as its cause. Undefined for any other
 * value. Throws only what the values' getters throw.
 */
export function errorWithHttpCause(error: Error): { exception: Error; response: HttpErrorResponse } | undefined {
  const response: unknown = error.cause;
  if (!isHttpErrorResponse(response)) return undefined;
  const stack: unknown = error.stack;
  const exception = new Error(hideUrlOf(response, String(error.message)), { cause: httpErrorException(response) });
  exception.name = String(error.name);
  exception.stack = typeof stack === 'string' ? hideUrlOf(response, stack) : `${exception.name}: ${exception.message}`;
  return { exception, response };
}

/** `text` with the response's URL in it redacted as HTTP logging redacts it. */
function hideUrlOf(response: HttpErrorResponse, text: string): string {
  const url = response.url;
  return url === null || url === '' ? text : text.split(url).join(redactQuery(url));
}

/**
 * The reader `provideRxlog` gives `log.error(err, …)`: an HttpErrorResponse handled in `catchError`
 * becomes the same exception the error handler logs, not its data as JSON (which holds the
 * unredacted URL and the response body), and so does an Error whose cause is one. Given an Error,
 * it never throws.
 */
export function readHttpErrorResponse(value: object): Error | undefined {
  if (value instanceof Error)
    try {
      // A failed httpResource's ResourceValueError, caught where its value was read.
      return errorWithHttpCause(value)?.exception ?? aggregateOfHttpErrors(value);
    } catch {
      // A getter that throws: the Error as it is.
      return undefined;
    }
  return isHttpErrorResponse(value) ? httpErrorException(value) : undefined;
}

/**
 * An Error with an `errors` array holding HttpErrorResponses (the AggregateError of `Promise.any`
 * over requests that all failed): a copy whose errors are their exceptions, as httpErrorException
 * makes them; undefined for any other, or one of more than 1 000 errors (copying a huge array
 * would hold the caller, and exception text writes the first eight only). Throws only what the
 * values' getters throw.
 */
function aggregateOfHttpErrors(error: Error): Error | undefined {
  const given: unknown = (error as { errors?: unknown }).errors;
  if (!Array.isArray(given)) return undefined;
  const errors = given as unknown[];
  if (errors.length > 1_000 || !errors.some(isHttpErrorResponse)) return undefined;
  const copy = Object.create(Object.getPrototypeOf(error) as object | null, Object.getOwnPropertyDescriptors(error)) as Error;
  const items: unknown[] = errors.map((item) => (isHttpErrorResponse(item) ? httpErrorException(item) : item));
  Object.defineProperty(copy, 'errors', { value: items, writable: true, configurable: true });
  return copy;
}
