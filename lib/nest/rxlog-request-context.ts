import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { LogContext } from '../context/log-context';
import type { LogLevelName } from '../core/log-level';
import { SelfLog } from '../core/self-log';
import { closeAfterResponse } from '../node/http/close-after-response';
import { addDiagnostics, type DiagnosticCollector, diagnosticContext } from '../node/http/diagnostic-context';
import { chosenLevel } from '../node/http/chosen-level';
import { belowRouteLevel, type FastifyLikeRequest } from '../node/http/fastify-request-logging';
import { isIgnoredPath } from '../node/http/is-ignored-path';
import { levelForStatus } from '../node/http/level-for-status';
import { requestIdFrom } from '../node/http/request-id';
import { requestEndContext } from '../node/http/request-end-context';
import { closeFollower, type CloseFollower, MAX_IN_FLIGHT_FOLLOWED } from '../node/http/in-flight-requests';
import {
  connectionFailed,
  connectionGone,
  cutWith,
  destroyedByServer,
  emitInOwnContext,
  erroredWith,
  FAILED_AFTER_COMPLETION_TEMPLATE,
  onCall,
  requestPath,
  type RequestTracker,
  UNFINISHED_AT_SHUTDOWN_TEMPLATE,
  responseDestroyed,
  responseFinished,
  serverRefusal,
  statusOf,
  streamReset,
} from '../node/http/request-tracker';
import type { Logger } from '../pipeline/logger';
import { exceptionFrom } from '../templates/exception-from';
import { answeredStatus } from './answered-status';
import { markLoggedRequestError, stackOf } from './logged-request-errors';
import { type RequestLoggingSettings } from './request-logging-settings';

/** The `SourceContext` of completion events, so `minimumLevel.override('RequestLogging', …)` can tune them. */
export const REQUEST_LOGGING_SOURCE = 'RequestLogging';

/** The event of a microservice handler's call still running when the logger closes or the process exits. */
export const RPC_UNFINISHED_AT_SHUTDOWN_TEMPLATE = 'RPC {MessagePattern} unfinished at shutdown after {Elapsed:0.0000} ms';

/** A microservice handler's call in flight (see `RxlogRequestContext.followRpc`). */
interface RpcCall {
  readonly pattern: string;
  readonly startedAt: number;
}

/** One request in flight: what its completion event needs. */
export interface RequestState {
  readonly requestId: string;
  readonly method: string;
  readonly path: string;
  readonly startedAt: number;
  readonly collector: DiagnosticCollector;
  /** Whether the owning app's options leave the completion event out (request logging off, or an ignored path): set again when another app takes the request. */
  ignored: boolean;
  completed: boolean;
  /** Whether the completion event was written as aborted by the client. */
  abandoned?: boolean | undefined;
  /** Whether the response's `close` writes the completion event when nothing wrote it before. */
  closeCompletes: boolean;
  /**
   * Whether the interceptor is watching the handler's Observable, which has neither failed nor
   * ended: an error Nest reports meanwhile (an event listener's, through its ExternalExceptionFilter)
   * is not the request's failure, which the interceptor sees itself.
   */
  handling?: boolean | undefined;
  /**
   * Whether the client had left before the request reached rxlog (an app's own asynchronous step
   * ahead of it): nothing sent reaches anyone, and the response's `close` decides its event.
   */
  goneAtStart?: boolean | undefined;
  /**
   * An error raised once the client had left, before the response closed (Express's sendFile's
   * 'Request aborted'): it comes of the abort, and is the aborted event's exception.
   */
  abortError?: unknown;
  /** The route pattern, noted by the interceptor for a completion written when the response closes. */
  route?: string | undefined;
  /** The route Express notes for the module's own catch-all middleware while it runs: not the request's route. */
  middlewareRoute?: string | undefined;
  /**
   * What Nest's exception filter reported before the interceptor saw the request (a guard's error or
   * thrown value), or a `StreamableFile` logged (its stream's), for the completion written on close.
   */
  error?: unknown;
  /** The error of the stream of a `StreamableFile` the handler returned, if it failed before the response closed. */
  streamError?: unknown;
  /**
   * Errors Nest reported that were kept for the completion event, each with the write of its own
   * event: run when the completion event does not carry it after all (an ignored path's 4xx, which
   * is not written; or, for one reported after the handler ended, a response answered with another
   * status than Nest answers that error with: an event listener's, not the request's).
   */
  reports?: KeptReport[] | undefined;
  /** What the completion event carries as its exception (an Error or any value thrown), once written. */
  loggedError?: unknown;
  /** What stands for a thrown `undefined` or `null` on the event (see `thrownValue`), made once each. */
  nullishThrown?: { undefined?: Error; null?: Error } | undefined;
  /**
   * What the handler's Observable errored with, when the response was still unsent: an exception
   * filter answers it after the Observable ends, with a status of its own choosing, so the
   * completion written on close carries the status sent.
   */
  handlerError?:
    | {
        readonly error: unknown;
        readonly statusCode: number;
        /** The status already sent when the handler failed after its headers went out: no filter could choose another. */
        readonly sentStatus?: number | undefined;
      }
    | undefined;
}

