import { randomUUID } from 'node:crypto';
import { checkOptionKeys } from '../../core/check-option-keys';
import { LogContext } from '../../context/log-context';
import { expectOption } from '../../core/expect-option';
import { hasMethods } from '../../core/has-methods';
import type { LogLevelName } from '../../core/log-level';
import { SelfLog } from '../../core/self-log';
import { exceptionFrom } from '../../templates/exception-from';
import type { Logger } from '../../pipeline/logger';
import { captureValue } from '../../templates/capture';
import { setOwnProperty } from '../../templates/own-property';
import { writeJson } from '../../templates/safe-json';
import { textTemplate } from '../../templates/text-template';
import { isError } from '../is-error';
import { ADOPT_REQUEST_ID, followedRequest, hasRequestLogging, requestOfLogger } from './fastify-request-logging';
import { isSafeRequestId } from './request-id';
import { requestPath } from './request-tracker';
import { semicolonDelimited } from './semicolon-delimited';

/** A pino log method, as Fastify calls it: `(message, ...values)`, `(object, message?, ...values)` or `(error, message?)`. */
export interface FastifyLogFn {
  (message: string, ...values: unknown[]): void;
  (object: unknown, message?: string, ...values: unknown[]): void;
}

/** A value's serializer, as pino's: given the value under its key, returns what is logged instead. */
export type FastifyLogSerializer = (value: unknown) => unknown;

/**
 * What Fastify passes to `child()` (a route's `logLevel` and `logSerializers`), and the pino child
 * options a plugin may pass. pino's others are ignored, but for `redact` and `formatters.level`,
 * which throw a ConfigurationError: the one would hide nothing, the other shapes nothing.
 */
export interface FastifyChildLoggerOptions {
  /** The child's level, a pino name (`'trace'` … `'fatal'`, `'silent'`, a custom level's). Default: the parent's. */
  level?: string;
  /** More levels for the child and its children, as {@link FastifyLoggerOptions.customLevels}. Default none. */
  customLevels?: Record<string, number>;
  /**
   * pino's `log` formatter (given each call's object, returns the object logged: kept by the
   * child's children) and `bindings` formatter (given the child's bindings, returns those bound).
   * Default none.
   */
  formatters?: {
    /** Given each call's object (`{}` without one, `{ err }` for an Error first), returns the object logged. */
    log?: (object: object) => object;
    /** Given the child's bindings, returns those bound. */
    bindings?: (bindings: object) => object;
  };
  /** Serializers by property name, added to the parent's. */
  serializers?: Record<string, FastifyLogSerializer>;
  /** Text put before every message the child is given, after the parent's prefix, as pino's. Default none. */
  msgPrefix?: string;
}

/** Options of {@link fastifyLogger}. */
export interface FastifyLoggerOptions<CustomLevels extends string = never> {
  /**
   * The binding in which Fastify gives `request.log` the request's id: the `requestIdLogLabel` given
   * to Fastify (or to its `logController`). It is written as `RequestId`, the name every request
   * event of rxlog carries the id under. Default `'reqId'`, Fastify's.
   */
  requestIdLogLabel?: string;
  /**
   * pino's `customLevels`: more levels, by name and pino value (`{ audit: 35 }`), each a method of
   * the logger and its children (`request.log.audit('…')`) and a name for `level` and a route's
   * `logLevel`. A call writes an event at the rxlog level of the pino value at or below its value
   * (35: `information`, as `info` is 30), with the level's name as `PinoLevel`. Default none.
   */
  customLevels?: Record<CustomLevels, number>;
}

/** The pino-shaped logger Fastify takes as its `loggerInstance`, writing into an rxlog `Logger`. */
export interface FastifyLogger {
  /**
   * The lowest pino level written: `'trace'`, `'debug'`, `'info'`, `'warn'`, `'error'`, `'fatal'`
   * or `'silent'`. Until one is set, the lowest the rxlog logger accepts now (it follows its
   * `LevelSwitch`); one set is a further threshold, never a way past the logger's minimum level.
   */
  level: string;
  fatal: FastifyLogFn;
  error: FastifyLogFn;
  warn: FastifyLogFn;
  info: FastifyLogFn;
  debug: FastifyLogFn;
  trace: FastifyLogFn;
  /** Writes nothing, as pino's. */
  silent: FastifyLogFn;
  /** A logger whose events carry `bindings` as properties (Fastify's `{ reqId }` as `RequestId`). */
  child(bindings: Record<string, unknown>, options?: FastifyChildLoggerOptions): FastifyLogger;
}

