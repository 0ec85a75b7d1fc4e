import {
  type HttpErrorResponse,
  type HttpEvent,
  HttpEventType,
  type HttpInterceptorFn,
  type HttpRequest,
} from '@angular/common/http';
import { isPlatformServer, PlatformLocation } from '@angular/common';
import { inject, NgZone, PLATFORM_ID } from '@angular/core';
import { defer, Observable, tap } from 'rxjs';
import { isLevelName, type LogLevelName } from '../core/log-level';
import { SelfLog } from '../core/self-log';
import { parseTraceparent } from '../core/trace-context';
import type { Logger } from '../pipeline/logger';
import { isInSinkCode } from '../pipeline/reentrancy-guard';
import { newTraceparent, randomHex } from './correlation-ids';
import { httpFailureCause } from './http-failure-cause';
import { httpLevelForStatus, type HttpLoggingOptions, RXLOG_HTTP_LOGGING_OPTIONS } from './http-logging-options';
import { hideCredentials, redactQuery } from './redact-query';
import { RXLOG_LOGGER, RXLOG_LOGGER_SLOT, RXLOG_SINK_ENDPOINTS } from './rxlog-tokens';
import { type Attempt, handled, handOn, isHandled, isMarked } from './handled-request';
import { holdWhileLeaving, watchPageLeaving } from './page-leaving';
import { RXLOG_SINK_REQUEST } from './rxlog-sink-request';
import { checkedHttpLoggingOptions } from './with-http-logging';

/**
 * A functional HttpClient interceptor that logs each request when it completes or fails:
 * `HTTP {Method} {Url} responded {StatusCode} in {ElapsedMs} ms` (or `failed`, with
 * `ErrorMessage`), with query values redacted, at a level chosen by the status (see
 * `withHttpLogging`); a request cancelled before its answer is logged as `cancelled`, and one that
 * a later interceptor ends without any response (`EMPTY`) as `ended without a response` (a warning), and
 * one answered on the turn it is made, without a network request (Angular's SSR transfer cache
 * while the page hydrates: the server logged the request), at `debug` as `answered … without a
 * network request`; a request the browser fails because the page is being left (status 0, after
 * `beforeunload`, confirmed by the `pagehide` that follows) as `cancelled …: the page was left`.
 * Requests to the logger's own endpoints, requests marked with `RXLOG_SINK_REQUEST` in their HttpContext, and
 * requests a sink makes with HttpClient synchronously while it writes (its `emit`, `flush` or
 * `close`), are passed through untouched, so logging never feeds itself. Without `provideRxlog`
 * it does nothing. A request that passes through several chains with this interceptor (a child
 * injector's `provideHttpClient(withInterceptors([rxlogHttpInterceptor]), withRequestsMadeViaParent())`
 * under the app's) is logged once, by the first chain that sees it, with that chain's options.
 *
 * @example
 * provideHttpClient(withInterceptors([rxlogHttpInterceptor]))
 */