/** How `keepForCompletion` treats an error Nest reported. */
export interface KeepOptions {
  /** Writes the caller's own event for the error: run when the completion event does not carry it after all. */
  readonly writeBeside?: (() => void) | undefined;
  /**
   * Reported by Nest's exception filters (under `ExceptionsHandler`): once the handler has ended
   * without failing, the error is a listener's (an event emitted as the response is sent) or Nest's
   * failure to send the result, and it goes on the completion event only if the response's status
   * is the one Nest answers that error with; else it is written beside it (needs `writeBeside`).
   */
  readonly byExceptionFilter?: boolean | undefined;
}

/** An error Nest reported, kept for the completion event, and how to write it as its own event instead. */
export interface KeptReport {
  /** The error as Nest reported it. */
  readonly error: unknown;
  /** Writes it as its own `error` event, when the completion event does not carry it. */
  readonly writeBeside: () => void;
  /** Reported once the handler had ended without failing: the request's only if Nest answered it. */
  readonly afterHandler: boolean;
}

/** How a request ended, as the interceptor or the response's `close` saw it. */
export interface RequestOutcome {
  readonly statusCode: number;
  /** The route pattern that matched (`'/orders/:id'`), when the framework knows it. */
  readonly route?: string | undefined;
  /** What the handler threw or its Observable errored with; `undefined` for none. */
  readonly error?: unknown;
  readonly failed?: boolean | undefined;
  /** The client went away before the response was complete. */
  readonly aborted?: boolean | undefined;
}

/** The Node request the state is keyed on: Express hands it over as is, Fastify as `request.raw`. */
export type RawRequest = Pick<IncomingMessage, 'method' | 'url' | 'headers'>;
/** The Node response the request id header and the `close` listener go on. */
export type RawResponse = Pick<ServerResponse, 'statusCode' | 'writableFinished' | 'headersSent' | 'setHeader' | 'once'>;

const states = new WeakMap<object, RequestState>();
/** The same states by their diagnostic collection, which is what a request's async context holds. */
const statesByCollector = new WeakMap<DiagnosticCollector, RequestState>();
/** The Node request of each state, whose stream error a client leaving mid-body causes (see keepForCompletion). */
const requestsByState = new WeakMap<RequestState, object>();
/** The Node response of each state, whose request id header the app that takes the request sets. */
const responsesByState = new WeakMap<RequestState, RawResponse>();
/**
 * The states whose response emitted 'finish' after it was ended. Fastify's inject (light-my-request)
 * emits it from its own end(), before Node's stream reads writableFinished, then 'close' at once:
 * judged by writableFinished alone, every injected request was written as aborted by the client.
 */
const finishedAfterEnd = new WeakSet<RequestState>();
/** The states of apps with request logging on (an ignored path's too: its failure is written). */
const loggingRequests = new WeakSet<RequestState>();
/**
 * The request context (of which app) that writes each state's completion event. Apps sharing one
 * Express instance share its requests: the first app's middleware opens the context (one request
 * id, one `close` listener) and the others enter it; the app whose middleware or interceptor takes
 * the request for one of its routes then owns it, so its logger and options write the one event
 * (and its requestIdHeader echoes the id).
 */
const owners = new WeakMap<RequestState, RxlogRequestContext>();
/**
 * The route Fastify matched, by Node request: Nest's middleware (and the `close` listener) only
 * see the Node request, which does not know its route, and a request a guard rejects never reaches
 * the interceptor, which sees Fastify's.
 */
const routedRequests = new WeakMap<object, string>();

/** Fastify's request, by Node request, for its route's `logLevel` when the completion event is written. */
const fastifyRequests = new WeakMap<object, FastifyLikeRequest>();

/**
 * Notes the route pattern Fastify matched for a Node request, and Fastify's request, whose route's
 * `logLevel` quiets the completion events below it (`RxlogModule` does it in an `onRequest` hook).
 */
export function noteRoute(request: object, route: unknown, fastifyRequest?: FastifyLikeRequest): void {
  if (typeof route === 'string') routedRequests.set(request, route);
  if (fastifyRequest !== undefined) fastifyRequests.set(request, fastifyRequest);
}

/**
 * Whether the `logLevel` of the Fastify route that took the request of `state` (given to the route,
 * or to the plugin that added it) is above `level`, as `fastifyRequestLogging` reads it.
 */
function belowFastifyRouteLevel(state: RequestState, level: LogLevelName): boolean {
  const request = requestsByState.get(state);
  const fastifyRequest = request === undefined ? undefined : fastifyRequests.get(request);
  return fastifyRequest !== undefined && belowRouteLevel(fastifyRequest, level);
}

/**
 * Hands `error` (an Error, or any other value thrown: `undefined` and `null` as their
 * `thrownValue`) to the completion event of the request whose context is current, when that event is still to be written when its
 * response closes (the interceptor never saw the request: a guard, or a middleware after rxlog's,
 * threw; or it saw the handler fail, and the event waits for the status a filter sends). Returns
 * whether it did, or whether the event written already carries it; the caller then writes nothing.
 * An error reported while the handler runs (an event listener's, which its emitter suppressed) or
 * another than the one the event holds is not kept: the caller writes it beside the event.
 * With `writeBeside`, the write of the caller's own event: run when the completion event does not
 * carry the error after all (see {@link RequestState.reports}), so it is written once either way.
 */
