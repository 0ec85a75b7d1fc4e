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
 * Reads Express's matched route (`req.baseUrl` + `req.route.path`) when there is one, followed as
 * the router sets them (a getter and setter in their place) rather than read at the end:
 * - The router puts `baseUrl` back to its parent's when an error (or `next()`) leaves a router
 *   mounted on a path: read at the end, a failed route lost its mount path (`/sync/:id` for
 *   `/api/sync/:id`). So `baseUrl` is read as `req.route` is set.
 * - `baseUrl` holds the path a mount matched (`/users/42`), not its pattern (`/users/:id`): each
 *   mount's pattern is read as `baseUrl` grows, from the router's note of the pattern that matched
 *   (router 2.3, as its tracing channel reads it). A router without it, and a mount path that is
 *   a regular expression, give the path matched.
 * - A route that passed the request on with `next()` stays in `req.route`: once the router matched
 *   another layer after it (it sets `req.params`), the route answers only with its error, and a
 *   handler after it (the 404 of no route) is named by no route.
 * A request whose properties cannot be followed so (set before this middleware as accessors, or
 * not configurable) has `req.route` and `req.baseUrl` read at its end.
 */
function expressRoute(req: IncomingMessage): (failed: boolean) => string | undefined {
  const request = req as { route?: unknown; baseUrl?: unknown; params?: unknown };
  let route: unknown = request.route;
  let routeBase: unknown;
  let baseUrl: unknown = request.baseUrl;
  let base: unknown = baseUrl;
  let params: unknown = request.params;
  // The pattern of each mount path the request went through, by the path it matched.
  let bases: Map<string, string> | undefined;
  // 1 once the route is set, until the router sets its params; 2 once a layer after it matched.
  let passedOn: 0 | 1 | 2 = 0;
  let followed = false;
  try {
    if (route === undefined) {
      Object.defineProperty(req, 'baseUrl', {
        configurable: true,
        enumerable: true,
        get: () => baseUrl,
        set(value: unknown) {
          const before = baseUrl;
          baseUrl = value;
          if (typeof value !== 'string') base = value;
          else if (
            typeof before === 'string' &&
            typeof base === 'string' &&
            value.length > before.length &&
            value.startsWith(before)
          ) {
            const pattern = matchedPattern(req);
            base = `${base}${typeof pattern === 'string' ? pattern.replace(/\/$/, '') : value.slice(before.length)}`;
            (bases ??= new Map()).set(value, base);
          } else base = bases?.get(value) ?? value;
        },
      });
      Object.defineProperty(req, 'params', {
        configurable: true,
        enumerable: true,
        get: () => params,
        set(value: unknown) {
          params = value;
          if (passedOn === 1) passedOn = 0;
          // A route that answered, then called next() (for a logging middleware after it), still answered.
          else if (followed && (req as { res?: { headersSent?: unknown } }).res?.headersSent !== true) passedOn = 2;
        },
      });
      Object.defineProperty(req, 'route', {
        configurable: true,
        enumerable: true,
        get: () => route,
        set(value: unknown) {
          // Route.dispatch sets the route its router set just before: the same route, still answering.
          if (followed && value === route) return;
          route = value;
          routeBase = base;
          passedOn = 1;
          followed = true;
        },
      });
    }
  } catch {
    // A frozen or proxied request: read at the end.
  }
  return (failed) => {
    if (!followed) return patternOf(request.route, request.baseUrl);
    return passedOn === 2 && !failed && !routerSawError(req) ? undefined : patternOf(route, routeBase);
  };
}

/** The pattern of the layer Express's router (2.3 and later) matched last, which it keeps on the request under a symbol of its own. */
function matchedPattern(req: object): unknown {
  const key = Object.getOwnPropertySymbols(req).find((symbol) => symbol.description === 'router.tracing.matchedRoute');
  return key === undefined ? undefined : (req as Record<symbol, unknown>)[key];
}

// Where Express's router (2.3 and later) notes each error passed with `next(error)` or thrown, shared by its copies.
const ROUTER_ERRORS = Symbol.for('router.tracing.publishedErrors');

/** Whether Express's router saw an error on the request (one no `errorHandler` recorded: Express's own 500). */
function routerSawError(req: object): boolean {
  const seen: unknown = (req as Record<symbol, unknown>)[ROUTER_ERRORS];
  return seen instanceof Set && seen.size > 0;
}

/** A route's pattern under its router's mount path, when the route has one. */
function patternOf(route: unknown, baseUrl: unknown): string | undefined {
  const path = (route as { path?: unknown } | null | undefined)?.path;
  if (typeof path !== 'string') return undefined;
  return `${typeof baseUrl === 'string' ? baseUrl : ''}${path}`;
}