export const rxlogHttpInterceptor: HttpInterceptorFn = (request, next) => {
  // A request a sink makes (posting its batch with HttpClient) is never logged: its event would be
  // posted again, for ever. The token says so whenever the request is made. A request an earlier
  // chain's rxlogHttpInterceptor has seen (a child injector's HttpClient handing its requests to
  // the parent's) was logged, or left alone, by that chain.
  if (isMarked(request.context, RXLOG_SINK_REQUEST) || isHandled(request)) return next(request);
  // The guard catches a request made synchronously inside sink code by a sink that does not set
  // the token; marked, it stays alone in a later chain too, which may run after the sink's turn.
  if (isInSinkCode()) return handOn(request, next);
  // A request provideRxlog's configure makes (a level fetched from the server) comes while
  // RXLOG_LOGGER is being built: injecting it would fail the request as a circular dependency, so
  // the logger is read from provideRxlog's slot when the request settles.
  const slot = inject(RXLOG_LOGGER_SLOT, { optional: true });
  const given = slot?.building === true ? null : inject(RXLOG_LOGGER, { optional: true });
  if (slot?.building !== true && given === null) return next(request);
  const logger = (): Logger | undefined => given ?? slot?.logger;
  const options = checkedOptions(inject(RXLOG_HTTP_LOGGING_OPTIONS, { optional: true }));
  // The sinks' endpoints stay excluded whatever excludeUrls adds: a sink posting with HttpClient
  // after an await of its own is recognised by its URL only.
  const own = inject(RXLOG_SINK_ENDPOINTS, { optional: true })?.urls ?? [];
  const excluded = options.excludeUrls === undefined ? own : [...own, ...options.excludeUrls];
  const server = isPlatformServer(inject(PLATFORM_ID));
  const page = pageUrl(server);
  if (isExcluded(request.urlWithParams, excluded, page)) return handOn(request, next);
  // With zone.js, the page's listeners and the timer of a held failure are no zone tasks (they
  // would run change detection, and keep the app from becoming stable for a second).
  const zone = inject(NgZone, { optional: true });
  const outside = <T>(fn: () => T): T => (zone === null ? fn() : zone.runOutsideAngular(fn));
  const leaving: PageLeaving = {
    follow: () => (server ? () => undefined : outside(watchPageLeaving)),
    schedule: (task, delayMs) => void outside(() => setTimeout(task, delayMs)),
  };
  return logRequest(request, next, logger, options, page, leaving);
};

/** How an attempt follows the page being left (see page-leaving.ts), outside Angular's zone. */
interface PageLeaving {
  /** Follows the page while the attempt is in flight; returns the function that ends it. */
  readonly follow: () => () => void;
  /** Runs a task after a delay (the grace of a held failure). */
  readonly schedule: (task: () => void, delayMs: number) => void;
}

/** The options withHttpLogging or the app provided, checked, by what was provided. */
const checked = new WeakMap<object, HttpLoggingOptions>();
/** The same for a provided value that is no object (a mistake), so it is reported once. */
const checkedValues = new Map<unknown, HttpLoggingOptions>();

/**
 * The provided options, checked as withHttpLogging checks them (RXLOG_HTTP_LOGGING_OPTIONS may be
 * provided without it): a mistake is reported to SelfLog once, and the defaults apply, since
 * throwing here would fail the app's every request.
 */
function checkedOptions(given: HttpLoggingOptions | null): HttpLoggingOptions {
  if (given === null) return {};
  const cache = typeof given === 'object' ? checked : checkedValues;
  let options = cache.get(given);
  if (options === undefined) {
    try {
      options = checkedHttpLoggingOptions(given);
    } catch (error) {
      SelfLog.write('RXLOG_HTTP_LOGGING_OPTIONS: {Error}; requests are logged with the default options', error);
      options = {};
    }
    cache.set(given, options);
  }
  return options;
}

