import type { IncomingMessage, ServerResponse } from 'node:http';
import { adoptOutcome } from '../../core/adopt-outcome';
import { SelfLog } from '../../core/self-log';
import { isThenable } from '../../operators/report-rejection';
import { connectionCloser } from './close-after-response';
import { ensureAsyncLocalStorage } from './ensure-async-local-storage';
import { inFlightRequests } from './in-flight-requests';
import { type RequestLoggingOptions, resolveRequestLoggingOptions } from './request-logging-options';
import { expectRequestLogger, type RequestLogger, type RequestTracker, trackRequest } from './request-tracker';

/** A connect-style middleware, with an Express error middleware that puts a handler's error on the completion event. */
export interface RequestLoggingMiddleware {
  (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => unknown): void;
  /**
   * For Express (`app.use(middleware.errorHandler)` after the routes): records the error on the
   * request's completion event and passes it on with `next(error)`, so Express's own error
   * handling still answers. Without it a handler error is still logged, as its 500, but without the exception.
   */
  readonly errorHandler: (error: unknown, req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => unknown) => void;
  /**
   * While `closing` (the default), has every HTTP/1 response still to be sent close its keep-alive
   * connection once complete (`Connection: close`): those of the requests in flight and of those that
   * arrive until it is called again with `false`. Call it just before `server.close()`, which closes
   * only the connections idle at that moment: a connection whose response finishes later would stay
   * open for the client's next request until `keepAliveTimeout`, and `close()` would wait for it.
   * A response whose headers went out already (a stream) keeps its header; once it ends, if the
   * server stopped listening by then, the server's idle connections (its own) are closed again.
   * An HTTP/2 request's session is closed with a GOAWAY instead: its streams finish, then it closes.
   */
  readonly closeConnectionsAfterResponses: (closing?: boolean) => void;
}

/**
 * Request logging for Node HTTP servers, as Serilog.AspNetCore does it: one completion event per
 * request, `HTTP GET /orders responded 200 in 12.3456 ms`, at `error` for 5xx and handler errors,
 * `warning` for 4xx (an error the app answered with a 4xx, a malformed JSON body's 400, too), else
 * `information`. Every event logged while the request is handled carries its `RequestId` (taken
 * from `x-request-id` or `traceparent`, else generated, and echoed in the `x-request-id` response
 * header) through LogContext, so the logger needs
 * `.enrich.fromLogContext()`; `diagnosticContext.set(name, value)` inside the request adds
 * properties to the completion event only. A client that closes the connection before the response
 * is complete gets one aborted event (`warning`); a handler error is logged once, on the
 * completion event, as its exception (or, when the handler fails after its response went out whole,
 * on an `error` event of its own, `HTTP GET /orders failed after its response completed`). A
 * request still in flight when the logger closes (`await log.close()`, a signal through
 * `installProcessHooks`) gets one event then, while the logger still accepts it:
 * `HTTP GET /orders unfinished at shutdown after 5012.3456 ms`, `warning`, with `Unfinished: true`.
 *
 * Creating the middleware switches LogContext to AsyncLocalStorage (unless the app installed a store
 * itself, with `useAsyncLocalStorage()` or `LogContext.useStore`, or passes `asyncLocalStorage: false`), because with the default synchronous store the request's properties
 * would only reach events logged before the handler's first `await`.
 *
 * In Express 5: `app.use(requestLogging(log))` first. With `node:http`, call it with your handler as
 * `next`; a handler that throws or rejects is logged with its error and answered 500 if nothing was sent.
 *
 * @throws ConfigurationError naming a bad option.
 * @example
 * ```ts compile-only
 * import { createServer } from 'node:http';
 * import { LoggerConfiguration } from 'rxlog';
 * import { requestLogging } from 'rxlog/node';
 *
 * const log = new LoggerConfiguration().enrich.fromLogContext().writeTo.console().createLogger();
 * const logRequests = requestLogging(log, { ignorePaths: ['/health'] });
 * createServer((req, res) => logRequests(req, res, () => res.end('ok'))).listen(8080, '127.0.0.1');
 * ```
 */