export function keepForCompletion(reported: unknown, options: KeepOptions = {}): boolean {
  const { writeBeside } = options;
  const collector = diagnosticContext.current();
  const state = collector === undefined ? undefined : statesByCollector.get(collector);
  if (state === undefined || !loggingRequests.has(state)) return false;
  let error = thrownValue(state, reported);
  // Written already with it (a handler that answered, then threw a string).
  if (state.completed && state.loggedError !== undefined && Object.is(state.loggedError, error)) return true;
  // The client left in the middle of its body: the body parser fails with Node's ECONNRESET after
  // the aborted completion event was written, which already says what happened.
  // Only the request stream's own error: a handler's (an upstream call reset) is the app's failure.
  if (state.completed)
    return state.abandoned === true && isConnectionReset(error) && streamError(requestsByState.get(state)) === error;
  if (!state.closeCompletes || state.handling === true) return false;
  // The event carries one error: another than the one it holds already is written beside it, not lost.
  const held = state.handlerError === undefined ? state.error : state.handlerError.error;
  // Raised once the client had left, with nothing failed before: it comes of the abort (see clientLeft).
  if (held === undefined && clientLeft(requestsByState.get(state))) {
    state.abortError ??= error;
    return Object.is(state.abortError, error);
  }
  if (held !== undefined && !Object.is(held, error)) {
    // Reported as its message and stack (a filter's `logger.error(e.message, e.stack)`): the same error, rebuilt.
    if (!sameStack(held, error)) return false;
    error = held;
  }
  // The interceptor saw the handler end without failing: what its response's close decides.
  const afterHandler = options.byExceptionFilter === true && state.handling === false && state.handlerError === undefined;
  if (writeBeside === undefined) state.error ??= error;
  else {
    if (!afterHandler) state.error ??= error;
    (state.reports ??= []).push({ error, writeBeside, afterHandler });
  }
  return true;
}

/**
 * What the request's events hold for a value it threw: the value itself, but for `undefined` and
 * `null` (`Promise.reject()`, `throwError(() => null)`), which its state could not tell from no
 * error at all, the `ThrownValueError` that `log.error(value)` makes of it, made once per request,
 * so that the handler's failure and Nest's report of it name the same error.
 */
export function thrownValue(state: RequestState, error: unknown): unknown {
  if (error !== undefined && error !== null) return error;
  const made = (state.nullishThrown ??= {});
  return error === null ? (made.null ??= exceptionFrom(null)) : (made.undefined ??= exceptionFrom(undefined));
}

/** Writes, as their own events, the kept reports the completion event does not carry (`carried`, if written). */
function writeReportsBeside(state: RequestState, carried: unknown, written: boolean): void {
  const reports = state.reports;
  state.reports = undefined;
  for (const report of reports ?? []) {
    if (written && carried !== undefined && Object.is(report.error, carried)) continue;
    try {
      report.writeBeside();
    } catch (error) {
      SelfLog.write('An error Nest reported for request {RequestId} could not be written', state.requestId, error);
    }
  }
}

/**
 * `keepForCompletion` for an error Nest's response controller logs while it sends a response: a
 * server-sent event stream's (which the interceptor saw first, as the handler's error: kept when it
 * is that error, and its event is written, an ignored path's only for a 5xx), or the failure of a
 * web `Response`, `ReadableStream` or async iterable body after its headers went out (kept, and the
 * event has it rather than `ResponseDestroyed`).
 */
export function keepResponseError(error: unknown): boolean {
  const collector = diagnosticContext.current();
  const state = collector === undefined ? undefined : statesByCollector.get(collector);
  const pending = state === undefined || state.completed ? undefined : state.handlerError;
  if (state === undefined || pending === undefined) return keepForCompletion(error);
  if (!loggingRequests.has(state) || !Object.is(pending.error, thrownValue(state, error))) return false;
  return !state.ignored || pending.statusCode >= 500;
}

/**
 * Hands the error of the stream a `StreamableFile` sends to the completion event of its request, to
 * be written when its response closes: the response is destroyed without it (failed mid-body; on
 * Fastify, which logs it with its own logger only), or the app's own `setErrorHandler` answered it.
 * (Nest's default handler logs it under `StreamableFile`, which `RxlogLoggerService` hands over too.)
 */
export function keepStreamError(state: RequestState, error: unknown): void {
  if (error === undefined || error === null || state.completed || !state.closeCompletes) return;
  state.streamError ??= error;
}

/** The error a Node request stream was destroyed with (`readable.errored`), if any. */
function streamError(request: object | undefined): unknown {
  try {
    return (request as { errored?: unknown } | undefined)?.errored;
  } catch {
    return undefined;
  }
}

function sameStack(held: unknown, error: unknown): boolean {
  if (typeof held !== 'object' || held === null || typeof error !== 'object' || error === null) return false;
  const stack = stackOf(held);
  return stack !== undefined && stack === stackOf(error);
}

function isConnectionReset(error: unknown): boolean {
  try {
    return (error as { code?: unknown }).code === 'ECONNRESET';
  } catch {
    return false;
  }
}

/**
 * The request context of `rxlog/nest`: opens it for each request (a request id in `LogContext`,
 * a `diagnosticContext` collection) and writes the request's one completion event.
 */