function logRequest(
  request: HttpRequest<unknown>,
  next: (request: HttpRequest<unknown>) => Observable<HttpEvent<unknown>>,
  logger: () => Logger | undefined,
  options: HttpLoggingOptions,
  page: Page,
  leaving: PageLeaving,
): Observable<HttpEvent<unknown>> {
  const sourceContext = options.sourceContext ?? 'HttpClient';
  // Credentials in the URL (user:password@) are hidden whatever redactQueryValues says.
  const redact = options.redactQueryValues === false ? hideCredentials : redactQuery;
  const base = { method: request.method, url: redact(request.urlWithParams) };
  // Per attempt, when it is subscribed: an interceptor before this one that retries
  // (next(request).pipe(retry(2))) subscribes again to what this one returned, and each attempt
  // is timed from its own start, carries its own correlation id and is logged on its own.
  return new Observable<HttpEvent<unknown>>((subscriber) => {
    const started = now();
    const attempt: Attempt = { live: true };
    const unfollow = leaving.follow();
    const correlated = correlate(handled(request, attempt), options, page);
    // The attempt's logger, made when it settles; none when the request settled (synchronously,
    // from a later interceptor) while configure was still building the logger.
    const log = (): Logger | undefined => {
      const own = logger()?.forContext('SourceContext', sourceContext);
      return own === undefined || correlated.properties === undefined ? own : own.child(correlated.properties);
    };
    let settled = false;
    // Whether the attempt is still being subscribed to: a response that comes then was answered
    // without a request (no backend answers on the turn it is called), by Angular's SSR transfer
    // cache while the page hydrates (an interceptor after this one), or by an interceptor's cache or mock.
    let subscribing = true;
    // An interceptor after this one that throws instead of returning an Observable fails this
    // attempt like any other failure: logged, and its very error handed on.
    const subscription = defer(() => next(correlated.request))
      .pipe(
        tap({
          next: (event) => {
            if (event.type !== HttpEventType.Response) return;
            settled = true;
            // The server that rendered the page logged the request itself; logged again here at
            // information, each request of the first page would reach the log server twice, the
            // second with a latency of ~0 and a correlation id sent nowhere.
            if (subscribing)
              logger()
                ?.forContext('SourceContext', sourceContext)
                .debug(
                  'HTTP {Method} {Url} answered {StatusCode} without a network request in {ElapsedMs} ms',
                  base.method,
                  base.url,
                  event.status,
                  elapsedSince(started),
                );
            else write(log(), options, base, event.status, elapsedSince(started), undefined);
          },
          error: (error: unknown) => {
            settled = true;
            const elapsedMs = elapsedSince(started);
            const { status, raw, answered } = readFailure(error);
            // HttpClient's messages quote the URL of the answer: the request's, or the one fetch or a
            // redirect gave it (percent-encoded, absolute). Its secrets stay out of the log too. The
            // longer first: a redirect that adds to the query (`/report?id=1` to
            // `/report?id=1&sig=…`) quotes the request's URL inside the answer's, which redacted
            // first, left the answer's own values unmatched, and in the log.
            const quoted =
              answered.length > request.urlWithParams.length
                ? [answered, request.urlWithParams]
                : [request.urlWithParams, answered];
            const message = quoted.reduce((text, url) => hideUrl(text, url, redact), raw);
            const failed = (): void => write(log(), options, base, status, elapsedMs, message);
            // No answer while the page is being left: the browser cancelled it with the page (see
            // page-leaving.ts), which the pagehide that follows confirms; the app's request did not fail.
            const release = (left: boolean): void =>
              left
                ? log()?.information(
                    'HTTP {Method} {Url} cancelled after {ElapsedMs} ms: the page was left',
                    base.method,
                    base.url,
                    elapsedMs,
                  )
                : failed();
            if (status !== 0 || !holdWhileLeaving(release, leaving.schedule)) failed();
          },
          // An interceptor after this one that answers with no response at all (EMPTY: a request
          // it blocks or serves elsewhere): the caller's Observable completes with nothing.
          complete: () => {
            if (settled) return;
            settled = true;
            log()?.warning(
              'HTTP {Method} {Url} ended without a response after {ElapsedMs} ms',
              base.method,
              base.url,
              elapsedSince(started),
            );
          },
          unsubscribe: () => {
            if (settled) return;
            settled = true;
            log()?.information(
              'HTTP {Method} {Url} cancelled after {ElapsedMs} ms',
              base.method,
              base.url,
              elapsedSince(started),
            );
          },
          finalize: () => {
            attempt.live = false;
            unfollow();
          },
        }),
      )
      .subscribe(subscriber);
    subscribing = false;
    return subscription;
  });
}

/**
 * What a failed request's error tells: HttpClient's HttpErrorResponse, or whatever an interceptor
 * after this one failed with. Reading it never throws (an object without a prototype, a throwing
 * getter or toString): the app's subscriber gets its own error, not one of rxlog's.
 */
