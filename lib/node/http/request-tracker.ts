import type { IncomingMessage, ServerResponse } from 'node:http';
import { LogContext } from '../../context/log-context';
import { requestEndContext } from './request-end-context';
import { expectOption } from '../../core/expect-option';
import { hasMethods } from '../../core/has-methods';
import { SelfLog } from '../../core/self-log';
import type { LogLevelName } from '../../core/log-level';
import type { Logger } from '../../pipeline/logger';
import { addDiagnostics, DiagnosticCollector, diagnosticContext } from './diagnostic-context';
import { chosenLevel } from './chosen-level';
import { isIgnoredPath } from './is-ignored-path';
import { levelForStatus } from './level-for-status';
import { requestIdFrom } from './request-id';
import type { RequestOutcome, ResolvedRequestLoggingOptions } from './request-logging-options';
import { selectHeaders } from './select-headers';
import { exceptionFrom } from '../../templates/exception-from';
import type { InFlightRequests } from './in-flight-requests';

/** What request logging writes to: a Logger (only `child` and the child's `write` are used). */
export type RequestLogger = Pick<Logger, 'child'>;

/**
 * Refuses what is not a logger (`undefined` from an import cycle or a logger made later), which
 * would otherwise fail inside every request and be logged nowhere.
 *
 * @throws ConfigurationError naming `where` and the value.
 */
export function expectRequestLogger(where: string, log: unknown): void {
  expectOption(hasMethods(log, ['child']), `${where} log`, 'a logger with a child method', log);
}

/** One request followed from its start to its one completion event. */
export interface RequestTracker {
  /** The request's id: from `x-request-id` or `traceparent`, else generated. */
  readonly requestId: string;
  /** Runs `fn` inside the request's context: `RequestId` in LogContext and its diagnostic collection. */
  run<T>(fn: () => T): T;
  /**
   * Records the error a handler threw or passed on (the first one counts); it goes on the completion
   * event, or, once that was written for a response that went out whole, on an `error` event of its own.
   * Returns whether the error is on the request's events now (see `carries`).
   */
  fail(error: unknown): boolean;
  /** Whether `error` is on the request's events: its completion event's exception, or an event of its own. */
  carries(error: unknown): boolean;
}

/**
 * The event of a request still in flight when its logger closes (a signal's shutdown, `await log.close()`):
 * it has `Unfinished: true`, the `StatusCode` only when the response's head went out, and is a
 * `warning` (an `error` when its handler had failed), unless the `level` option, asked with
 * `unfinished: true`, answers otherwise.
 */
export const UNFINISHED_AT_SHUTDOWN_TEMPLATE =
  'HTTP {RequestMethod} {RequestPath} unfinished at shutdown after {Elapsed:0.0000} ms';

/** The event of a handler that failed after its response completed (its completion event is written already). */
export const FAILED_AFTER_COMPLETION_TEMPLATE = 'HTTP {RequestMethod} {RequestPath} failed after its response completed';

// The scheme and authority of an absolute-form target, up to the first slash of its path: user
// information cannot hold a slash, and Node's parser refuses a backslash there.
const ABSOLUTE_FORM = /^[a-z][a-z0-9+.-]*:\/\/[^/]*/i;

/**
 * The path of a request URL without its query string or fragment (query values can hold secrets).
 * An absolute-form target (`GET http://user:password@host/path`, which proxies are sent and Node
 * accepts) gives only its path: its user information is a secret too, and its host is not the path.
 * The path is kept as sent, as Express and Fastify route it: `http://h/admin/../health` is
 * `/admin/../health` (an `/admin/*` handler answers it), never resolved to `/health`. With
 * `semicolonQuery` (Fastify's `useSemicolonDelimiter`), a `;` starts the query string too.
 */