export class RxlogRequestContext {
  private readonly completions: Logger;
  /** Requests whose response has not closed yet, each with its Node request: their completion may still be written on close. */
  private readonly unclosed = new Map<RequestState, object>();
  /** Called whenever a response of `unclosed` has closed (see `whenCutResponsesClosed`). */
  private readonly closeListeners = new Set<() => void>();
  /** Whether the app is shutting down: each response still to be sent closes its connection (see `closeConnectionsAfterResponses`). */
  private closingConnections = false;
  /** The microservice handlers' calls in flight, at most MAX_IN_FLIGHT_FOLLOWED (see `followRpc`). */
  private readonly rpcCalls = new Set<RpcCall>();
  /**
   * Follows the logger's close while this app has requests or messages in flight (undefined for a
   * logger that cannot say when it closes: a test double's, an older copy of rxlog's).
   */
  private readonly closeFollower: CloseFollower | undefined;

  constructor(
    log: Logger,
    private readonly settings: RequestLoggingSettings,
  ) {
    this.completions = log.forContext('SourceContext', REQUEST_LOGGING_SOURCE);
    // The requests still in flight when the logger closes (or the process exits first) get their
    // event then: the close is followed only while there are some (see closeFollower), so a
    // module compiled and never initialised, or an app closed, does not stay among the listeners
    // of a logger it shares with the apps made after it (an e2e suite's, a unit test's).
    this.closeFollower = closeFollower(log, 'RxlogModule', () => this.writeUnfinished());
  }

  /**
   * Called as the app has shut down. The logger's close is followed only while this app has
   * requests or microservice messages in flight: one still running after its app's close (Nest
   * does not wait for a microservice's messages) is written as unfinished when the logger closes
   * later, by another app sharing it; once none is, the app is no longer among its listeners.
   */
  stopFollowingClose(): void {
    this.unfollowWhenIdle();
  }

  /** Follows the logger's close, as a request or message of this app starts (again after the close ran). */
  private followWhileBusy(): void {
    this.closeFollower?.follow();
  }

  private unfollowWhenIdle(): void {
    if (this.rpcCalls.size === 0 && this.unclosed.size === 0) this.closeFollower?.unfollow();
  }

  /**
   * Writes each request of this app still in flight as unfinished (UNFINISHED_AT_SHUTDOWN_TEMPLATE),
   * as the logger starts closing while it still accepts events, or at process exit: with
   * `Unfinished: true`, a `StatusCode` only when the response's head went out, at `warning` (`error`
   * when its handler had failed with a 5xx error, which is the exception). That is its one event:
   * its completion later writes nothing. The app's `level` function is not asked, as for an aborted
   * request: it is told a status, which an unfinished request does not have. Never throws.
   */
  private writeUnfinished(): void {
    for (const [state, request] of [...this.unclosed])
      if (!state.completed && owners.get(state) === this)
        try {
          this.writeUnfinishedRequest(state, request);
        } catch (error) {
          SelfLog.write('RxlogModule: request {RequestId} could not be written as unfinished', state.requestId, error);
        }
    // Its values are the child's properties, not arguments.
    const rpcTemplate: string = RPC_UNFINISHED_AT_SHUTDOWN_TEMPLATE;
    for (const call of [...this.rpcCalls]) {
      this.rpcCalls.delete(call);
      try {
        const properties = { MessagePattern: call.pattern, Elapsed: performance.now() - call.startedAt, Unfinished: true };
        this.completions.child(properties).write('warning', rpcTemplate);
      } catch (error) {
        SelfLog.write(
          'RxlogModule: a microservice message {MessagePattern} could not be written as unfinished',
          call.pattern,
          error,
        );
      }
    }
  }

  /**
   * Follows a microservice handler's call (`@MessagePattern`, `@EventPattern`) from its start to
   * its end; returns the call that ends it. Nest's close does not wait for a microservice's
   * messages in flight (the TCP transport stops listening and the handler runs on): one still
   * running when the logger closes, or the process exits, is written then as unfinished
   * (RPC_UNFINISHED_AT_SHUTDOWN_TEMPLATE, at `warning`, with `MessagePattern`, `Elapsed` and
   * `Unfinished: true`), so the message the shutdown cut is seen; what its handler logs afterwards
   * is refused by the closed logger and counted in `rejectedAfterClose`. Not under
   * `requestLogging: false`; at most MAX_IN_FLIGHT_FOLLOWED calls at a time.
   */
  followRpc(pattern: string): () => void {
    if (!this.settings.enabled || this.closeFollower === undefined || this.rpcCalls.size >= MAX_IN_FLIGHT_FOLLOWED)
      return () => undefined;
    const call: RpcCall = { pattern, startedAt: performance.now() };
    this.rpcCalls.add(call);
    this.followWhileBusy();
    return () => {
      this.rpcCalls.delete(call);
      this.unfollowWhenIdle();
    };
  }