function readFailure(error: unknown): { status: number; raw: string; answered: string } {
  try {
    const response = error as Partial<HttpErrorResponse> | null;
    return {
      status: typeof response?.status === 'number' ? response.status : 0,
      // A timeout and a refused connection both read "0 undefined": what HttpClient kept says which.
      raw: (typeof response?.message === 'string' ? response.message : String(error)) + httpFailureCause(error),
      answered: typeof response?.url === 'string' ? response.url : '',
    };
  } catch {
    return { status: 0, raw: `[${typeof error}]`, answered: '' };
  }
}

/** `text` with every occurrence of `url` replaced by its redacted form. */
function hideUrl(text: string, url: string, redact: (url: string) => string): string {
  const safe = url === '' ? url : redact(url);
  return safe === url ? text : text.split(url).join(safe);
}

function write(
  log: Logger | undefined,
  options: HttpLoggingOptions,
  request: { method: string; url: string },
  status: number,
  elapsedMs: number,
  errorMessage: string | undefined,
): void {
  if (log === undefined) return;
  const level = levelFor(options, status, errorMessage !== undefined);
  if (errorMessage === undefined) {
    log.write(
      level,
      'HTTP {Method} {Url} responded {StatusCode} in {ElapsedMs} ms',
      request.method,
      request.url,
      status,
      elapsedMs,
    );
  } else {
    log.write(
      level,
      'HTTP {Method} {Url} failed with {StatusCode} in {ElapsedMs} ms: {ErrorMessage}',
      request.method,
      request.url,
      status,
      elapsedMs,
      errorMessage,
    );
  }
}

function levelFor(options: HttpLoggingOptions, status: number, failed: boolean): LogLevelName {
  // A request that failed with a status below 400 (a 200 whose body HttpClient could not parse)
  // failed all the same: by default it is an error, never 'information'.
  const fallback = failed && status < 400 ? 'error' : httpLevelForStatus(status);
  if (options.level === undefined) return fallback;
  try {
    const level = options.level(status);
    if (isLevelName(level)) return level;
    SelfLog.write('withHttpLogging.level returned {Level}, not a level name; using the default', String(level));
  } catch (error) {
    SelfLog.write('withHttpLogging.level failed; using the default', error);
  }
  return fallback;
}

function correlate(
  request: HttpRequest<unknown>,
  options: HttpLoggingOptions,
  page: Page,
): { request: HttpRequest<unknown>; properties?: Record<string, string | number> } {
  const correlation = options.correlation ?? 'none';
  // Angular's JSONP backend refuses a request with any header (NG02812): a script element has none to send.
  if (correlation === 'none' || request.method === 'JSONP' || !isSameOrigin(request.url, page)) return { request };
  if (correlation === 'traceparent') {
    // The app's own valid traceparent (an OpenTelemetry span's, a later version's with more fields)
    // is sent as it is, its ids and flags logged. An invalid one (version ff, all-zero ids, wrong
    // shape) is one the server ignores, starting a trace of its own the events could not be found
    // by: it is replaced by a new one, and its tracestate dropped with it, as W3C Trace Context's
    // processing model restarts a trace on an invalid traceparent.
    const existing = request.headers.get('traceparent');
    const parsed = existing === null ? undefined : parseTraceparent(existing);
    if (parsed !== undefined)
      return { request, properties: { TraceId: parsed.traceId, SpanId: parsed.spanId, TraceFlags: parsed.flags } };
    const trace = newTraceparent();
    const headers = request.headers.set('traceparent', trace.header);
    return {
      request: request.clone({ headers: existing === null ? headers : headers.delete('tracestate') }),
      properties: { TraceId: trace.traceId, SpanId: trace.spanId, TraceFlags: 1 },
    };
  }
  const header = options.requestIdHeader ?? 'X-Request-Id';
  const existing = request.headers.get(header);
  if (existing !== null) return { request, properties: { RequestId: existing } };
  const id = randomHex(16);
  return { request: request.clone({ setHeaders: { [header]: id } }), properties: { RequestId: id } };
}

/** The base of a server render whose URL is unknown: a host that never resolves (RFC 2606), so only relative URLs are its own. */
const UNKNOWN_SERVER_URL = 'http://server.invalid/';