const VALUES: Readonly<Record<string, number>> = Object.freeze({
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: Infinity,
});
const LABELS: Readonly<Record<number, string>> = Object.freeze({
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
});
// The rxlog level of a pino value, by tens: trace (10) and below to verbose, info (30) to 39 to information …
const RXLOG_LEVELS: readonly LogLevelName[] = ['verbose', 'verbose', 'debug', 'information', 'warning', 'error', 'fatal'];

function rxlogLevelOf(value: number): LogLevelName {
  return RXLOG_LEVELS[Math.min(6, Math.max(0, Math.floor(value / 10)))];
}

interface Levels {
  readonly values: Readonly<Record<string, number>>;
  readonly labels: Readonly<Record<number, string>>;
}

// Fastify's own lines (lib/log-controller.js, lib/wrap-thenable.js) that a fastifyRequestLogging
// plugin's events say already.
const INCOMING_REQUEST = 'incoming request';
const REQUEST_COMPLETED = 'request completed';
const REQUEST_ERRORED = 'request errored';
const PROMISE_ERRORED = 'Promise errored, but reply.sent = true was set';
// A streamed reply cut once its headers went out (lib/log-controller.js streamError): by the client
// that left, or by the server (its stream destroyed), with the stream's error.
const STREAM_CLOSED = 'stream closed prematurely';
const STREAM_FAILED = 'response terminated with an error with headers already sent';

/**
 * A request as it is logged: its method and path, without the query string (its values often hold
 * tokens; Fastify's own `req` serializer logs the URL whole) and without the client's address. In
 * an app with `useSemicolonDelimiter` (read from a Fastify request's `server`), what follows a `;`
 * is the query string too, as the plugin's `RequestPath` leaves it out.
 */
function serializeRequest(request: unknown): unknown {
  if (typeof request !== 'object' || request === null) return request;
  const { method, url, server } = request as { method?: unknown; url?: unknown; server?: unknown };
  const path = requestPath(typeof url === 'string' ? url : undefined, semicolonDelimited(server, 'fastifyLogger'));
  return { method, path };
}

/**
 * The object of a call as pino takes it: a request given as the object itself (`request.log.info(request.raw)`,
 * or Fastify's `request`; pino's test: it has `method`, `headers` and `socket`) is logged under `req`, and a
 * response (it has `setHeader`) under `res`, so their serializers write them (`{ method, path }`,
 * `{ statusCode }`), never their fields (the headers with `authorization` and `cookie`, the URL with its
 * query string, the socket).
 */
function asLogged(object: Record<string, unknown>): Record<string, unknown> {
  if (object.method && object.headers && object.socket) return { req: object };
  return typeof object.setHeader === 'function' ? { res: object } : object;
}

/** A reply as it is logged: its status, as Fastify's `res` serializer. */
function serializeReply(reply: unknown): unknown {
  if (typeof reply !== 'object' || reply === null) return reply;
  return { statusCode: (reply as { statusCode?: unknown }).statusCode };
}

const SERIALIZERS: Readonly<Record<string, FastifyLogSerializer>> = Object.freeze({ req: serializeRequest, res: serializeReply });

function thresholdOf(levels: Levels, level: unknown, where: string): number {
  const value = typeof level === 'string' && Object.hasOwn(levels.values, level) ? levels.values[level] : undefined;
  expectOption(value !== undefined, where, `a pino level name (${Object.keys(levels.values).join(', ')})`, level);
  return value;
}