  private writeUnfinishedRequest(state: RequestState, request: object): void {
    const response = responsesByState.get(state);
    const handlerError = state.handlerError;
    const error = handlerError === undefined ? state.error : handlerError.error;
    const failed = error !== undefined && (handlerError?.statusCode ?? answeredStatus(error)) >= 500;
    const statusCode = response?.headersSent === true ? response.statusCode : undefined;
    state.completed = true;
    // An ignored path (a health check) is still written when it failed, as its completion would be.
    const written = loggingRequests.has(state) && (!state.ignored || failed || (statusCode ?? 0) >= 500);
    writeReportsBeside(state, error, written);
    if (!written) return;
    const properties: Record<string, unknown> = { RequestMethod: state.method, RequestPath: state.path };
    if (statusCode !== undefined) properties.StatusCode = statusCode;
    properties.Elapsed = performance.now() - state.startedAt;
    properties.RequestId = state.requestId;
    const route = state.route ?? routedRequests.get(request) ?? routeOf(request);
    if (route !== undefined && route !== state.middlewareRoute) properties.RoutePattern = route;
    properties.Unfinished = true;
    // The handler still runs: what it adds later is no mistake of its (no SelfLog warning).
    addDiagnostics(properties, state.collector.properties());
    // Its values are the child's properties, not arguments.
    const template: string = UNFINISHED_AT_SHUTDOWN_TEMPLATE;
    this.inContext(state, () => this.writeEvent(state, properties, failed ? 'error' : 'warning', template, error));
  }

  /**
   * Writes a request's one event with `properties` as a child's, and `error` (marked as logged,
   * so Nest's own report of it is not written again) as its exception.
   */
  private writeEvent(
    state: RequestState,
    properties: Record<string, unknown>,
    level: LogLevelName,
    template: string,
    error: unknown,
  ): void {
    const log = this.completions.child(properties);
    if (error === undefined) log.write(level, template);
    else {
      markLoggedRequestError(error);
      state.loggedError = error;
      // An Error from another realm too (Node's own errors inside a Jest sandbox): its stack, not
      // lost; a thrown string or plain object as a ThrownValueError, as log.error(value) makes it.
      log.write(level, exceptionFrom(error), template);
    }
  }

  /** Whether this app writes completion events (its `requestLogging` option is not `false`). */
  get logsRequests(): boolean {
    return this.settings.enabled;
  }

  /**
   * The request as `fastifyRequestLogging` follows one, for a `fastifyLogger` given to
   * FastifyAdapter: its id and context, and `fail` for an error Fastify reports with its logger (an
   * `onResponse` hook's `request errored`), written as an `error` event of the request (`HTTP GET
   * /orders failed after its response completed`, as `requestLogging` writes one).
   */
  trackerOf(state: RequestState): RequestTracker {
    const late: unknown[] = [];
    const carries = (error: unknown): boolean =>
      (state.loggedError !== undefined && Object.is(state.loggedError, error)) || late.includes(error);
    const fail = (error: unknown): boolean => {
      // Fastify's onResponse hooks have run after the completion event was written in every case
      // seen; one reported before it, or after an aborted one, is left to Fastify's own line.
      if (!state.completed || state.abandoned === true || carries(error) || !loggingRequests.has(state)) return carries(error);
      late.push(error);
      try {
        const properties = { RequestId: state.requestId, RequestMethod: state.method, RequestPath: state.path };
        const log = (owners.get(state) ?? this).completions.child(properties);
        this.inContext(state, () => log.write('error', exceptionFrom(error), FAILED_AFTER_COMPLETION_TEMPLATE as string));
      } catch (cause) {
        SelfLog.write('The failure of completed request {RequestId} could not be written', state.requestId, cause);
      }
      return true;
    };
    return { requestId: state.requestId, run: (fn) => this.inContext(state, fn), fail, carries };
  }

  /** The state of a request opened by `run`, if any. */
  stateOf(request: object): RequestState | undefined {
    return states.get(request);
  }

  /**
   * Runs `next` inside a new request context for `request`: everything it starts, synchronously or
   * later, logs with the request's `RequestId`, and `diagnosticContext.set` adds to its completion
   * event. With a response, echoes the request id in the configured header and writes the
   * completion event on `close` if nothing else has (a guard's rejection, an unmatched route, an
   * aborted request).
   */
  run<T>(request: RawRequest, response: RawResponse | undefined, next: (state: RequestState) => T): T {
    // Opened already by another app on the same Express instance (its middleware came first): one
    // context, one request id and one completion event per request, so this one only enters it.
    const opened = states.get(request);
    if (opened !== undefined) return this.inContext(opened, () => next(opened));
    const generate = this.settings.generateRequestId;
    const requestId = this.settings.trustIncomingRequestId ? safeRequestId(request, generate) : requestIdFrom({}, generate);
    if (response !== undefined) this.echoRequestId(response, requestId);
    return diagnosticContext.run((collector) =>
      LogContext.run({ RequestId: requestId }, () => {
        const path = pathOf(request);
        const state: RequestState = {
          requestId,
          method: typeof request.method === 'string' ? request.method : 'GET',
          path,
          startedAt: performance.now(),
          collector,
          ignored: !this.settings.enabled || isIgnoredPath(this.settings.ignorePaths, path),
          completed: false,
          closeCompletes: false,
        };
        states.set(request, state);
        requestsByState.set(state, request);
        statesByCollector.set(collector, state);
        owners.set(state, this);
        if (response !== undefined) responsesByState.set(state, response);
        if (this.settings.enabled) loggingRequests.add(state);
        // Express notes the module's own catch-all middleware route on the request while it runs: only
        // a route noted after it (the one that matched) names the request's route.
        state.middlewareRoute = routeOf(request as RoutedRequest);
        if (response !== undefined) this.completeOnClose(state, request, response);
        if (this.closingConnections) closeAfterResponse(request, response);
        return next(state);
      }),
    );
  }

