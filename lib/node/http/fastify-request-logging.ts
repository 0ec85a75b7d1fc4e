import { subscribe } from 'node:diagnostics_channel';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest } from 'node:http2';
import type { LogLevelName } from '../../core/log-level';
import { SelfLog } from '../../core/self-log';
import { isError } from '../is-error';
import { connectionCloser } from './close-after-response';
import { ensureAsyncLocalStorage } from './ensure-async-local-storage';
import { inFlightRequests } from './in-flight-requests';
import { isSafeRequestId } from './request-id';
import { semicolonDelimited } from './semicolon-delimited';
import { type RequestLoggingOptions, resolveRequestLoggingOptions } from './request-logging-options';
import { expectRequestLogger, type RequestLogger, requestIdOf, type RequestTracker, trackRequest } from './request-tracker';

/** The parts of a Fastify request the plugin reads. */
export interface FastifyLikeRequest {
  readonly raw: IncomingMessage;
  /** The id Fastify gave the request (`request.id`), which the plugin takes as its `RequestId`. */
  readonly id?: unknown;
  /** The request's logger (`request.log`), a child of Fastify's `loggerInstance`. */
  readonly log?: unknown;
  readonly routeOptions?: { readonly url?: string | undefined } | undefined;
}

/** The parts of a Fastify reply the plugin reads. */
export interface FastifyLikeReply {
  readonly raw: ServerResponse;
  /** Whether the reply was sent (`reply.sent`). */
  readonly sent?: boolean;
  /** Sends the reply (`reply.send(payload)`): Fastify sends every error of a request's lifecycle through it. */
  send?(payload?: unknown): unknown;
}

/** The part of a Fastify instance the plugin uses: `addHook`, and its Node `server` when it has one. */
export interface FastifyLikeInstance {
  /** Registers a lifecycle hook (`onRequest`, `preHandler`, `onError`, `onResponse` …). */
  addHook(name: string, hook: (...args: never[]) => unknown): unknown;
  /** The Node server (`http`, `https` or `http2`), for the requests Fastify answers before any hook runs. */
  readonly server?: unknown;
  /** The options the app was made with: `useSemicolonDelimiter` (or under `routerOptions`) makes `;` start the query. */
  readonly initialConfig?: unknown;
  /** Fastify's request id generator, replaced by the plugin's only while it is Fastify's default. */
  readonly genReqId?: unknown;
  /** Fastify's `setGenReqId`, through which the plugin gives Fastify its ids while `genReqId` is Fastify's default. */
  setGenReqId?(generate: (req: IncomingMessage | Http2ServerRequest) => string): unknown;
}

/**
 * The method of a `fastifyLogger` request logger that writes the binding carrying Fastify's id
 * (`reqId`, or the app's `requestIdLogLabel`) as `RequestId`: `(fastifyId, requestId) => void`.
 */
export const ADOPT_REQUEST_ID: unique symbol = Symbol('rxlog.adoptRequestId');

/** A Fastify plugin (register it with `app.register(...)`); it applies to the whole app, as `fastify-plugin` plugins do. */
export type FastifyRequestLoggingPlugin = (
  instance: FastifyLikeInstance,
  options: unknown,
  done: (error?: Error) => void,
) => void;

/**
 * `requestLogging` for Fastify 5, as a plugin: `await app.register(fastifyRequestLogging(log))`.
 * The same completion event, request id, LogContext and diagnostic context as `requestLogging`,
 * through Fastify's hooks: `onRequest` starts the request, `preParsing` runs the body's events (so
 * the app's content-type parsers) inside its context, `preHandler` runs the handler inside it,
 * `onError` puts an error on the completion event (so does the reply's `send`, which Fastify hands
 * a hook's or a validation's error, for when an onError hook before the plugin's throws), and
 * `preClose` has the responses of the requests in flight at `app.close()` close their
 * connections. Its `RequestId` is Fastify's `request.id`, which the plugin makes by its options
 * while the app leaves Fastify's ids at their default. Fastify is not imported: anything with
 * Fastify's `addHook` works.
 *
 * @throws ConfigurationError naming a bad option.
 * @example
 * ```ts compile-only
 * import Fastify from 'fastify';
 * import { LoggerConfiguration } from 'rxlog';
 * import { fastifyRequestLogging } from 'rxlog/node';
 *
 * const log = new LoggerConfiguration().enrich.fromLogContext().writeTo.console().createLogger();
 * const app = Fastify();
 * await app.register(fastifyRequestLogging(log));
 * ```
 */