/** `levels` with pino's `customLevels` added: a name or a value a level has already, or a method's name, throws, as in pino. */
function withCustomLevels(levels: Levels, custom: unknown, where: string): Levels {
  if (custom === undefined) return levels;
  expectOption(typeof custom === 'object' && custom !== null, where, 'level names with their pino values', custom);
  const values: Record<string, number> = { ...levels.values };
  const labels: Record<number, string> = { ...levels.labels };
  for (const [name, value] of Object.entries(custom)) {
    expectOption(
      typeof value === 'number' &&
        !Number.isNaN(value) &&
        !Object.hasOwn(labels, value) &&
        !(name in values) &&
        !(name in RxlogFastifyLogger.prototype) &&
        name !== 'levels',
      `${where} ${name}`,
      'a pino value no level has, for a name that is no level or method already',
      value,
    );
    values[name] = value;
    labels[value] = name;
  }
  return Object.freeze({ values: Object.freeze(values), labels: Object.freeze(labels) });
}

/** The id Fastify bound, as `RequestId`: text within rxlog's bounds for ids, else (a raw `requestIdHeader`) a generated UUID. */
function boundedId(id: unknown): string {
  const text = typeof id === 'number' && Number.isFinite(id) ? String(id) : id;
  return typeof text === 'string' && isSafeRequestId(text) ? text : randomUUID();
}

/** A value as JSON, as pino's safe stringify writes it: a circular reference as `"[Circular]"`, never a throw. */
function jsonOf(value: unknown): string {
  return writeJson(captureValue(value));
}

/** A message that is not a string (a number, an object as pino's second argument) as text: an object as its JSON, as pino writes it. */
function textOf(message: unknown): string {
  return typeof message === 'object' && message !== null ? jsonOf(message) : String(message);
}

/**
 * pino's printf-style interpolation (quick-format-unescaped: `%s`, `%d`, `%i`, `%f`, `%j`, `%o`,
 * `%O`, `%%`); values past the placeholders are left out, and a number placeholder given null or
 * undefined (a JSON one given undefined) stays as it is, as there.
 */
function interpolate(message: string, values: readonly unknown[]): string {
  if (values.length === 0) return message;
  let next = 0;
  return message.replace(/%[sdifjoO%]/g, (token) => {
    if (token === '%%') return '%';
    if (next >= values.length) return token;
    const value = values[next++];
    switch (token[1]) {
      case 's':
        return String(value);
      case 'd':
      case 'f':
      case 'i':
        if (value === null || value === undefined) return token;
        return String(token[1] === 'i' ? Math.floor(Number(value)) : Number(value));
      default:
        if (value === undefined) return token;
        if (typeof value === 'string') return `'${value}'`;
        if (typeof value === 'function') return value.name || '<anonymous>';
        return jsonOf(value);
    }
  });
}

/** The Fastify request a logged object names, as `req`, or as the `request` of its `res` (a reply). */
function requestOf(object: Record<string, unknown>): { server?: { server?: unknown }; raw?: unknown } | undefined {
  const request = object.req ?? (object.res as { request?: unknown } | null | undefined)?.request;
  return typeof request === 'object' && request !== null ? request : undefined;
}

const LEVELS: Levels = Object.freeze({ values: VALUES, labels: LABELS });

type Formatter = (object: object) => object;

/** What a logger passes on to its children. */
interface Inherited {
  readonly serializers: Readonly<Record<string, FastifyLogSerializer>>;
  readonly prefix: string | undefined;
  readonly levels: Levels;
  readonly formatLog: Formatter | undefined;
  // The binding carrying Fastify's request id, written as RequestId.
  readonly label: string;
}

// levels, serializers and pino's isLevelEnabled, bindings and flush (for code that calls request.log
// as a pino logger) are left out of the FastifyLogger type, so that an app made with it is still a
// FastifyInstance of Fastify's own FastifyBaseLogger to functions typed with it.
class RxlogFastifyLogger implements FastifyLogger {
  /** pino's level names and values, by which Fastify checks a route's `logLevel` when it is added. */
  readonly levels: Levels;
  readonly #parent: Logger;
  readonly #up: RxlogFastifyLogger | undefined;
  // The bindings of this logger as properties, and the parent's logger with them.
  #bound: Record<string, unknown> | undefined;
  #log: Logger;
  // A level set on this logger (pino's value), or undefined to follow the rxlog logger's.
  #threshold: number | undefined;
  readonly #inherited: Inherited;
  // The request id Fastify bound under the label, as given, and as written (within rxlog's bounds)
  // until a request logging adopts the request's own (then undefined).
  readonly #fastifyId: unknown;
  #requestId: string | undefined;
  // This logger's rxlog logger with that id as RequestId, and with it under its label.
  #withRequestId: Logger | undefined;
  #withLabel: Logger | undefined;