  /**
   * Runs `next` inside the context of `request` opened earlier by `run`, or opens it now when none
   * was. On Express, `RxlogModule` opens the context before Nest's body parsers (whose errors and
   * aborted bodies would otherwise be answered unlogged) and enters it again in its module
   * middleware, because a body parser calls on from the request stream's events, outside it.
   */
  enter<T>(request: RawRequest, response: RawResponse | undefined, next: () => T): T {
    const state = states.get(request);
    if (state === undefined) return this.run(request, response, () => next());
    // The module middleware runs for this app's own paths (under its global prefix, if any).
    this.own(state);
    state.middlewareRoute = routeOf(request as RoutedRequest);
    return this.inContext(state, next);
  }

  /**
   * Makes this app the one that writes the request's completion event, with its logger and its
   * request-logging options: called when the request reaches this app's middleware or interceptor,
   * so of two apps sharing one Express instance, the one whose route took the request logs it.
   */
  own(state: RequestState): void {
    const previous = owners.get(state);
    if (previous === this) return;
    owners.set(state, this);
    state.ignored = !this.settings.enabled || isIgnoredPath(this.settings.ignorePaths, state.path);
    if (this.settings.enabled) loggingRequests.add(state);
    else loggingRequests.delete(state);
    if (previous !== undefined) this.takeRequestIdHeader(state, previous.settings.requestIdHeader);
  }

  /**
   * Echoes the request id in this app's `requestIdHeader` instead of the header of the app that
   * opened the context (`given`), while the response's headers are still unsent: the app whose route
   * took the request answers it with its own options, as it writes its completion event.
   */
  private takeRequestIdHeader(state: RequestState, given: string | undefined): void {
    const response = responsesByState.get(state);
    if (response === undefined || response.headersSent || given?.toLowerCase() === this.settings.requestIdHeader?.toLowerCase())
      return;
    try {
      const remove: unknown = (response as { removeHeader?: unknown }).removeHeader;
      if (given !== undefined && typeof remove === 'function') remove.call(response, given);
    } catch (error) {
      SelfLog.write('The request id header could not be set', error);
      return;
    }
    this.echoRequestId(response, state.requestId);
  }

  /** Runs `next` inside the context of the request `state` was opened for. */
  inContext<T>(state: RequestState, next: () => T): T {
    return diagnosticContext.runWith(state.collector, () => LogContext.run({ RequestId: state.requestId }, next));
  }

  /** Writes the request's completion event, once: later calls for the same request do nothing. */
  complete(state: RequestState, outcome: RequestOutcome): void {
    if (state.completed) return;
    const owner = owners.get(state);
    if (owner !== undefined && owner !== this) {
      owner.complete(state, outcome);
      return;
    }
    state.completed = true;
    state.abandoned = outcome.aborted === true;
    const diagnostics = state.collector.complete();
    // An ignored path (a health check) is still written when it failed, as requestLogging does.
    const failed = outcome.failed === true || (outcome.aborted !== true && outcome.statusCode >= 500);
    const aborted = outcome.aborted === true;
    const elapsed = performance.now() - state.startedAt;
    let level: LogLevelName | undefined;
    let written = !state.ignored || (failed && this.settings.enabled);
    // A Fastify route's logLevel quiets the events below it, as an ignored path does: failures are written.
    if (written && !failed) {
      level = aborted ? 'warning' : this.levelFor(outcome, elapsed);
      written = !belowFastifyRouteLevel(state, level);
    }
    // What Nest reported and the event does not carry (an ignored path's 4xx, which is not written) is written on its own, once.
    writeReportsBeside(state, outcome.error, written);
    if (!written) return;
    try {
      const properties: Record<string, unknown> = { RequestMethod: state.method, RequestPath: state.path };
      // An abandoned response has no status the client saw: the one set (often 200) would claim it was answered.
      if (!aborted) properties.StatusCode = outcome.statusCode;
      properties.Elapsed = elapsed;
      properties.RequestId = state.requestId;
      if (outcome.route !== undefined) properties.RoutePattern = outcome.route;
      if (aborted) properties.Aborted = true;
      addDiagnostics(properties, diagnostics);
      level ??= aborted && outcome.failed !== true ? 'warning' : this.levelFor(outcome, elapsed);
      const template = aborted ? this.settings.abortedTemplate : this.settings.messageTemplate;
      this.writeEvent(state, properties, level, template, outcome.error);
    } catch (error) {
      SelfLog.write('Request completion event for {RequestId} could not be written', state.requestId, error);
    }
  }

  private levelFor(outcome: RequestOutcome, elapsed: number): LogLevelName {
    const fallback = levelForStatus(outcome.statusCode, outcome.failed);
    const level = this.settings.level;
    return level === undefined ? fallback : chosenLevel(() => level(outcome.statusCode, outcome.error, elapsed), fallback);
  }

  private echoRequestId(response: RawResponse, requestId: string): void {
    const header = this.settings.requestIdHeader;
    if (header === undefined || response.headersSent) return;
    try {
      response.setHeader(header, requestId);
    } catch (error) {
      SelfLog.write('The request id header could not be set', error);
    }
  }

