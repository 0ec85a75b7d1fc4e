import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import { defer, type Observable, tap, finalize } from 'rxjs';
import { answeredStatus } from './answered-status';
import { handlerPattern, noteRpcError } from './rpc-errors';
import {
  clientLeft,
  keepStreamError,
  type RawRequest,
  type RawResponse,
  type RequestState,
  routeOf,
  type RoutedRequest,
  type RxlogRequestContext,
  thrownValue,
} from './rxlog-request-context';

/** What the interceptor reads from Express's or Fastify's request object. */
interface FrameworkRequest extends RawRequest, RoutedRequest {
  /** Fastify's Node request. */
  readonly raw?: RawRequest;
}

/** What the interceptor reads from Express's or Fastify's response object. */
interface FrameworkResponse {
  readonly statusCode?: unknown;
  /** Fastify's Node response. */
  readonly raw?: RawResponse;
}

/**
 * Writes one completion event per HTTP request, the RxJS way: it watches the handler's Observable
 * with `tap` (an error: its status and the exception) and `finalize` (completion), so an Observable
 * a controller returns is timed to its end, not to its creation; when the response is still unsent
 * then (Nest sends it after the handler, a `@Res()` handler may answer later still), the event is
 * written when the response closes, with the status sent. The event has the method, path, route
 * pattern, status, elapsed milliseconds and what `diagnosticContext.set` added during the request;
 * an error is written once, with the exception, at the level of the status sent (the one an
 * exception filter of the app chose, else the one Nest's own filter answers with, see
 * `answeredStatus`). `RxlogModule` registers it for every route; its middleware opens the request
 * context, and where that did not run (the interceptor used on its own) the interceptor opens it
 * itself.
 */
export class RxlogRequestInterceptor implements NestInterceptor {
  constructor(private readonly requests: RxlogRequestContext) {}

  /**
   * Watches one handler call; non-HTTP contexts (microservices, websockets, GraphQL resolvers) pass
   * through untouched (a microservice handler's error is noted with its pattern, see `watchRpc`), and so does a handler typed `http` whose first argument is no HTTP request
   * (a queue or event library's handler made with Nest's `ExternalContextCreator`, whose context
   * type defaults to `http`: its arguments are a message and its envelope).
   */
  intercept(context: ExecutionContext, next: CallHandler<unknown>): Observable<unknown> {
    if (context.getType() === 'rpc') return watchRpc(context, next, this.requests);
    if (context.getType() !== 'http') return next.handle();
    const http = context.switchToHttp();
    const request = http.getRequest<unknown>();
    const given: unknown = http.getResponse<unknown>();
    if (!isHttpRequest(request) || typeof given !== 'object' || given === null) return next.handle();
    const response = given as FrameworkResponse;
    const raw = request.raw ?? request;
    if (!isHttpRequest(raw)) return next.handle();
    const state = this.requests.stateOf(raw);
    if (state !== undefined) {
      // This app's route took the request: its completion event is this app's to write.
      this.requests.own(state);
      return this.watch(next.handle(), state, request, response);
    }
    // No middleware ran for this request: open its context around the handler's subscription.
    const rawResponse = response.raw ?? (response as RawResponse);
    return defer(() => this.requests.run(raw, rawResponse, (opened) => this.watch(next.handle(), opened, request, response)));
  }