  constructor(
    parent: Logger,
    up: RxlogFastifyLogger | undefined,
    bound: Record<string, unknown> | undefined,
    threshold: number | undefined,
    inherited: Inherited,
    fastifyId?: unknown,
  ) {
    this.#parent = parent;
    this.#up = up;
    this.#bound = bound;
    this.#log = bound === undefined ? parent : parent.child(bound);
    this.#threshold = threshold;
    this.#inherited = inherited;
    this.#fastifyId = fastifyId;
    this.#requestId = fastifyId === undefined ? undefined : boundedId(fastifyId);
    this.levels = inherited.levels;
    if (inherited.levels !== LEVELS)
      for (const name of Object.keys(inherited.levels.values))
        if (!Object.hasOwn(VALUES, name))
          Object.defineProperty(this, name, { value: (...args: unknown[]): void => this.#write(name, args) });
  }

  /**
   * Writes the binding Fastify gave a request's logger with its id (`reqId`, or the app's
   * `requestIdLogLabel`) as `RequestId`, the name the request's other events carry it under, with
   * their id: called by fastifyRequestLogging (whose id is Fastify's) and by RxlogModule (its own).
   */
  [ADOPT_REQUEST_ID](fastifyId: unknown, requestId: string): void {
    const bound = this.#bound ?? {};
    const own = this.#fastifyId !== undefined && this.#fastifyId === fastifyId;
    // Without the option, an app's own requestIdLogLabel is found by its value.
    const label = own ? undefined : Object.keys(bound).find((key) => bound[key] === fastifyId);
    if (!own && label === undefined) return;
    this.#requestId = undefined;
    const properties: Record<string, unknown> = { RequestId: requestId };
    for (const key of Object.keys(bound)) if (key !== label) setOwnProperty(properties, key, bound[key]);
    this.#bound = properties;
    this.#log = this.#parent.child(properties);
  }

  /** Serializers Fastify merges with its own (`req`, `res`: ours win) and hands back to `child()`. */
  get serializers(): Readonly<Record<string, FastifyLogSerializer>> {
    return this.#inherited.serializers;
  }

  get level(): string {
    const threshold = this.#threshold ?? 0;
    let level = 'silent';
    let lowest = Infinity;
    for (const [name, value] of Object.entries(this.levels.values))
      if (value >= threshold && value < lowest && this.#log.isEnabled(rxlogLevelOf(value))) {
        level = name;
        lowest = value;
      }
    return level;
  }

  set level(level: string) {
    this.#threshold = thresholdOf(this.levels, level, 'fastifyLogger level');
  }

  fatal(...args: unknown[]): void {
    this.#write('fatal', args);
  }

  error(...args: unknown[]): void {
    this.#write('error', args);
  }

  warn(...args: unknown[]): void {
    this.#write('warn', args);
  }

  info(...args: unknown[]): void {
    this.#write('info', args);
  }

  debug(...args: unknown[]): void {
    this.#write('debug', args);
  }

  trace(...args: unknown[]): void {
    this.#write('trace', args);
  }

  silent(): void {
    // pino's silent level writes nothing.
  }

  /** Whether a call at `level` (a pino level name) is written; `false` for `'silent'` and unknown names. */
  isLevelEnabled(level: string): boolean {
    const value = Object.hasOwn(this.levels.values, level) ? this.levels.values[level] : Infinity;
    return (
      value !== Infinity &&
      (this.#threshold === undefined || value >= this.#threshold) &&
      this.#log.isEnabled(rxlogLevelOf(value))
    );
  }

  /** The bindings of this logger and its parents, as its events carry them (serialized). */
  bindings(): Record<string, unknown> {
    return { ...this.#up?.bindings(), ...(this.#requestId === undefined ? {} : { RequestId: this.#requestId }), ...this.#bound };
  }

  /** Flushes the rxlog logger, then calls `callback`. */
  flush(callback?: (error?: Error) => void): void {
    this.#log
      .flush()
      .then(
        () => callback?.(),
        (error: unknown) => callback?.(error instanceof Error ? error : new Error(String(error))),
      )
      .catch((error: unknown) => SelfLog.write('fastifyLogger: the callback of flush threw', error));
  }

  child(bindings: Record<string, unknown>, options: FastifyChildLoggerOptions = {}): FastifyLogger {
    const inherited = this.#inherited;
    const serializers =
      options.serializers === undefined ? inherited.serializers : { ...inherited.serializers, ...options.serializers };
    const levels = withCustomLevels(this.levels, options.customLevels, 'fastifyLogger child customLevels');
    const threshold =
      options.level === undefined ? this.#threshold : thresholdOf(levels, options.level, 'fastifyLogger child level');
    // pino's redact paths would be ignored here, and the secrets they name written: refused instead.
    const { redact } = options as { redact?: unknown };
    expectOption(
      redact === undefined,
      'fastifyLogger child redact',
      "no redact paths (redact with the rxlog configuration's .destructure.redact)",
      redact,
    );
    const {
      log: formatLog,
      bindings: formatBindings,
      level: formatLevel,
    } = (options.formatters ?? {}) as Record<string, unknown>;
    // An event's level is rxlog's, not a field: how it is written is the sink formatter's business.
    expectOption(
      formatLevel === undefined,
      'fastifyLogger child formatters.level',
      "none (the level's shape is the sink formatter's)",
      formatLevel,
    );
    expectOption(
      formatLog === undefined || typeof formatLog === 'function',
      'fastifyLogger child formatters.log',
      'a function',
      formatLog,
    );
    expectOption(
      formatBindings === undefined || typeof formatBindings === 'function',
      'fastifyLogger child formatters.bindings',
      'a function',
      formatBindings,
    );
    const prefix = typeof options.msgPrefix === 'string' ? (inherited.prefix ?? '') + options.msgPrefix : inherited.prefix;
    let properties: Record<string, unknown> | undefined;
    let fastifyId: unknown;
    try {
      properties = this.#properties(
        formatBindings === undefined ? bindings : ((formatBindings as Formatter)(bindings) as Record<string, unknown>),
        serializers,
        undefined,
        false,
      );
      if (properties !== undefined && Object.hasOwn(properties, inherited.label)) {
        const { [inherited.label]: id, ...others } = properties;
        fastifyId = id;
        properties = Object.keys(others).length === 0 ? undefined : others;
      }
    } catch (error) {
      SelfLog.write('fastifyLogger: the bindings of a child logger could not be read; bound nothing', error);
    }
    return new RxlogFastifyLogger(
      this.#log,
      this,
      properties,
      threshold,
      {
        serializers,
        prefix,
        levels,
        formatLog: (formatLog as Formatter | undefined) ?? inherited.formatLog,
        label: inherited.label,
      },
      fastifyId,
    );
  }

  #write(name: string, args: unknown[]): void {
    const value = this.levels.values[name];
    const level = rxlogLevelOf(value);
    // Returns before reading the call when the level is off; a call to a closed logger still goes
    // through write(), which counts it in rejectedAfterClose.
    if (this.#threshold !== undefined && value < this.#threshold) return;
    if (!this.#log.isEnabled(level)) {
      this.#log.write(level, '');
      return;
    }
    try {
      const [first, ...values] = args;
      let object: Record<string, unknown> | undefined;
      let message: unknown;
      let error: unknown;
      let hasError = false;
      if (isError(first)) {
        error = first;
        hasError = true;
        message = values.length > 0 ? this.#prefixed(values.shift()) : first.message;
      } else if (typeof first === 'object' && first !== null) {
        object = asLogged(first as Record<string, unknown>);
        message = this.#prefixed(values.shift());
        if (object.err !== undefined && object.err !== null) {
          error = object.err;
          hasError = true;
        }
        if (message === undefined)
          message =
            typeof object.msg === 'string' ? object.msg : hasError ? (error as { message?: unknown } | null)?.message : undefined;
      } else message = this.#prefixed(first === undefined ? values.shift() : first);
      const text = message === undefined || message === null ? '' : interpolate(textOf(message), values);
      if (this.#saidByCompletion(object, text, error, hasError)) return;
      const { formatLog, serializers } = this.#inherited;
      // pino gives its log formatter every call's object: `{}` without one, `{ err }` for an Error first.
      if (formatLog !== undefined) object = formatLog(object ?? (hasError ? { err: error } : {})) as Record<string, unknown>;
      let properties = object === undefined ? undefined : this.#properties(object, serializers, message, hasError);
      // A custom level's name, which its rxlog level does not keep (pino's are one to one); a field of the call's wins.
      if (!Object.hasOwn(VALUES, name)) properties = { PinoLevel: name, ...properties };
      const base = this.#requestLog();
      const log = properties === undefined ? base : base.child(properties);
      if (hasError) log.write(level, exceptionFrom(error), textTemplate(text));
      else log.write(level, textTemplate(text));
    } catch (cause) {
      // A serializer, a getter or a value's toString that throws: the call is still written, at its level.
      SelfLog.write('fastifyLogger: a Fastify log call could not be read; written with its message text or a marker', cause);
      const message = args.find((arg) => typeof arg === 'string');
      this.#log.write(level, textTemplate(typeof message === 'string' ? message : '[Unreadable Fastify log call]'));
    }
  }

  /**
   * The rxlog logger with the request id Fastify bound to this logger or a parent, not adopted by a
   * request logging: as `RequestId`, unless the request's context carries another (set by code that
   * does not adopt Fastify's, RxlogModule without its request logging), which stays, with Fastify's
   * under its label beside it.
   */
  #requestLog(): Logger {
    const id = this.#boundRequestId();
    if (id === undefined) return this.#log;
    const current = LogContext.current()?.RequestId;
    // Made once per logger (Fastify writes several lines with each request's), not once per call.
    if (current === undefined || current === id) return (this.#withRequestId ??= this.#log.child({ RequestId: id }));
    return (this.#withLabel ??= this.#log.child({ [this.#inherited.label]: id }));
  }

  /** The request id Fastify bound to this logger, or to the nearest parent it bound one to. */
  #boundRequestId(): string | undefined {
    if (this.#fastifyId !== undefined) return this.#requestId;
    return this.#up === undefined ? undefined : this.#up.#boundRequestId();
  }

  /** A message given to the call with the `msgPrefix` of this logger and its parents before it, as pino's. */
  #prefixed(message: unknown): unknown {
    const { prefix } = this.#inherited;
    return prefix === undefined || message === undefined || message === null ? message : prefix + textOf(message);
  }

  /**
   * Whether the completion event of a `fastifyRequestLogging` plugin (or of RxlogModule) already
   * says what this line of Fastify's says: `incoming request`, `request completed` and `stream
   * closed prematurely` (a streamed reply cut, which the event says aborted or failed) of a request
   * it follows, Fastify's error handler's report of the error the completion event carries (its
   * message is the error's, none for a thrown value without one), `response terminated with an
   * error …` of a streamed reply's error it carries, and `Promise errored …` of a late handler
   * error the plugin wrote. `request errored` (an `onResponse` hook's error) is
   * handed to the request's events: to the completion event, or to an event of its own after it.
   * The request is the logged `req` or `res`, or the one whose `request.log` this is. What the app
   * logs itself is always written.
   */
  #saidByCompletion(object: Record<string, unknown> | undefined, text: string, error: unknown, hasError: boolean): boolean {
    const request = object === undefined ? undefined : requestOf(object);
    if (request !== undefined && text === INCOMING_REQUEST) return hasRequestLogging(request.server?.server);
    if (request !== undefined && (text === REQUEST_COMPLETED || text === STREAM_CLOSED))
      return followedRequest(request.raw) !== undefined;
    if (!hasError) return false;
    const errored = request !== undefined && text === REQUEST_ERRORED;
    // Fastify's message is the error's `message`: none (so no text) for a thrown value that has none, `throw 'denied'`.
    const said: unknown = (error as { message?: unknown } | null)?.message;
    const reported =
      text === PROMISE_ERRORED ||
      text === STREAM_FAILED ||
      (request !== undefined && text === (said === undefined || said === null ? '' : textOf(said)));
    if (!errored && !reported) return false;
    const tracker = followedRequest(requestOfLogger(this) ?? request?.raw);
    if (tracker === undefined) return false;
    return errored ? tracker.fail(error) : tracker.carries(error);
  }

  /** An object's own fields as properties, serialized; `err` left out when it is the exception, and `msg` when it was the message. */
  #properties(
    object: Record<string, unknown>,
    serializers: Readonly<Record<string, FastifyLogSerializer>>,
    message: unknown,
    errIsException: boolean,
  ): Record<string, unknown> | undefined {
    // A JavaScript caller's bindings that are no object bind nothing.
    if (typeof (object as unknown) !== 'object' || (object as unknown) === null) return undefined;
    let properties: Record<string, unknown> | undefined;
    for (const key of Object.keys(object)) {
      if ((key === 'err' && errIsException) || (key === 'msg' && object.msg === message)) continue;
      const serializer = Object.hasOwn(serializers, key) ? serializers[key] : undefined;
      const value = serializer === undefined ? object[key] : serializer(object[key]);
      properties ??= {};
      setOwnProperty(properties, key, value);
    }
    return properties;
  }
}

/**
 * Fastify's logger on an rxlog `Logger`, for Fastify 5's `loggerInstance` option: everything
 * Fastify logs becomes an rxlog event, its own lines included (`incoming request`, `request
 * completed`, `request errored` for an `onResponse` hook that failed, a route not found, `Promise
 * errored, but reply.sent = true was set`), and so does what the app logs with `request.log`.
 * pino's levels map to rxlog's (`trace` to `verbose`, `info` to `information`, `warn` to
 * `warning`, a custom level's by its value, its name as `PinoLevel`); a child's bindings and the fields of the logged object
 * are properties, under their own names, but for the request id Fastify binds (`reqId`, or
 * `requestIdLogLabel`'s), written as `RequestId` (within rxlog's bounds for ids); `err`, or an
 * Error given first, is the event's exception; the message is text (with pino's `%s` `%d` `%j`
 * interpolation, after a child's `msgPrefix`), never a template. `req` is logged as
 * `{ method, path }` (no query string, no client address) and `res` as `{ statusCode }`, a request
 * or a response given as the call's object too (`request.log.info(request.raw)`), as pino maps it.
 *
 * With a `fastifyRequestLogging` plugin registered on the same app, or `RxlogModule` (rxlog/nest)
 * on a NestJS FastifyAdapter given this logger, Fastify's `incoming request` and `request completed`
 * lines are left out for their requests: the completion event says the same.
 *
 * @throws ConfigurationError when `log` is not a logger, or naming a bad option.
 * @example
 * ```ts compile-only
 * import Fastify from 'fastify';
 * import { LoggerConfiguration } from 'rxlog';
 * import { fastifyLogger, fastifyRequestLogging } from 'rxlog/node';
 *
 * const log = new LoggerConfiguration().enrich.fromLogContext().writeTo.console().createLogger();
 * const app = Fastify({ loggerInstance: fastifyLogger(log) });
 * await app.register(fastifyRequestLogging(log));
 * ```
 */
export function fastifyLogger<CustomLevels extends string = never>(
  log: Logger,
  options: FastifyLoggerOptions<CustomLevels> = {},
): FastifyLogger & Record<CustomLevels, FastifyLogFn> {
  expectOption(hasMethods(log, ['child', 'write', 'isEnabled']), 'fastifyLogger log', 'a logger', log);
  const { useOnlyCustomLevels } = options as { useOnlyCustomLevels?: unknown };
  // Fastify writes its own lines with info, error, warn …: a logger without pino's levels breaks it.
  expectOption(
    !useOnlyCustomLevels,
    'fastifyLogger useOnlyCustomLevels',
    "false (Fastify logs at pino's own levels)",
    useOnlyCustomLevels,
  );
  checkOptionKeys('fastifyLogger', { ...options, useOnlyCustomLevels: undefined }, ['requestIdLogLabel', 'customLevels']);
  const label = options.requestIdLogLabel ?? 'reqId';
  expectOption(typeof label === 'string' && label !== '', 'fastifyLogger requestIdLogLabel', 'a binding name', label);
  const levels = withCustomLevels(LEVELS, options.customLevels, 'fastifyLogger customLevels');
  return new RxlogFastifyLogger(log, undefined, undefined, undefined, {
    serializers: SERIALIZERS,
    prefix: undefined,
    levels,
    formatLog: undefined,
    label,
  }) as FastifyLogger & Record<CustomLevels, FastifyLogFn>;
}