export function requestPath(url: string | undefined, semicolonQuery = false): string {
  if (url === undefined || url === '') return '/';
  const end = url.search(semicolonQuery ? /[?#;]/ : /[?#]/);
  const path = end === -1 ? url : url.slice(0, end);
  const authority = ABSOLUTE_FORM.exec(path);
  if (authority === null) return path;
  return path.length === authority[0].length ? '/' : path.slice(authority[0].length);
}

/**
 * Starts following a request: gives it an id (echoed in the response header), and writes one
 * completion event when the response finishes, or one aborted event when the client closes the
 * connection first (one the server destroyed is a failure, with a `ResponseDestroyed` exception when
 * it had no error; one whose handler had failed keeps that error, at `error`). The events carry `RequestId`, `RequestMethod`, `RequestPath`, `StatusCode`, `Elapsed`
 * (milliseconds), `RoutePattern` when known, the selected headers, the handler's error as the
 * exception, and what `diagnosticContext.set` added inside the request. The event is written in
 * the LogContext of the code that ended the response when that is the request's own, else (another
 * request ended it) in the context the request started in, never another request's.
 *
 * @param settings The options with their defaults: `resolveRequestLoggingOptions(options)`, made once, not per request.
 * @param route Reads the matched route pattern when the request ends (frameworks know it only then),
 * told whether the request failed.
 * @param givenId The request's id when the framework gave it one (Fastify's `request.id`), else made by `settings`.
 * @param inFlight The requests in flight of this request logging: the request is in it until it
 * completes, and gets an unfinished event (UNFINISHED_AT_SHUTDOWN_TEMPLATE) if the logger closes first.
 * @param quiet Whether the request's route asks for no event at a level (a Fastify route's
 * `logLevel`), read when the event is written: such an event is dropped as on an ignored path,
 * unless the request failed.
 */
export function trackRequest(
  log: RequestLogger,
  settings: ResolvedRequestLoggingOptions,
  req: IncomingMessage,
  res: ServerResponse,
  route: (failed: boolean) => string | undefined = () => undefined,
  givenId?: string,
  inFlight?: InFlightRequests,
  quiet?: (level: LogLevelName) => boolean,
): RequestTracker {
  const started = process.hrtime.bigint();
  const requestId = givenId ?? requestIdOf(req, settings);
  const path = requestPath((req as { originalUrl?: string }).originalUrl ?? req.url, settings.semicolonQuery);
  const ignored = isIgnoredPath(settings.ignorePaths, path);
  const collector = new DiagnosticCollector();
  const context = { RequestId: requestId };
  const inEndContext = requestEndContext(requestId, collector);
  let error: unknown;
  // Whether there is an error for the event's exception: the handler's, or one that came of the client leaving.
  let hasError = false;
  let failed = false;
  let done = false;
  // Whether the completion event was written for a response that went out whole (not aborted).
  let completedWhole = false;
  // Whether 'finish' came after the handler ended the response. Fastify's inject (light-my-request)
  // emits it from its own end(), before Node's stream reads writableFinished, then 'close' at once:
  // judged by writableFinished alone, every injected request was logged as aborted by the client.
  let finishedAfterEnd = false;
  // Whether the connection was gone when the request was first seen: nothing the handler sends reaches anyone.
  let goneAtStart = false;
  // Node emits 'finish' from the last write's callback even when that write failed: a download the
  // client reset (or closed) with its body still queued read as sent whole. Its connection's error tells.
  const wentOutWhole = (): boolean => !goneAtStart && (finishedAfterEnd || responseFinished(res)) && !connectionFailed(req);
  // The errors written after the completion event (each once).
  const lateErrors: unknown[] = [];
  // The status the client got, when the handler failed after the headers went out: an error handler
  // (Fastify's) may still set res.statusCode to 500, which no client receives.
  let sentStatus: number | undefined;
  // The status the response's head went out with. One set after it (`res.statusCode = 500` after
  // `res.end()`; Fastify's error handling of a handler that throws after `reply.send()`) reaches no client.
  let headStatus: number | undefined;
  // The status Node's HTTP server (or Fastify's clientError handler) answered itself when it gave up
  // reading the request (requestTimeout's 408, a malformed chunked body's 400), before the handler's response started.
  let refusedStatus: number | undefined;

  if (settings.requestIdHeader !== false && !res.headersSent) {
    try {
      res.setHeader(settings.requestIdHeader, requestId);
    } catch (cause) {
      SelfLog.write('requestLogging: the request id header could not be set', cause);
    }
  } else if (settings.responseHeaders.length > 0) keepWrittenHeaders(res);

  // `unfinished`: the logger is closing while the request is in flight (see inFlightRequests).
  const complete = (aborted: boolean, unfinished = false): void => {
    if (done) return;
    done = true;
    inFlight?.delete(complete);
    completedWhole = !aborted && !unfinished && wentOutWhole();
    res.off('finish', onFinish);
    res.off('close', onClose);
    req.off('close', onRequestClose);
    try {
      let statusCode: number | undefined;
      let level: LogLevelName;
      let elapsed: number;
      if (unfinished) {
        // The status its head went out with, if it did: the client has no other. Its handler's failure is an error.
        if (res.headersSent) statusCode = sentStatus ?? headStatus ?? res.statusCode;
        if (ignored && !failed && (statusCode ?? 0) < 500) return;
        elapsed = Number(process.hrtime.bigint() - started) / 1e6;
        // The level option is asked too, told it is unfinished: the status so far is no answer.
        const outcome: RequestOutcome = {
          statusCode: statusCode ?? res.statusCode,
          error,
          aborted: false,
          unfinished: true,
          elapsed,
          req,
        };
        level = unfinishedLevel(settings, outcome, failed);
        if (!failed && (statusCode ?? 0) < 500 && quiet?.(level) === true) return;
      } else {
        const status = refusedStatus ?? statusOf(res, sentStatus ?? headStatus, failed);
        // An error the app's error handling answered whole, before anything else was sent, is as bad as
        // the status it chose: a 4xx (body-parser's 400 for a malformed body, Fastify's schema 400, an
        // http-errors 404) is the client's failure, a warning, as a 4xx HttpException is in rxlog/nest.
        const failure = failed && !(sentStatus === undefined && !aborted && status < 500 && wentOutWhole());
        if (ignored && !failure && status < 500) return;
        elapsed = Number(process.hrtime.bigint() - started) / 1e6;
        level = levelOf(settings, { statusCode: status, error, aborted, elapsed, req }, failure);
        if (!failure && status < 500 && quiet?.(level) === true) return;
        statusCode = status;
      }
      const properties: Record<string, unknown> = {};
      properties.RequestId = requestId;
      properties.RequestMethod = req.method ?? 'GET';
      properties.RequestPath = path;
      if (!aborted && statusCode !== undefined) properties.StatusCode = statusCode;
      properties.Elapsed = elapsed;
      const pattern = route(failed);
      if (pattern !== undefined) properties.RoutePattern = pattern;
      const requestHeaders = selected('request', () =>
        selectHeaders(req.headers, settings.requestHeaders, settings.redactHeaders),
      );
      if (requestHeaders !== undefined) properties.RequestHeaders = requestHeaders;
      const responseHeaders = selected('response', () =>
        selectHeaders(res.getHeaders(), settings.responseHeaders, settings.redactHeaders),
      );
      if (responseHeaders !== undefined) properties.ResponseHeaders = responseHeaders;
      if (aborted) properties.Aborted = true;
      if (unfinished) properties.Unfinished = true;
      // An unfinished request's handler still runs: what it adds later is no mistake of its (no SelfLog warning).
      addDiagnostics(properties, unfinished ? collector.properties() : collector.complete());
      const template = unfinished
        ? UNFINISHED_AT_SHUTDOWN_TEMPLATE
        : aborted
          ? settings.abortedTemplate
          : settings.messageTemplate;
      const logger = log.child(properties);
      const write = (): void =>
        LogContext.run(context, () => {
          if (hasError) logger.write(level, exceptionFrom(error), template);
          else logger.write(level, template);
        });
      // Never in another request's context (a long poll answered from another user's request).
      inEndContext(write);
    } catch (cause) {
      SelfLog.write('requestLogging: the completion event could not be written', cause);
    }
  };
  const record = (cause: unknown, failure: boolean): void => {
    if (hasError) return;
    hasError = true;
    error = cause;
    failed = failure;
    if (failure && res.headersSent) sentStatus = headStatus ?? res.statusCode;
  };
  // An error raised once the client has left comes of the abort: the request stays aborted, with
  // that error as its exception (body-parser's 'request aborted' with nothing sent; Express's
  // sendFile calling back with 'Request aborted', from the connection's 'error' before the
  // response's 'close', when the client reset it mid-download).
  // One raised because the server gave up reading the request (body-parser's 'request aborted' after
  // Node's requestTimeout) comes of that: the server's error is the exception, not its consequence;
  // once the response had started, the response was cut, the server's failure.
  // One passed on after the server's own code cut the connection (`req.destroy(error); next(error)`
  // on an upload over a limit) is the request's failure.
  const carries = (cause: unknown): boolean => (hasError && Object.is(cause, error)) || lateErrors.includes(cause);
  const fail = (cause: unknown): boolean => {
    if (done) {
      failedAfterCompletion(cause);
      return carries(cause);
    }
    const left = connectionGone(req) && !destroyedByServer(req) && cutWith(req) === undefined;
    const refusal = left ? serverRefusal(req) : undefined;
    if (left && !res.headersSent) record(refusal?.error ?? cause, false);
    else record(cause, !left || refusal !== undefined);
    return carries(cause);
  };
  // A handler that fails once its response went out whole (an audit write after res.end()): its
  // completion event is written, so the error gets an event of its own rather than being dropped.
  // After an aborted request it is not: an error then comes of the abort (body-parser's). One error
  // passed on to each error handler on its way (a router's and the app's) is written once.
  const failedAfterCompletion = (cause: unknown): void => {
    if (!completedWhole || (hasError && Object.is(cause, error)) || lateErrors.includes(cause)) return;
    lateErrors.push(cause);
    try {
      const properties = { RequestId: requestId, RequestMethod: req.method ?? 'GET', RequestPath: path };
      LogContext.run(context, () =>
        log.child(properties).write('error', exceptionFrom(cause), FAILED_AFTER_COMPLETION_TEMPLATE as string),
      );
    } catch (error) {
      SelfLog.write('requestLogging: the failure of a completed request could not be written', error);
    }
  };
  // An HTTP/2 stream the client reset emits 'finish' on the response the handler never ended: that one waits for 'close'.
  const onFinish = (): void => {
    finishedAfterEnd = (res as { writableEnded?: unknown }).writableEnded === true;
    if (wentOutWhole()) complete(false);
  };
  // A response cut after the handler failed was cut by the server (requestLogging or Express destroys
  // it), not abandoned by the client: it is written as the failed request it is. So is one destroyed
  // with an error (`res.errored`: a piped body that failed, `res.destroy(error)`), or whose
  // connection the handler destroyed with one (`req.destroy(error)`, see cutWith); a client that
  // leaves destroys it without one.
  // One destroyed without an error by the server (`res.destroy()`, a connection the server cut) is its
  // failure too: a client that leaves ends or resets the connection first (see destroyedByServer).
  // A connection the server gave up reading (its requestTimeout, a malformed body) is not the client
  // leaving: Node answered it (408, 400 …) when the handler had sent nothing, with that error as the
  // exception, a client's failure; once the handler's response had started, it was cut, the server's.
  // A handler that failed before anything was sent, whose client then left while the error handling
  // had not answered yet (an error middleware awaiting something), is aborted too, with its error as
  // the exception, at `error`: no status reached the client (nginx logs such a request 499).
  const onClose = (): void => {
    const finished = wentOutWhole();
    let clientLeft = false;
    if (!finished) {
      const destroyedWith = erroredWith(res) ?? cutWith(req);
      const refusal = destroyedWith === undefined ? serverRefusal(req) : undefined;
      if (destroyedWith !== undefined) record(destroyedWith, true);
      else if (refusal !== undefined) {
        if (!res.headersSent && !failed) refusedStatus = refusal.status;
        record(refusal.error, res.headersSent);
      } else if (!streamReset(res) && destroyedByServer(req)) record(responseDestroyed(), true);
      else clientLeft = !res.headersSent;
    }
    complete(!finished && refusedStatus === undefined && (!failed || clientLeft));
  };
  // A response queued behind an unfinished one on a pipelined connection has no socket yet: when
  // the connection closes, Node destroys its request, but the response emits neither 'finish' nor
  // 'close' (node:_http_server, abortIncoming), so the request's end is only seen here.
  const onRequestClose = (): void => {
    if (connectionGone(req)) onClose();
  };
  res.on('finish', onFinish);
  res.on('close', onClose);
  req.on('close', onRequestClose);
  // Node emits 'error' on a response written after its end (`res.end()` twice with a body, a
  // `write` after `end`): the handler's failure, logged once as any other. Kept after the
  // completion event (it is then an event of its own): without a listener, it ends the process.
  res.on('error', fail);
  inFlight?.add(complete);
  // The client left before the request reached this (while a middleware before it awaited): its
  // 'close' events are gone, so the outcome is read once the handler had its turn (Node reads the
  // response finished once the handler ends it, though nothing reached anyone).
  if (connectionGone(req) && !wentOutWhole()) {
    goneAtStart = true;
    setImmediate(onClose);
  }
  const run = <T>(fn: () => T): T => LogContext.run(context, () => diagnosticContext.runWith(collector, fn));
  emitInOwnContext(res, collector, inEndContext, run);
  // So does Node's parser the request's body events ('data', 'end'), from the connection, whenever the
  // body came with the headers: a handler reading it with req.on('end') logged without its RequestId.
  emitInOwnContext(req, collector, inEndContext, run);
  onCall(res, 'writeHead', undefined, () => (headStatus ??= res.statusCode));
  // The code that ends the response is the request's own: its context is the one of the events to come.
  onCall(res, 'end', inEndContext.ended);
  onCall(res, 'destroy', inEndContext.ended);

  return { requestId, run, fail, carries };
}

/**
 * Makes the response emit its events (`'finish'`, `'close'` …) inside its request's context when
 * they come from outside it. Node emits `'finish'` of a response queued behind another on a
 * pipelined connection from the one before it, in that request's context: an app's
 * `res.on('finish')` listener (Fastify's `onResponse` hooks) logged with the previous request's
 * `RequestId` and properties. Events the request's own code causes are emitted as they come.
 */
export function emitInOwnContext(
  res: object,
  collector: DiagnosticCollector,
  inEndContext: (write: () => void) => void,
  run: <T>(fn: () => T) => T,
): void {
  const emit: unknown = (res as { emit?: unknown }).emit;
  if (typeof emit !== 'function' || Object.hasOwn(res, 'emit')) return;
  Object.defineProperty(res, 'emit', {
    configurable: true,
    writable: true,
    value(this: unknown, ...args: unknown[]): unknown {
      const apply = (): unknown => Reflect.apply(emit, this, args);
      if (diagnosticContext.current() === collector) return apply();
      let result: unknown;
      inEndContext(() => (result = run(apply)));
      return result;
    },
  });
}

/**
 * Calls `before` and `after` around every call of the response's method `name`. Node writes the
 * head through `res.writeHead`, called by the handler or, from the first `write`/`end`, by Node
 * itself with `res.statusCode` (the hook `on-headers` uses). A response that cannot be followed so
 * (no such method) keeps reading `res.statusCode` at its end.
 */
export function onCall(res: object, name: 'writeHead' | 'end' | 'destroy', before?: () => void, after?: () => void): void {
  const method: unknown = (res as Record<string, unknown>)[name];
  if (typeof method !== 'function') return;
  Object.defineProperty(res, name, {
    configurable: true,
    writable: true,
    value(this: unknown, ...args: unknown[]): unknown {
      before?.();
      const result: unknown = Reflect.apply(method, this, args);
      after?.();
      return result;
    },
  });
}

/**
 * The request's id, from its headers when they are trusted. Headers that cannot be read (a
 * wrapper's Proxy or getter that throws) are reported to SelfLog and the id is generated: they
 * never cost the request its events.
 */
export function requestIdOf(req: IncomingMessage, settings: ResolvedRequestLoggingOptions): string {
  if (settings.trustIncomingRequestId)
    try {
      return requestIdFrom(req.headers, settings.generateRequestId);
    } catch (error) {
      SelfLog.write('requestLogging: the request headers could not be read; the request id is generated', error);
    }
  return requestIdFrom({}, settings.generateRequestId);
}

/** A header name no response carries: set and removed again, it adds nothing to the response. */
const PLACEHOLDER_HEADER = 'x-rxlog-keep-headers';

/**
 * Makes the headers the handler passes to `writeHead(status, headers)` readable with `getHeaders()`
 * when the completion event is written. Node keeps them only once a header was set with
 * `setHeader()` ("merged with any headers passed to response.writeHead()"); otherwise it writes them
 * straight to the socket, and `getHeaders()` reads none. Fastify sends every reply that way: with
 * `requestIdHeader: false` nothing else set a header first, and `ResponseHeaders` was always left out.
 */
function keepWrittenHeaders(res: ServerResponse): void {
  try {
    if (res.headersSent || res.getHeaderNames().length > 0) return;
    res.setHeader(PLACEHOLDER_HEADER, '');
    res.removeHeader(PLACEHOLDER_HEADER);
  } catch (cause) {
    SelfLog.write('requestLogging: the response headers could not be followed; ResponseHeaders may be left out', cause);
  }
}

/** The selected headers, or none when they cannot be read (reported to SelfLog): the event is written without them. */
function selected(
  which: 'request' | 'response',
  select: () => Record<string, string> | undefined,
): Record<string, string> | undefined {
  try {
    return select();
  } catch (error) {
    SelfLog.write(`requestLogging: the ${which} headers could not be read; the completion event is written without them`, error);
    return undefined;
  }
}

/**
 * Whether the response went out whole: ended by the handler and flushed. Node's HTTP/2 compatibility
 * response reads `writableFinished` true (and emits 'finish') once its stream is reset, by a client
 * that left or by the server, without the handler having ended it; `writableEnded` stays false there.
 * A response without `writableEnded` (a framework's test double) is judged by `writableFinished` alone.
 */
export function responseFinished(res: object): boolean {
  const { writableFinished, writableEnded } = res as { writableFinished?: unknown; writableEnded?: unknown };
  return writableFinished === true && writableEnded !== false;
}

/**
 * Whether the response's HTTP/2 stream was reset with an error code: a client that left sends
 * RST_STREAM (CANCEL), and one whose connection is lost has its streams closed with CANCEL. Node
 * does not tell that apart from the server's own `stream.close(code)`, which is read as the client's
 * too; the server's `res.destroy()` closes the stream with NO_ERROR and stays its failure. An
 * HTTP/1 response has no stream.
 */
export function streamReset(res: object): boolean {
  const stream: unknown = (res as { stream?: unknown }).stream;
  const code: unknown = typeof stream === 'object' && stream !== null ? (stream as { rstCode?: unknown }).rstCode : undefined;
  return typeof code === 'number' && code !== 0;
}

/** Whether the request's connection is closed (a test double's socket, as Fastify's inject makes, never is). */
export function connectionGone(req: object): boolean {
  const socket = (req as { socket?: { destroyed?: unknown } | null }).socket;
  return socket?.destroyed === true;
}

// The codes of the errors a connection fails with of itself: the client reset or closed it, the
// network, TLS or an HTTP/2 session failed, Node's parser or request timeout refused the request (serverRefusal).
const CONNECTION_ERROR =
  /^(?:E(?:CONNRESET|PIPE|TIMEDOUT|CONNABORTED|HOSTUNREACH|NETUNREACH|NETDOWN|HOSTDOWN|NOTCONN|CANCELED|PROTO)$|HPE_|ERR_SSL_|ERR_HTTP2_|ERR_HTTP_REQUEST_TIMEOUT$)/;

/**
 * The error the server's own code destroyed the request's connection with, if any: a handler that
 * cuts an upload over its limit with `req.destroy(error)` (which destroys the connection of a
 * request not read whole) or `req.socket.destroy(error)`. An error the connection failed with of
 * itself (`ECONNRESET`, `EPIPE`, a parse error …) is not one.
 */
export function cutWith(req: object): unknown {
  try {
    const socket = (req as { socket?: { destroyed?: unknown; errored?: unknown } | null }).socket;
    const error = socket?.destroyed === true ? socket.errored : undefined;
    if (error === undefined || error === null) return undefined;
    const code: unknown = typeof error === 'object' ? (error as { code?: unknown }).code : undefined;
    return typeof code === 'string' && CONNECTION_ERROR.test(code) ? undefined : error;
  } catch {
    // HTTP/2's socket is a Proxy onto its session's, which can throw once the session is gone.
    return undefined;
  }
}

/** Whether the request's connection failed (`ECONNRESET`, `EPIPE` …): what was still queued on it never reached the client. */
export function connectionFailed(req: object): boolean {
  try {
    // HTTP/2's socket is a Proxy onto its session's, which can throw once the session is gone.
    return ((req as { socket?: { errored?: unknown } | null }).socket?.errored ?? null) !== null;
  } catch {
    return false;
  }
}

/**
 * Whether the server closed the request's connection: it is closed, and the client neither ended it
 * (its end of stream was read) nor reset it (an `ECONNRESET` or any error destroys the socket with
 * that error). A client that leaves does one or the other; `res.destroy()` in a handler, a server
 * timeout and `server.closeAllConnections()` do neither. A test double's socket never is.
 */
export function destroyedByServer(req: object): boolean {
  const socket = (req as { socket?: { destroyed?: unknown; readableEnded?: unknown; errored?: unknown } | null }).socket;
  return socket?.destroyed === true && socket.readableEnded === false && (socket.errored ?? null) === null;
}

/**
 * The error Node's HTTP server closed the request's connection with when it gave up reading the
 * request, and the status it answers then (`node:_http_server`'s socketOnError, which Fastify's
 * clientError handler copies): `ERR_HTTP_REQUEST_TIMEOUT` (the `requestTimeout` passed before the
 * body arrived) 408, `HPE_HEADER_OVERFLOW` (trailers past `maxHeaderSize`) 431,
 * `HPE_CHUNK_EXTENSIONS_OVERFLOW` 413, any other parse error (`HPE_*`, a malformed chunked body) 400.
 * Undefined for a connection the client reset (`ECONNRESET`) or ended mid-request (`HPE_INVALID_EOF_STATE`), or that is open.
 */
export function serverRefusal(req: object): { error: unknown; status: number } | undefined {
  let error: unknown;
  try {
    // HTTP/2's socket is a Proxy onto its session's, which can throw once the session is gone.
    const socket = (req as { socket?: { destroyed?: unknown; errored?: unknown } | null }).socket;
    error = socket?.destroyed === true ? socket.errored : undefined;
  } catch {
    return undefined;
  }
  const code: unknown = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  // The client ended the connection mid-request (its FIN): Node's parser then fails with
  // HPE_INVALID_EOF_STATE and answers 400 to nobody. That is the client leaving.
  if (typeof code !== 'string' || code === 'HPE_INVALID_EOF_STATE') return undefined;
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return { error, status: 408 };
  if (code === 'HPE_HEADER_OVERFLOW') return { error, status: 431 };
  if (code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW') return { error, status: 413 };
  return code.startsWith('HPE_') ? { error, status: 400 } : undefined;
}

/** The exception of a response the server destroyed, without an error, before it ended. */
export function responseDestroyed(): Error {
  const error = new Error('The server destroyed the response before it ended');
  error.name = 'ResponseDestroyed';
  // Made when the response closed, in rxlog's listener: a stack would point there, not at the code that destroyed it.
  error.stack = `${error.name}: ${error.message}`;
  return error;
}

/** The error a response was destroyed with (Node's `errored`), if any. */
export function erroredWith(res: object): unknown {
  const errored: unknown = (res as { errored?: unknown }).errored;
  return errored === null ? undefined : errored;
}

/**
 * The status the completion event reports: the one the client got when the headers went out
 * (`sent`), else, for a response the server failed (destroyed it, with or without an error, or its
 * handler failed) before sending anything, `500`, as for a handler that throws before answering:
 * the client got no status at all, and `res.statusCode` would still read Node's default 200. An
 * aborted request's status is not written, and one whose response ended is the one it set.
 */
export function statusOf(
  res: Pick<ServerResponse, 'headersSent' | 'statusCode'>,
  sent: number | undefined,
  failed: boolean,
): number {
  if (sent !== undefined) return sent;
  return failed && !res.headersSent && !responseFinished(res) ? 500 : res.statusCode;
}

/** The unfinished event's level: the level option's answer when it is a level name, else `error` for a failed handler, `warning` otherwise. */
function unfinishedLevel(settings: ResolvedRequestLoggingOptions, outcome: RequestOutcome, failed: boolean): LogLevelName {
  const fallback = failed ? 'error' : 'warning';
  const level = settings.level;
  return level === undefined ? fallback : chosenLevel(() => level(outcome), fallback);
}

/** The completion event's level: the level option's answer when it is a level name, else the default (a faulty option never costs the event). */
function levelOf(settings: ResolvedRequestLoggingOptions, outcome: RequestOutcome, failed: boolean): LogLevelName {
  const fallback = outcome.aborted && !failed ? 'warning' : levelForStatus(outcome.statusCode, failed);
  const level = settings.level;
  return level === undefined ? fallback : chosenLevel(() => level(outcome), fallback);
}