export function requestLogging(log: RequestLogger, options: RequestLoggingOptions = {}): RequestLoggingMiddleware {
  expectRequestLogger('requestLogging', log);
  const settings = resolveRequestLoggingOptions(options);
  if (settings.asyncLocalStorage) ensureAsyncLocalStorage();
  const trackers = new WeakMap<IncomingMessage, RequestTracker>();
  // The responses not yet closed, for closeConnectionsAfterResponses.
  const closer = connectionCloser('requestLogging');
  // The requests not yet completed, written as unfinished should the logger close first.
  const inFlight = inFlightRequests(log, 'requestLogging');
  const middleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => unknown): void => {
    // Mounted twice on one request's way (on an app and on a router of it): one request, one event.
    let tracker = trackers.get(req);
    if (tracker === undefined) {
      closer.follow(req, res);
      try {
        tracker = trackRequest(log, settings, req, res, expressRoute(req), undefined, inFlight);
      } catch (error) {
        SelfLog.write('requestLogging: the request could not be followed', error);
        // Unlogged, but its handler's failure is still answered, never thrown into node:http's listener.
        handle(undefined, res, next);
        return;
      }
      trackers.set(req, tracker);
    }
    const current = tracker;
    current.run(() => handle(current, res, next));
  };
  const errorHandler = (error: unknown, req: IncomingMessage, _res: ServerResponse, next: (error?: unknown) => unknown): void => {
    trackers.get(req)?.fail(error);
    next(error);
  };
  return Object.assign(middleware, { errorHandler, closeConnectionsAfterResponses: closer.close });
}

/** Calls the handler (`next`), and answers it failed when it throws or rejects. */
function handle(tracker: RequestTracker | undefined, res: ServerResponse, next: (error?: unknown) => unknown): void {
  try {
    const result = next();
    // Adopted as a sink's result is: one that fulfils with itself fails, never adopted for ever.
    if (isThenable(result))
      adoptOutcome(
        () => result,
        () => undefined,
        (error) => handlerFailed(tracker, res, error),
      );
  } catch (error) {
    handlerFailed(tracker, res, error);
  }
}

/**
 * A handler called as `next` threw or rejected: its error goes on the completion event (on
 * SelfLog for a request that could not be followed), and the client gets a 500 if nothing was sent.
 */
function handlerFailed(tracker: RequestTracker | undefined, res: ServerResponse, error: unknown): void {
  if (tracker === undefined) SelfLog.write('requestLogging: the handler of a request that could not be followed failed', error);
  else tracker.fail(error);
  try {
    if (!res.headersSent) {
      res.statusCode = 500;
      res.end();
    } else if (!res.writableEnded) {
      res.destroy();
    }
  } catch (cause) {
    SelfLog.write('requestLogging: answering a failed request failed', cause);
  }
}

/**
 * Reads Express's matched route (`req.baseUrl` + `req.route.path`) when there is one. The router
 * sets `req.route` as a route matches, with `req.baseUrl` then the path its router is mounted on,
 * and puts `baseUrl` back to its parent's when an error (or `next()`) leaves that router: read at
 * the end, a route whose handler failed lost its mount path (`/sync/:id` for `/api/sync/:id`). So
 * `baseUrl` is read as `req.route` is set; a request whose `req.route` cannot be followed so (set
 * before this middleware, or not configurable) has both read at its end.
 */
function expressRoute(req: IncomingMessage): () => string | undefined {
  const request = req as { route?: unknown; baseUrl?: unknown };
  let route: unknown = request.route;
  let baseUrl: unknown;
  let followed = false;
  try {
    if (route === undefined)
      Object.defineProperty(req, 'route', {
        configurable: true,
        enumerable: true,
        get: () => route,
        set(value: unknown) {
          route = value;
          baseUrl = request.baseUrl;
          followed = true;
        },
      });
  } catch {
    // A frozen or proxied request: read at the end.
  }
  return () => (followed ? patternOf(route, baseUrl) : patternOf(request.route, request.baseUrl));
}

/** A route's pattern under its router's mount path, when the route has one. */
function patternOf(route: unknown, baseUrl: unknown): string | undefined {
  const path = (route as { path?: unknown } | null | undefined)?.path;
  if (typeof path !== 'string') return undefined;
  return `${typeof baseUrl === 'string' ? baseUrl : ''}${path}`;
}