export function fastifyRequestLogging(log: RequestLogger, options: RequestLoggingOptions = {}): FastifyRequestLoggingPlugin {
  expectRequestLogger('fastifyRequestLogging', log);
  const settings = resolveRequestLoggingOptions(options);
  if (settings.asyncLocalStorage) ensureAsyncLocalStorage();
  const trackers = new WeakMap<IncomingMessage, RequestTracker>();
  const servers = new WeakSet<object>();
  // The ids the plugin gave Fastify's requests, for those answered before its onRequest hook.
  const generated = new WeakMap<IncomingMessage, string>();
  // The requests not yet completed, written as unfinished should the logger close first.
  const inFlight = inFlightRequests(log, 'fastifyRequestLogging');
  const plugin = (instance: FastifyLikeInstance, _options: unknown, done: (error?: Error) => void): void => {
    // Fastify routes `/orders;token=x` as `/orders` with the query `token=x` when told to: its path is logged without it.
    const appSettings = semicolonDelimited(instance, 'fastifyRequestLogging') ? { ...settings, semicolonQuery: true } : settings;
    // Fastify's close() answers the requests that arrive while it closes with `Connection: close`;
    // from its preClose hook on, those in flight (and those past its router already) do too, so a
    // keep-alive client's connection closes after its answer instead of holding close() until
    // keepAliveTimeout (72 s).
    const closer = connectionCloser('fastifyRequestLogging');
    instance.addHook('preClose', (closed: () => void) => {
      closer.close();
      closed();
    });
    generateFastifyIds(instance, (req) => {
      // Node's HTTP/2 compatibility request has the headers and socket requestLogging reads.
      const id = requestIdOf(req as IncomingMessage, settings);
      generated.set(req as IncomingMessage, id);
      return id;
    });
    followAnsweredBeforeHooks(instance, servers, (req, res) => {
      if (trackers.has(req)) return;
      // While Fastify closes, it answers a request that arrives on an open connection (pipelined behind
      // one in flight) with a 503 and `Connection: close`: the response before it on the connection is
      // no longer the last, and answers without the header, or Node drops the 503 queued behind it.
      closer.follow(req, res);
      try {
        remember(trackers, req, trackRequest(log, appSettings, req, res, undefined, generated.get(req), inFlight));
      } catch (error) {
        SelfLog.write('fastifyRequestLogging: the request could not be followed', error);
      }
    });
    const follow = (request: FastifyLikeRequest, reply: FastifyLikeReply): RequestTracker | undefined => {
      closer.follow(request.raw, reply.raw);
      try {
        const tracker = trackRequest(
          log,
          appSettings,
          request.raw,
          reply.raw,
          () => request.routeOptions?.url,
          idOf(request.id),
          inFlight,
          (level) => belowRouteLevel(request, level),
        );
        remember(trackers, request.raw, tracker);
        failOnErrorSent(reply, tracker);
        markRequestLog(request, tracker.requestId);
        return tracker;
      } catch (error) {
        SelfLog.write('fastifyRequestLogging: the request could not be followed', error);
        return undefined;
      }
    };
    instance.addHook('onRequest', (request: FastifyLikeRequest, reply: FastifyLikeReply, next: () => void) => {
      // Registered twice: one request, one event.
      let tracker = trackers.get(request.raw);
      if (tracker === undefined) tracker = follow(request, reply);
      else markRequestLog(request, tracker.requestId);
      if (tracker === undefined) next();
      else tracker.run(next);
    });
    // Fastify reads the body from the request's own events, which Node emits from the socket's
    // context: they are run inside the request's, so a content-type parser of the app logs with it.
    // The payload is the request itself, or the stream an earlier preParsing hook put in its place.
    instance.addHook('preParsing', payloadHook(trackers, runEventsIn));
    // Body parsing runs outside the onRequest call, so the handler is entered into the context again.
    instance.addHook('preHandler', (request: FastifyLikeRequest, _reply: FastifyLikeReply, next: () => void) => {
      const tracker = trackers.get(request.raw);
      if (tracker === undefined) next();
      else tracker.run(next);
    });
    instance.addHook('onError', (request: FastifyLikeRequest, reply: FastifyLikeReply, error: unknown, next: () => void) => {
      // A hook added before the plugin that failed at once, inside Fastify's request listener: the
      // request is followed from here (an elapsed time of the same turn), so its event has the error
      // and the route, and Fastify's own report of it (fastifyLogger) is left out as for any other.
      const tracker = trackers.get(request.raw) ?? (arriving === request.raw ? follow(request, reply) : undefined);
      tracker?.fail(error);
      next();
    });
    // A streamed body (`reply.send(stream)`) that fails once its headers went out reaches no onError
    // hook: Fastify destroys the response without the stream's error. Its 'error' is the failure.
    instance.addHook('onSend', payloadHook(trackers, failOnStreamError));
    followHandlerErrors();
    done();
  };
  return Object.assign(plugin, {
    [Symbol.for('skip-override')]: true,
    [Symbol.for('fastify.display-name')]: 'rxlog-request-logging',
  });
}