  private completeOnClose(state: RequestState, request: RawRequest, response: RawResponse): void {
    if (typeof response.once !== 'function') return;
    state.closeCompletes = true;
    // Never in another request's context (a long poll answered from another user's request), told
    // by the request's diagnostic collector: a request id is the client's to choose, so another
    // request can carry the same one.
    const inEndContext = requestEndContext(state.requestId, state.collector);
    this.unclosed.set(state, request);
    this.followWhileBusy();
    const writeOnClose = (): void => {
      try {
        inEndContext(() => this.writeOnClose(state, request, response));
      } finally {
        this.unclosed.delete(state);
        if (this.closeListeners.size > 0) for (const listener of [...this.closeListeners]) listener();
        this.unfollowWhenIdle();
      }
    };
    response.once('finish', () => {
      if ((response as { writableEnded?: unknown }).writableEnded === true) finishedAfterEnd.add(state);
    });
    response.once('close', writeOnClose);
    // The client left before the request reached this (while an app's own step ahead of it awaited):
    // its 'close' events are gone, so the outcome is read once the handler had its turn.
    if (connectionGone(request) && !finishedAfterEnd.has(state) && !responseFinished(response)) {
      state.goneAtStart = true;
      setImmediate(writeOnClose);
    }
    // The app's own listeners (res.on('finish')) too, on a pipelined connection (see emitInOwnContext).
    emitInOwnContext(response, state.collector, inEndContext, (fn) => this.inContext(state, fn));
    // The code that ends the response is the request's own: its LogContext (an auth middleware's
    // `LogContext.run({ UserId }, next)`) is the completion event's, though Node emits a pipelined
    // response's 'close' from the request before it.
    onCall(response, 'end', inEndContext.ended);
    onCall(response, 'destroy', inEndContext.ended);
    // A response queued behind an unfinished one on a pipelined connection has no socket yet: when
    // the connection closes, Node destroys its request, but the response emits no 'close'
    // (node:_http_server, abortIncoming), so the request's end is only seen on the request.
    const events = request as Partial<Pick<IncomingMessage, 'once'>>;
    if (typeof events.once === 'function')
      events.once('close', () => {
        if (connectionGone(request)) writeOnClose();
      });
  }

  /**
   * While `closing`, has the app's responses still to be sent close their keep-alive connection once
   * complete (`Connection: close`): those of the requests in flight, and of those that arrive until
   * it is called again with `false`. Called when the app shuts down, just before Nest stops the
   * server, so its `close()` ends once the requests in flight are answered (see `closeAfterResponse`).
   */
  closeConnectionsAfterResponses(closing: boolean): void {
    this.closingConnections = closing;
    if (closing)
      for (const [state, request] of this.unclosed)
        if (owners.get(state) === this) closeAfterResponse(request, responsesByState.get(state));
  }

