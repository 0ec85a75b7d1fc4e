import { InjectionToken } from '@angular/core';
import type { LogLevelName } from '../core/log-level';

/** Which header, if any, `rxlogHttpInterceptor` adds to outgoing requests to correlate them with server logs. */
export type HttpCorrelation = 'none' | 'traceparent' | 'request-id';

/** Options of {@link withHttpLogging}. */
export interface HttpLoggingOptions {
  /** Replaces query parameter values in the logged URL with `***` (names are kept). Default `true`. A user name and password in the URL are hidden either way. */
  redactQueryValues?: boolean | undefined;
  /**
   * The level of a request's event from its status (`0` for a network error or a request that
   * never got an answer). Default: `error` for 5xx and `0`, `warning` for 4xx, else `information`;
   * a request that failed with a lower status (a `200` whose body HttpClient could not parse) is
   * `error`.
   */
  level?: ((status: number) => LogLevelName) | undefined;
  /**
   * Adds a correlation header to same-origin requests (cross-origin ones are left alone, so no
   * CORS preflight appears): `'traceparent'` a W3C trace context (the event carries `TraceId`
   * and `SpanId`), `'request-id'` a random id in `requestIdHeader` (the event carries
   * `RequestId`). A header the request already has is kept. Default `'none'`.
   */
  correlation?: HttpCorrelation | undefined;
  /** The header of `correlation: 'request-id'`. Default `'X-Request-Id'`. */
  requestIdHeader?: string | undefined;
  /**
   * URL prefixes whose requests are neither logged nor changed (absolute, or relative to the
   * document's `<base href>`, as the browser resolves the requests' own URLs), matched by whole path segments with or without a trailing slash: `'/health'` and
   * `'/health/'` cover `/health`, `/health/live` and `/health?full=1`, not `/healthy`. A prefix
   * with a query covers the requests that have all its parameters, in any order and among others.
   * Added to the endpoints of the logger's HttpSink, SeqSink, OtlpSink and LokiSink (a lane's
   * `fallback` among them), which are always excluded, so shipping logs through HttpClient could never log itself in a loop.
   * Default `[]`.
   */
  excludeUrls?: readonly string[] | undefined;
  /** The `SourceContext` of the request events. Default `'HttpClient'`. */
  sourceContext?: string | undefined;
}

/**
 * The options given to `withHttpLogging`, read by `rxlogHttpInterceptor`. A route may provide it
 * itself for options of its own, beside an HttpClient of its own
 * (`provideHttpClient(withInterceptors([rxlogHttpInterceptor]), withRequestsMadeViaParent())`):
 * HttpClient runs its interceptors in the injector that provides it, so the root's HttpClient
 * reads the root's options. Provided so, they are checked when the first request reads them, and a
 * mistake is reported to SelfLog (the defaults apply) rather than failing the app's requests.
 */
export const RXLOG_HTTP_LOGGING_OPTIONS = new InjectionToken<HttpLoggingOptions>('rxlog HTTP logging options');

/** The default level of a request event: `error` for 5xx and network errors (status 0), `warning` for 4xx, else `information`. */
export function httpLevelForStatus(status: number): LogLevelName {
  if (status === 0 || status >= 500) return 'error';
  if (status >= 400) return 'warning';
  return 'information';
}