// The pino value of each rxlog level, for a route's logLevel.
const PINO_VALUES: Readonly<Record<LogLevelName, number>> = {
  verbose: 10,
  debug: 20,
  information: 30,
  warning: 40,
  error: 50,
  fatal: 60,
};
// pino's own levels, for an app logger that does not list its levels.
const PINO_LEVELS: Readonly<Record<string, number>> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };

/**
 * Whether an event at `level` is below the `logLevel` of the request's route (given to the route or
 * to the plugin that added it, as Fastify's own request lines are): `'silent'` is above every
 * level, and a custom level's value is read from the app's logger (`request.log.levels`). A route
 * without one, or with a name whose value cannot be read, quiets nothing. `RxlogModule` reads it too.
 */
export function belowRouteLevel(request: FastifyLikeRequest, level: LogLevelName): boolean {
  try {
    const name: unknown = (request.routeOptions as { logLevel?: unknown } | undefined)?.logLevel;
    if (typeof name !== 'string' || name === '') return false;
    if (name === 'silent') return true;
    const values = (request as { log?: { levels?: { values?: Record<string, unknown> } } }).log?.levels?.values;
    const value = values !== undefined && Object.hasOwn(values, name) ? values[name] : PINO_LEVELS[name];
    return typeof value === 'number' && PINO_VALUES[level] < value;
  } catch (error) {
    SelfLog.write("A Fastify route's logLevel could not be read; its request's completion event is written", error);
    return false;
  }
}

/**
 * Makes the plugin's ids Fastify's (`request.id`, the `reqId` of Fastify's lines) while the app left
 * Fastify's own at its default (`req-1`, `req-2` …, counted per process): a trusted `x-request-id` or
 * `traceparent`, else `generateRequestId`, as `requestLogging` does. An app that gave Fastify its own
 * (`genReqId`, `requestIdHeader`, `setGenReqId`) keeps them, and the plugin takes those. Either way
 * each request has one id.
 */
function generateFastifyIds(
  instance: FastifyLikeInstance,
  generate: (req: IncomingMessage | Http2ServerRequest) => string,
): void {
  try {
    const current = instance.genReqId;
    // Fastify 5's own generator (lib/req-id-gen-factory.js); one wrapped for requestIdHeader is named otherwise.
    if (typeof current !== 'function' || current.name !== 'defaultGenReqId' || typeof instance.setGenReqId !== 'function') return;
    instance.setGenReqId(generate);
  } catch (error) {
    SelfLog.write(
      "fastifyRequestLogging: Fastify's request id generator could not be set; the plugin takes Fastify's ids",
      error,
    );
  }
}

/**
 * Fastify's id of a request as text, or undefined for none: a `genReqId` of the app that returned
 * no id, or an id past rxlog's bounds for ids (the raw header a `requestIdHeader` takes as the client
 * sent it), for which the plugin makes its own, by `requestLogging`'s rule.
 */
function idOf(id: unknown): string | undefined {
  const text = typeof id === 'number' && Number.isFinite(id) ? String(id) : id;
  return typeof text === 'string' && isSafeRequestId(text) ? text : undefined;
}

/**
 * Follows the requests Fastify answers from its router, before any hook runs (a malformed URL's
 * 400, a parameter past `maxParamLength`'s 414, an async constraint's 500: its own logger writes
 * nothing for them either), and those a hook added before the plugin answered at once: Node calls
 * Fastify's `request` listener first, so one added here finds them already ended. Once per server.
 */
function followAnsweredBeforeHooks(
  instance: FastifyLikeInstance,
  servers: WeakSet<object>,
  follow: (req: IncomingMessage, res: ServerResponse) => void,
): void {
  try {
    const server = instance.server as { on?: unknown } | null | undefined;
    if (typeof server === 'object' && server !== null) loggedServers.add(server);
    if (typeof server?.on !== 'function' || servers.has(server)) return;
    servers.add(server);
    const listen = (method: unknown, listener: (req: IncomingMessage, res: ServerResponse) => void): unknown =>
      (method as (event: string, listener: (req: IncomingMessage, res: ServerResponse) => void) => unknown).call(
        server,
        'request',
        listener,
      );
    if (typeof (server as { prependListener?: unknown }).prependListener === 'function')
      listen((server as { prependListener: unknown }).prependListener, (req) => (arriving = req));
    listen(server.on, (req, res) => {
      arriving = undefined;
      if (res.writableEnded) follow(req, res);
    });
  } catch (error) {
    SelfLog.write(
      'fastifyRequestLogging: the server could not be followed; requests Fastify answers before any hook are not logged',
      error,
    );
  }
}