  /**
   * Resolves once every response whose connection is already gone has closed, so its completion
   * event is written (or `limitMs` passed). At shutdown, Nest's adapter resolves its `close()` when
   * the server has let go of its connections, but Node emits a cut response's `close` a moment
   * later (`forceCloseConnections` destroys the sockets, and their handles close on a later turn of
   * the event loop): the logger closed without this wait would reject the event of every response
   * the shutdown cut, such as an open server-sent event stream.
   */
  whenCutResponsesClosed(limitMs: number): Promise<void> {
    const waiting = (): boolean => [...this.unclosed.values()].some((request) => connectionGone(request));
    if (!waiting()) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.closeListeners.delete(check);
        resolve();
      };
      const check = (): void => {
        if (!waiting()) done();
      };
      const timer = setTimeout(done, limitMs);
      this.closeListeners.add(check);
    });
  }

  /** Writes the completion event of a response that closed before anything else wrote it. */
  private writeOnClose(state: RequestState, request: RawRequest, response: RawResponse): void {
    if (state.completed) return;
    // A response destroyed with an error (a piped body that failed) is the server's failure; a client
    // that leaves destroys it without one. Else an error Nest's exception filter reported (a guard's)
    // or a StreamableFile logged (its stream's, answered 400 or cut short), else the error of the
    // stream of a StreamableFile whose response the server destroyed without it.
    // Node emits 'finish' from the last write's callback even when that write failed: a download the
    // client reset with its body still queued is not sent whole; its connection's error tells. Nor
    // is anything sent once the client had left before the request reached rxlog.
    const finished =
      state.goneAtStart !== true && (finishedAfterEnd.has(state) || responseFinished(response)) && !connectionFailed(request);
    // Destroyed with an error: the response (a piped body that failed), or its connection by the
    // handler (`req.destroy(error)`, `req.socket.destroy(error)`; see cutWith).
    const destroyedWith = finished ? undefined : (erroredWith(response) ?? cutWith(request));
    // Reported once the handler had ended without failing: the request's failure when Nest answered it
    // (its result could not be sent), else another's (an event listener's), written beside the event.
    const answered = state.reports?.find(
      (report) => report.afterHandler && finished && response.statusCode === answeredStatus(report.error),
    );
    if (answered !== undefined && state.handlerError === undefined) state.error ??= answered.error;
    // A request the interceptor never saw (a guard rejected it) has its route from Express's request,
    // or from what Fastify's onRequest hook noted.
    const matched = routeOf(request as RoutedRequest);
    const pattern = state.route ?? routedRequests.get(request) ?? (matched === state.middlewareRoute ? undefined : matched);
    const route = pattern === undefined ? {} : { route: pattern };
    if (destroyedWith === undefined && state.handlerError !== undefined) {
      // The handler's error, answered by an exception filter: the level follows the status it sent
      // (the error's own status when the client left before the answer was complete).
      const { error, sentStatus } = state.handlerError;
      if (sentStatus !== undefined) {
        // Failed after the headers went out: the client got that status, and the error is the handler's failure.
        this.complete(state, { statusCode: sentStatus, error, failed: state.handlerError.statusCode >= 500, ...route });
        return;
      }
      const statusCode = finished ? response.statusCode : state.handlerError.statusCode;
      // The client left before the filter answered (one that awaits something, or never answers):
      // aborted, with the error, at the level of the status Nest maps it to; no status reached it.
      const left = !finished && !response.headersSent && !serverCut(request, response) && serverRefusal(request) === undefined;
      this.complete(state, { statusCode, error, failed: statusCode >= 500, aborted: left, ...route });
      return;
    }
    // A connection the server gave up reading (its requestTimeout, a malformed body) is not the client
    // leaving: Node answered it (408, 400 …) when nothing had been sent, with that error as the
    // exception, a warning, as requestLogging writes it.
    const refusal = destroyedWith === undefined && state.error === undefined && !finished ? serverRefusal(request) : undefined;
    if (refusal !== undefined) {
      // On Express, Nest answers body-parser's error of that connection with the same 4xx (to a socket
      // already gone): still the client's fault. A success or 5xx that had started was cut: the server's.
      const statusCode = response.headersSent ? response.statusCode : refusal.status;
      this.complete(state, { statusCode, error: refusal.error, failed: statusCode < 400 || statusCode >= 500, ...route });
      return;
    }
    // Destroyed without an error by the server (`res.destroy()`, a connection it cut) is its failure too.
    const error =
      destroyedWith ??
      state.error ??
      (!finished && serverCut(request, response) ? (state.streamError ?? responseDestroyed()) : undefined);
    if (error === undefined && finished && state.streamError !== undefined) {
      // A StreamableFile's stream failed and the app's own error handler answered: the level follows its status.
      const { statusCode } = response;
      this.complete(state, { statusCode, error: state.streamError, failed: statusCode >= 500, ...route });
      return;
    }
    // A response the server failed before sending anything reports 500, as requestLogging does:
    // its client got no status, and `statusCode` still reads Node's default 200. One whose client
    // left first (a guard's error Nest's filter reported, the filter then never answering) is aborted.
    const left =
      !finished &&
      !response.headersSent &&
      destroyedWith === undefined &&
      !serverCut(request, response) &&
      serverRefusal(request) === undefined;
    if (error !== undefined && left) {
      // At the level of the status Nest answers that error with, as a handler's error is: a guard's
      // ForbiddenException the filter reported as itself is a `warning`, not a 500's `error`.
      const statusCode = answeredStatus(error);
      this.complete(state, { statusCode, error, failed: statusCode >= 500, aborted: true, ...route });
      return;
    }
    const statusCode = statusOf(response, undefined, error !== undefined);
    // An error a filter answered whole (a guard's, which the interceptor never saw) is as bad as the
    // status it sent, as a handler's error is: a ForbiddenException answered 403 is a `warning`,
    // however the filter reported it. One the server cut short is its failure, and so is a
    // StreamableFile's stream that failed (Nest answers a missing file 400 on Express).
    const failed = !finished || statusCode >= 500 || Object.is(error, state.streamError);
    // An error raised once the client had left is the aborted event's exception.
    const { abortError } = state;
    const ended =
      error === undefined
        ? { aborted: !finished, ...(abortError === undefined ? {} : { error: abortError }) }
        : { error, failed };
    this.complete(state, { statusCode, ...ended, ...route });
  }
}

/**
 * Whether the request's client left: its connection is gone, and neither the server's code cut it
 * (destroyedByServer, cutWith) nor Node gave up reading the request (serverRefusal).
 */
export function clientLeft(request: object | undefined): boolean {
  return (
    request !== undefined &&
    connectionGone(request) &&
    !destroyedByServer(request) &&
    cutWith(request) === undefined &&
    serverRefusal(request) === undefined
  );
}

/** Whether the server closed the response's connection (or its HTTP/2 stream) before it ended, not the client. */
function serverCut(request: object, response: object): boolean {
  return !streamReset(response) && destroyedByServer(request);
}

function safeRequestId(request: RawRequest, generate: (() => string) | undefined): string {
  try {
    return requestIdFrom(request.headers, generate);
  } catch {
    return requestIdFrom({}, generate);
  }
}

/** What Express (`req.route`) and Fastify (`request.routeOptions`) note of the route that matched. */
export interface RoutedRequest {
  /** Express: the matched route. */
  readonly route?: { readonly path?: unknown } | undefined;
  /** Fastify 4 and 5: the matched route. */
  readonly routeOptions?: { readonly url?: unknown } | undefined;
}

/** The pattern of the route that matched the request (`'/orders/:id'`), if any. */
export function routeOf(request: RoutedRequest): string | undefined {
  const route = request.routeOptions?.url ?? request.route?.path;
  return typeof route === 'string' ? route : undefined;
}

function pathOf(request: RawRequest): string {
  const url = (request as { originalUrl?: unknown }).originalUrl ?? request.url;
  return typeof url === 'string' ? requestPath(url) : '/';
}