/**
 * Where requests are made from: `href` the page's URL (its origin is "same origin"), `base` the URL
 * relative request URLs resolve against, as the browser and Angular's server resolve them: the
 * document's `<base href>` (`/app/` for a page on `/app/shop/orders/42`), else `href`.
 */
interface Page {
  readonly href: string;
  readonly base: string;
}

/**
 * The Page, in an injection context. In a browser `location.href` (`http://localhost/` where there is
 * none) and `document.baseURI`. On the server the URL being rendered, from this render's
 * PlatformLocation (`href`, absolute when the render was given its URL, and its `<base href>`),
 * else UNKNOWN_SERVER_URL: never a global `location`, which a server may have left from another render.
 */
function pageUrl(server: boolean): Page {
  if (server) {
    try {
      const location = inject(PlatformLocation, { optional: true });
      const href = location?.href;
      if (typeof href === 'string' && new URL(href).origin !== 'null') return { href, base: serverBase(location, href) };
    } catch {
      // No PlatformLocation to be had, or its href is no absolute URL (ServerPlatformLocation's is '/' without a URL).
    }
    return { href: UNKNOWN_SERVER_URL, base: UNKNOWN_SERVER_URL };
  }
  const scope = globalThis as { location?: { href?: unknown }; document?: { baseURI?: unknown } };
  const href = typeof scope.location?.href === 'string' ? scope.location.href : 'http://localhost/';
  const baseURI = scope.document?.baseURI;
  return { href, base: typeof baseURI === 'string' && resolve(baseURI, href) !== undefined ? baseURI : href };
}

/** The render's `<base href>` resolved against its URL, as Angular's server resolves relative HttpClient URLs; else the URL. */
function serverBase(location: PlatformLocation | null, href: string): string {
  try {
    const baseHref: unknown = location?.getBaseHrefFromDOM();
    if (typeof baseHref === 'string' && baseHref !== '') return resolve(baseHref, href)?.href ?? href;
  } catch {
    // A PlatformLocation without a document to read.
  }
  return href;
}

function resolve(url: string, page: string): URL | undefined {
  try {
    return new URL(url, page);
  } catch {
    return undefined;
  }
}

function isSameOrigin(url: string, page: Page): boolean {
  const target = resolve(url, page.base);
  const own = resolve(page.href, UNKNOWN_SERVER_URL);
  return target !== undefined && own !== undefined && target.origin === own.origin;
}

/**
 * Whether `url` is one of the prefixes or lies under one. Paths match by whole segments, with or
 * without a trailing slash: `/health` and `/health/` cover `/health`, `/health/live` and
 * `/health?full=1`, not `/healthy`. A prefix's query parameters must all be in the request's, in
 * any order and among others (a sink's `?clef&apiKey=k`, however HttpClient's params write it);
 * fragments are ignored.
 */
function isExcluded(url: string, prefixes: readonly string[], page: Page): boolean {
  if (prefixes.length === 0) return false;
  const target = resolve(url, page.base);
  return prefixes.some((prefix) => {
    const base = resolve(prefix, page.base);
    // Unresolvable (a malformed URL): only the very same text is the same URL.
    if (target === undefined || base === undefined) return url === prefix;
    return covers(base, target);
  });
}

function covers(prefix: URL, target: URL): boolean {
  // Not origin: it is 'null' for file: and other non-special schemes, which would all match.
  if (prefix.protocol !== target.protocol || prefix.host !== target.host) return false;
  const path = prefix.pathname.replace(/\/+$/, '');
  if (target.pathname !== path && !target.pathname.startsWith(`${path}/`)) return false;
  // forEach, not for…of: an app's tsconfig (Angular's default lib: ES2022 and dom) has no dom.iterable.
  let covered = true;
  prefix.searchParams.forEach((value, name) => {
    if (!target.searchParams.getAll(name).includes(value)) covered = false;
  });
  return covered;
}

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}

/** Milliseconds since `started`, to a tenth. */
function elapsedSince(started: number): number {
  return Math.round((now() - started) * 10) / 10;
}