// The request Fastify's own `request` listener is handling, while it runs.
let arriving: IncomingMessage | undefined;

// The trackers of each request, one per plugin following it, for the one handler-error subscription
// of the process and for fastifyLogger. Keyed by request, never by plugin: a plugin made and dropped
// (one per app of a test suite, one rebuilt by hot reload) leaves nothing here.
const followed = new WeakMap<IncomingMessage, RequestTracker[]>();

/** Records `tracker` as the plugin's (`trackers`) and among the request's (`followed`). */
function remember(trackers: WeakMap<IncomingMessage, RequestTracker>, req: IncomingMessage, tracker: RequestTracker): void {
  trackers.set(req, tracker);
  const all = followed.get(req);
  if (all === undefined) followed.set(req, [tracker]);
  else all.push(tracker);
}

// The Node servers of the apps a plugin was registered on, for fastifyLogger: Fastify logs
// `incoming request` before any onRequest hook, so before the request has a tracker.
const loggedServers = new WeakSet<object>();

/** Whether a `fastifyRequestLogging` plugin was registered on the Fastify app whose Node server is `server`. */
export function hasRequestLogging(server: unknown): boolean {
  return typeof server === 'object' && server !== null && loggedServers.has(server);
}

// Each followed request's logger (request.log, reply.log), for fastifyLogger.
const requestLoggers = new WeakMap<object, IncomingMessage>();

// The requests RxlogModule follows on FastifyAdapter, for fastifyLogger, as the plugin's.
const moduleTrackers = new WeakMap<IncomingMessage, RequestTracker>();

/**
 * Marks `request.log` for fastifyLogger, which tells the lines Fastify writes with it (and with
 * reply.log) by it, and writes the id Fastify bound to it as `requestId`, under `RequestId`.
 */
function markRequestLog(request: FastifyLikeRequest, requestId: string): void {
  if (typeof request.log !== 'object' || request.log === null) return;
  requestLoggers.set(request.log, request.raw);
  const adopt = (request.log as { [ADOPT_REQUEST_ID]?: unknown })[ADOPT_REQUEST_ID];
  if (typeof adopt === 'function') adopt.call(request.log, request.id, requestId);
}

/**
 * For request logging other than the plugin's (RxlogModule's on FastifyAdapter): notes that it
 * writes the requests of the Fastify app whose Node server is `server`, so a fastifyLogger leaves
 * out Fastify's `incoming request` line (written before any hook runs) as it does for the plugin's.
 */
export function noteRequestLogging(server: unknown): void {
  if (typeof server === 'object' && server !== null) loggedServers.add(server);
}

/**
 * For request logging other than the plugin's: `tracker` writes the events of `request`, which a
 * fastifyLogger then treats as the plugin's (`request completed` left out, `request errored` handed
 * to `tracker.fail`, Fastify's id bound to `request.log` written as `RequestId`).
 */
export function followFastifyRequest(request: FastifyLikeRequest, tracker: RequestTracker): void {
  moduleTrackers.set(request.raw, tracker);
  markRequestLog(request, tracker.requestId);
}

/** The request whose `request.log` is `logger`, when a `fastifyRequestLogging` plugin follows it. */
export function requestOfLogger(logger: object): IncomingMessage | undefined {
  return requestLoggers.get(logger);
}

/** The tracker of a request a `fastifyRequestLogging` plugin (or RxlogModule) follows. */
export function followedRequest(req: unknown): RequestTracker | undefined {
  if (typeof req !== 'object' || req === null) return undefined;
  const marked = moduleTrackers.get(req as IncomingMessage);
  if (marked !== undefined) return marked;
  return followed.get(req as IncomingMessage)?.[0];
}

// Whether the handler errors are followed (see followHandlerErrors): once for the process.
let subscribed = false;