  private watch(
    handler: Observable<unknown>,
    state: RequestState,
    request: FrameworkRequest,
    response: FrameworkResponse,
  ): Observable<unknown> {
    return handler.pipe(
      tap({
        subscribe: () => (state.handling = true),
        // A StreamableFile's stream that fails while it is sent: Nest (Express) logs the error apart and
        // destroys the response without it, Fastify logs it with its own logger only.
        next: (value: unknown) => watchStreamableFile(value, state),
        error: (thrown: unknown) => {
          state.handling = false;
          // A thrown `undefined` or `null` too is an error the event carries, the one Nest's filter reports.
          const error = thrownValue(state, thrown);
          // Nest's exception filters answer the error after this: one of the app's may send another
          // status than the error's own (a domain error as 404 or 409), so the response's close writes it.
          const statusCode = answeredStatus(error);
          // Raised once the client had left (a handler awaiting Express's sendFile, which fails with
          // 'Request aborted'): it comes of the abort, the aborted event's exception.
          if (state.closeCompletes && clientLeft(request.raw ?? request)) {
            state.abortError ??= error;
            return;
          }
          if (state.closeCompletes && (state.goneAtStart === true || !isSent(response))) {
            const sentStatus = statusSent(response);
            state.handlerError = sentStatus === undefined ? { error, statusCode } : { error, statusCode, sentStatus };
            return;
          }
          // A response already sent (the handler answered, then threw) keeps the status the client got.
          const sent = statusSent(response) ?? statusCode;
          this.requests.complete(state, { statusCode: sent, route: routeOf(request), error, failed: statusCode >= 500 });
        },
      }),
      finalize(() => {
        state.handling = false;
        const route = routeOf(request);
        // Nest writes the response after the handler's Observable ends, and a handler using @Res() may
        // answer much later: the response's close then writes the event, with the status sent and the
        // whole time (or as aborted, when the client left first).
        if (state.closeCompletes && (state.goneAtStart === true || !isSent(response))) state.route = route;
        else this.requests.complete(state, { statusCode: responseStatus(response), route });
      }),
    );
  }
}

/**
 * Hands the error of the stream of a `StreamableFile` (told by its methods, so any copy of Nest's
 * class counts) to the request's completion event, if the stream fails (or failed already).
 */
function watchStreamableFile(value: unknown, state: RequestState): void {
  try {
    if (typeof value !== 'object' || value === null) return;
    const file = value as { getStream?: unknown; setErrorHandler?: unknown };
    if (typeof file.getStream !== 'function' || typeof file.setErrorHandler !== 'function') return;
    const stream: unknown = file.getStream.call(value);
    if (typeof stream !== 'object' || stream === null) return;
    const events = stream as { errored?: unknown; on?: unknown };
    if (events.errored !== undefined && events.errored !== null) {
      keepStreamError(state, events.errored);
      return;
    }
    if (typeof events.on === 'function') events.on.call(stream, 'error', (error: unknown) => keepStreamError(state, error));
  } catch {
    // A value whose methods throw (a Proxy) is no StreamableFile this can watch.
  }
}

/** Whether `value` is an HTTP request: Node's, Express's (both with their method and url) or Fastify's (with Node's as `raw`). */
function isHttpRequest(value: unknown): value is FrameworkRequest {
  if (typeof value !== 'object' || value === null) return false;
  const request = value as { method?: unknown; url?: unknown; raw?: unknown };
  if (typeof request.method === 'string' && typeof request.url === 'string') return true;
  return request.raw !== undefined && isHttpRequest(request.raw);
}

/** Whether the Node response has been written to its end (true when it cannot tell). */
function isSent(response: FrameworkResponse): boolean {
  const finished: unknown = (response.raw ?? (response as Partial<RawResponse>)).writableFinished;
  return typeof finished !== 'boolean' || finished;
}

/** The status of a response whose headers went out already (a handler writing the Node response itself), else undefined. */
function statusSent(response: FrameworkResponse): number | undefined {
  const raw = response.raw ?? (response as Partial<RawResponse>);
  return raw.headersSent === true && typeof raw.statusCode === 'number' ? raw.statusCode : undefined;
}

function responseStatus(response: FrameworkResponse): number {
  const status = response.statusCode ?? response.raw?.statusCode;
  return typeof status === 'number' ? status : 200;
}

/**
 * A microservice handler's call (`@MessagePattern`, `@EventPattern`) passes through as it is; an
 * error it fails with is noted with the handler's pattern, which `RxlogLoggerService` writes as
 * `MessagePattern` on the error event Nest's RPC exception filter reports it with, and a call
 * still running when the logger closes is written as unfinished (see `followRpc`).
 */
function watchRpc(context: ExecutionContext, next: CallHandler<unknown>, requests: RxlogRequestContext): Observable<unknown> {
  const pattern = handlerPattern(context);
  if (pattern === undefined) return next.handle();
  const handled = next.handle().pipe(tap({ error: (error: unknown) => noteRpcError(error, pattern) }));
  return defer(() => handled.pipe(finalize(requests.followRpc(pattern))));
}