/**
 * Follows the errors a handler (or a preHandler hook) throws or rejects with, which Fastify
 * publishes on its `tracing:fastify.request.handler:error` diagnostics channel. Those of a reply
 * already sent (`reply.send(x)` then a throw, an audit write awaited after it) reach no onError
 * hook (Fastify's own logger writes `Promise errored, but reply.sent = true was set`, or, for a
 * synchronous throw, only `Reply was already sent`); those of an unsent reply reach the plugin's
 * onError hook only when no onError hook added before it threw: Fastify skips the hooks after one
 * that fails, and drops its error. They go on the request's completion event, or an event of
 * their own once that was written; the onError hook records the same error again, once.
 */
function followHandlerErrors(): void {
  if (!subscribed)
    subscribe('tracing:fastify.request.handler:error', (message) => {
      try {
        const { request, error } = message as { request?: FastifyLikeRequest; error?: unknown };
        if (request === undefined) return;
        for (const tracker of followed.get(request.raw) ?? []) tracker.fail(error);
      } catch (cause) {
        SelfLog.write('fastifyRequestLogging: a handler error could not be followed', cause);
      }
    });
  subscribed = true;
}

// Fastify 5's mark of a reply sent an error (kReplyIsError in its lib/symbols.js), found on the first reply.
let errorMark: symbol | undefined;

/**
 * Records the error a reply not sent yet is given (`reply.send(error)`), on its way to the app's
 * onError hooks and error handler: Fastify sends the error of a hook (`onRequest`, `preParsing`,
 * `preValidation`, `preHandler`), of a validation and of a handler that way. The plugin's onError
 * hook sees them too, but not when an onError hook added before it throws (Fastify then skips the
 * later ones), and only the handler's are on Fastify's diagnostics channel. A value that is no
 * Error (`throw 'denied'`, `done({ statusCode: 418 })`) is told from a payload by the mark Fastify
 * sets on the reply before it sends a thrown value. The reply's `send` is Fastify's own, called
 * with the same arguments; the first error recorded is the one kept.
 */
function failOnErrorSent(reply: FastifyLikeReply, tracker: RequestTracker): void {
  const send = (reply as { send?: unknown }).send;
  if (typeof send !== 'function') return;
  Object.defineProperty(reply, 'send', {
    configurable: true,
    writable: true,
    value(this: unknown, ...args: unknown[]): unknown {
      try {
        errorMark ??= Object.getOwnPropertySymbols(reply).find((symbol) => symbol.description === 'fastify.reply.isError');
        const thrown =
          isError(args[0]) || (errorMark !== undefined && (reply as object as Record<symbol, unknown>)[errorMark] === true);
        if (thrown && reply.sent !== true) tracker.fail(args[0]);
      } catch (error) {
        SelfLog.write('fastifyRequestLogging: an error sent with a reply could not be followed', error);
      }
      return Reflect.apply(send, this, args);
    },
  });
}

/**
 * A Fastify hook given a payload to pass on (`preParsing`, `onSend`): `act` on the request's
 * tracker and that payload, when the request is followed, then the payload goes on unchanged.
 */
function payloadHook(
  trackers: WeakMap<IncomingMessage, RequestTracker>,
  act: (tracker: RequestTracker, payload: unknown) => void,
): (
  request: FastifyLikeRequest,
  reply: FastifyLikeReply,
  payload: unknown,
  next: (error: null, payload: unknown) => void,
) => void {
  return (request, _reply, payload, next) => {
    const tracker = trackers.get(request.raw);
    if (tracker !== undefined) act(tracker, payload);
    next(null, payload);
  };
}

/**
 * Records the error a Node stream body emits on the request's completion event. Only a stream that
 * errors: one Fastify destroys because the client left emits no 'error', and stays aborted.
 */
function failOnStreamError(tracker: RequestTracker, payload: unknown): void {
  try {
    const stream = payload as { pipe?: unknown; once?: unknown } | null;
    if (typeof stream?.pipe !== 'function' || typeof stream.once !== 'function') return;
    (stream.once as (event: string, listener: (error: unknown) => void) => unknown).call(stream, 'error', (error) =>
      tracker.fail(error),
    );
  } catch (error) {
    SelfLog.write('fastifyRequestLogging: a streamed body could not be followed', error);
  }
}

/** Makes `emitter` (an EventEmitter) emit every later event inside `tracker`'s context, once per emitter. */
function runEventsIn(tracker: RequestTracker, emitter: unknown): void {
  const emit = (emitter as { emit?: unknown } | null)?.emit;
  if (typeof emit !== 'function' || Object.hasOwn(emitter as object, 'emit')) return;
  Object.defineProperty(emitter, 'emit', {
    configurable: true,
    writable: true,
    value(this: unknown, ...args: unknown[]): unknown {
      return tracker.run((): unknown => Reflect.apply(emit, this, args));
    },
  });
}
