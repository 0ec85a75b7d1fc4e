import type { LoggerService, LogLevel as NestLogLevel } from '@nestjs/common';
import { ConfigurationError } from '../core/errors/configuration-error';
import type { LogLevelName } from '../core/log-level';
import { read, thrownMessage } from '../core/read-property';
import { SelfLog } from '../core/self-log';
import type { Logger } from '../pipeline/logger';
import { captureValue } from '../templates/capture';
import { writeJson } from '../templates/safe-json';
import { stackOf, wasLoggedRequestError } from './logged-request-errors';
import { isError } from '../node/is-error';
import { textTemplate } from '../templates/text-template';
import { isPlainObject, isStackFormat, type NestLogCall, readNestLogCall } from './nest-log-call';
import { keepForCompletion, keepResponseError } from './rxlog-request-context';
import { closedFallback, isClosedLogger } from './closed-loggers';
import { rpcErrorPattern } from './rpc-errors';

/** Most `SourceContext` child loggers kept for reuse; past it, a child is made per call. */
const MAX_CACHED_CONTEXTS = 256;
/**
 * Longest context kept for reuse: Nest's contexts are class names, but `logger.log('Payload', body)`
 * takes the body for the context, and 256 of them must not stay alive for the app's lifetime.
 */
const MAX_CACHED_CONTEXT_LENGTH = 256;

const NEST_LEVELS: Readonly<Record<NestLogLevel, LogLevelName>> = {
  verbose: 'verbose',
  debug: 'debug',
  log: 'information',
  warn: 'warning',
  error: 'error',
  fatal: 'fatal',
};

/** Nest's name of each rxlog level. */
const NEST_NAMES: Readonly<Record<LogLevelName, NestLogLevel>> = {
  verbose: 'verbose',
  debug: 'debug',
  information: 'log',
  warning: 'warn',
  error: 'error',
  fatal: 'fatal',
};

/** rxlog's levels from the lowest to the highest, as Nest ranks its own. */
const RANKED_LEVELS: readonly LogLevelName[] = ['verbose', 'debug', 'information', 'warning', 'error', 'fatal'];

/** Most nested lazy messages (functions returning functions) resolved before giving up. */
const MAX_LAZY_DEPTH = 8;

/** The context Nest's exception filter logs unhandled errors under. */
const EXCEPTIONS_HANDLER = 'ExceptionsHandler';
/** The context Nest's RPC exception filter logs a microservice handler's unhandled errors under. */
const RPC_EXCEPTIONS_HANDLER = 'RpcExceptionsHandler';
/** The context a `StreamableFile` logs the error of its stream under. */
const STREAMABLE_FILE = 'StreamableFile';
/** The context Nest logs the error of a server-sent event stream or a streamed body under, after its headers went out. */
const RESPONSE_CONTROLLER = 'RouterResponseController';

/**
 * Nest's `LoggerService` on an rxlog `Logger`: Nest's own messages and those of its `Logger`
 * class go into rxlog, each with its `context` as the `SourceContext` property (`'NestFactory'`,
 * `'RoutesResolver'`, `'OrdersService'`). `log` writes `information`, `warn` `warning`, and
 * `verbose`, `debug`, `error`, `fatal` their namesakes; a stack trace passed as text
 * (`error(message, stack, context)`) becomes the event's exception, and so does an Error passed
 * as the message, and else the first Error among the other arguments (`logger.error('Failed to
 * load', error)`). A message is text, never a template: braces in it are written as they are.
 * Plain objects among the extra arguments add their fields as properties (but `SourceContext`,
 * which stays the call's context, as in `ConsoleLogger`); other extras, and such a field, are kept
 * in a `Params` property (class instances with their fields). A function as the message is a
 * lazy one, as in Nest's `ConsoleLogger`: it is called only when its level is on (a class stands
 * for its name; one that throws is written as `[Throws: <message>]`, as is an Error whose `message`
 * getter throws; a call whose arguments cannot be read at all, a Proxy whose traps throw, is
 * written with its text message and context, else `[Unreadable: …]`). An error on its request's
 * completion event (a handler's, which the request interceptor saw, or one a guard threw before
 * it) is not written again when Nest's exception filter reports it: it goes on that event instead
 * of beside it, as does the error of a server-sent event stream (an Error, or any value it failed
 * with) or of a streamed body (a web `Response`, a `ReadableStream`) Nest logs after its headers
 * went out. Once the logger is closed (by the app's shutdown, or, in an app that imports
 * `RxlogModule`, by the app itself under `shutdown: false`), calls go to the logger the app was
 * created with, else Nest's own `ConsoleLogger` (at the levels `setLogLevels` set).
 *
 * @example
 * ```ts fragment
 * const app = await NestFactory.create(AppModule, { bufferLogs: true });
 * app.useLogger(app.get(RxlogLoggerService));
 * ```
 */
export class RxlogLoggerService implements LoggerService {
  private readonly contexts = new Map<string, Logger>();
  private enabled: ReadonlySet<LogLevelName> | undefined;
  /** The levels last given to `setLogLevels`, for Nest's console once the logger is closed. */
  private nestLevels: NestLogLevel[] | undefined;
  /** Nest's console, which takes the calls once the app's shutdown closed the logger. */
  private console: LoggerService | undefined;

  /**
   * @param logger the logger Nest's messages are written to.
   * @throws ConfigurationError when `logger` is already closed: it would reject every call.
   */
  constructor(private readonly logger: Logger) {
    if (isClosedLogger(logger))
      throw new ConfigurationError(
        'RxlogLoggerService: the logger is closed (its close() was called), and would reject everything Nest logs through this service; give it an open logger',
      );
  }

  /** Writes an `information` event. */
  log(message: unknown, ...optionalParams: unknown[]): void {
    if (this.isClosed('log', message, optionalParams)) return;
    this.write('information', message, optionalParams, false);
  }

  /** Writes an `error` event; a stack trace among the arguments becomes its exception. */
  error(message: unknown, ...optionalParams: unknown[]): void {
    if (this.isClosed('error', message, optionalParams)) return;
    this.write('error', message, optionalParams, true);
  }

  /** Writes a `warning` event. */
  warn(message: unknown, ...optionalParams: unknown[]): void {
    if (this.isClosed('warn', message, optionalParams)) return;
    this.write('warning', message, optionalParams, false);
  }

  /** Writes a `debug` event. */
  debug(message: unknown, ...optionalParams: unknown[]): void {
    if (this.isClosed('debug', message, optionalParams)) return;
    this.write('debug', message, optionalParams, false);
  }

  /** Writes a `verbose` event. */
  verbose(message: unknown, ...optionalParams: unknown[]): void {
    if (this.isClosed('verbose', message, optionalParams)) return;
    this.write('verbose', message, optionalParams, false);
  }

  /** Writes a `fatal` event; a stack trace among the arguments becomes its exception. */
  fatal(message: unknown, ...optionalParams: unknown[]): void {
    if (this.isClosed('fatal', message, optionalParams)) return;
    this.write('fatal', message, optionalParams, true);
  }

  /**
   * Writes only these Nest levels from now on, read as Nest's `ConsoleLogger` reads them: the
   * levels listed, and every level above the highest one listed (`['error', 'warn']` also writes
   * `fatal`); a list of none Nest knows (`['info']`, rxlog's name) writes every level, as there, and
   * so does no list at all (`undefined`, which gives `ConsoleLogger` its default levels; anything
   * else that is no array is told to SelfLog). A list that cannot be read (a getter or a Proxy that
   * throws) leaves the levels as they were, told to SelfLog: this never throws.
   * `app.useLogger(['error', 'warn'])` calls it once this service is the app's logger; the `logger`
   * levels given to `NestFactory.create` went to Nest's `ConsoleLogger` and do not reach it. The
   * logger's own minimum level still applies.
   */
  setLogLevels(levels: NestLogLevel[]): void {
    try {
      const enabled = enabledLevels(levels);
      this.enabled = enabled;
      this.nestLevels = RANKED_LEVELS.filter((level) => enabled === undefined || enabled.has(level)).map(
        (level) => NEST_NAMES[level],
      );
    } catch (error) {
      SelfLog.write('RxlogLoggerService.setLogLevels: the levels could not be read; the levels stay as they were', error);
      return;
    }
    try {
      this.console?.setLogLevels?.(this.nestLevels);
    } catch (error) {
      SelfLog.write(
        'RxlogLoggerService.setLogLevels: the console the calls go to once the logger is closed refused the levels',
        error,
      );
    }
  }

  /**
   * Once the logger is closed (by the app's shutdown, or by the app itself under `shutdown: false`),
   * hands the call to the logger the app was created with, else Nest's own `ConsoleLogger`, as the
   * shutdown report is written: Nest's static
   * `Logger` still points at this service, and what Nest and the app log then (a hook that runs
   * after the close, a `new Logger(...)` after `app.close()`, the next app's boot in an e2e spec)
   * would otherwise be rejected by the closed logger. Returns whether it did.
   */
  private isClosed(level: NestLogLevel, message: unknown, optionalParams: unknown[]): boolean {
    const fallback = closedFallback(this.logger);
    if (fallback === undefined) return false;
    try {
      if (this.console === undefined) {
        this.console = fallback();
        if (this.nestLevels !== undefined) this.console.setLogLevels?.(this.nestLevels);
      }
      this.console[level]?.(message, ...optionalParams);
    } catch (error) {
      SelfLog.write('RxlogLoggerService: a Nest log call after the logger closed could not be written', error);
    }
    return true;
  }

  private write(level: LogLevelName, given: unknown, optionalParams: unknown[], withStack: boolean): void {
    if (this.enabled !== undefined && !this.enabled.has(level)) return;
    try {
      // Read inside the try: telling a plain object from others asks for prototypes, which a Proxy's trap may refuse.
      const call = readNestLogCall(given, optionalParams, withStack);
      this.writeCall(level, call, true);
    } catch (error) {
      SelfLog.write('RxlogLoggerService: a Nest log call could not be written; written with its message text or a marker', error);
      this.writeUnreadable(level, given, optionalParams, error);
    }
  }

  /**
   * Writes one call, read; with `keep`, an error Nest reports for a request is first offered to its
   * completion event, which writes the call (without `keep`) if it does not carry the error after all.
   */
  private writeCall(level: LogLevelName, call: NestLogCall, keep: boolean): void {
    const context = this.loggerFor(call.context);
    // A level that is off reads nothing more of the call (no text copied for a template, no
    // getter called), but where Nest reports a request's error, which its completion event takes
    // whatever the level of this call.
    const levelChecked = !(keep && isRequestErrorContext(call.context));
    if (levelChecked && !context.isEnabled(level)) return refuse(context, level);
    const writeBeside = (): void => this.writeCall(level, call, false);
    if (keep && call.context === EXCEPTIONS_HANDLER && wasLoggedRequestError(call.message, call.stack)) return;
    // Nest's exception filter reports a thrown value that is not an Error (a string, a plain
    // object) as it is, alone: it goes on its request's completion event, as an Error does.
    if (
      keep &&
      call.context === EXCEPTIONS_HANDLER &&
      call.stack === undefined &&
      call.params.length === 0 &&
      !isError(call.message) &&
      keepForCompletion(call.message, { writeBeside, byExceptionFilter: true })
    )
      return;
    // So does a server-sent event stream's that failed with such a value (a string, `undefined`),
    // which Nest's response controller logs as it is once the stream's headers went out.
    if (
      keep &&
      level === 'error' &&
      call.context === RESPONSE_CONTROLLER &&
      call.stack === undefined &&
      call.params.length === 0 &&
      typeof call.message !== 'function' &&
      !isError(call.message) &&
      keepResponseError(call.message)
    )
      return;
    let { message } = call;
    if (typeof message === 'function') {
      // A lazy message is only worth calling when its event would be written.
      if (!levelChecked && !context.isEnabled(level)) return refuse(context, level);
      message = resolveLazyMessage(message);
    }
    let params = call.params;
    let exception = isError(message) ? message : call.stack === undefined ? undefined : errorFromStack(message, call.stack);
    // error(error, stack) with a stack that is not the Error's own (a cause's): ConsoleLogger prints
    // the Error, then that stack; the Error is the exception, and the stack is kept in Params.
    if (exception !== undefined && exception === message && call.stack !== undefined && call.stack !== stackOf(exception))
      params = [...params, call.stack];
    if (exception === undefined) {
      // logger.error('Failed to load', error): Nest prints the error's stack; its JSON mode makes it the record's error.
      const index = params.findIndex(isError);
      if (index >= 0) {
        exception = params[index] as Error;
        params = params.filter((_, i) => i !== index);
      }
    }
    // An error a guard threw goes on its request's completion event, as a handler's does, not beside it;
    // so does a StreamableFile's stream's, which Nest logs before it destroys the response without
    // it or answers 400: the completion event says why.
    if (
      keep &&
      (call.context === EXCEPTIONS_HANDLER || call.context === STREAMABLE_FILE) &&
      exception !== undefined &&
      keepForCompletion(exception, { writeBeside, byExceptionFilter: call.context === EXCEPTIONS_HANDLER })
    )
      return;
    // A server-sent event stream's error, or a streamed body's that failed after its headers went out.
    if (keep && call.context === RESPONSE_CONTROLLER && exception !== undefined && keepResponseError(exception)) return;
    // Where Nest reports a request's error, the level is checked once the error found no completion event.
    if (!levelChecked && !context.isEnabled(level)) return refuse(context, level);
    let log = withParams(context, params);
    // A microservice handler's error, which Nest's RPC filter reports without saying which handler failed.
    // A value that is no Error (a string) is reported as the message itself.
    const pattern = call.context === RPC_EXCEPTIONS_HANDLER ? rpcErrorPattern(exception ?? message) : undefined;
    if (pattern !== undefined) log = log.forContext('MessagePattern', pattern);
    const template = isError(message) ? textTemplate(errorMessageText(message)) : templateOf(message);
    const args = typeof message === 'object' && message !== null && !isError(message) ? [message] : [];
    if (exception === undefined) log.write(level, template, ...args);
    else log.write(level, exception, template, ...args);
  }

  /**
   * A call whose arguments could not be read (a Proxy whose traps throw, a revoked one) is still
   * written, as a lazy message that throws is: at its level, under its context, with its message
   * when that is text, else `[Unreadable: <what was thrown>]`; nothing else of it is read.
   */
  private writeUnreadable(level: LogLevelName, given: unknown, optionalParams: unknown[], error: unknown): void {
    try {
      const last = optionalParams.at(-1);
      const context = typeof last === 'string' && !isStackFormat(last) ? last : undefined;
      const text = typeof given === 'string' ? given : `[Unreadable: ${thrownMessage(error)}]`;
      this.loggerFor(context).write(level, textTemplate(text));
    } catch (failure) {
      SelfLog.write('RxlogLoggerService: a Nest log call could not be written at all', failure);
    }
  }

  private loggerFor(context: string | undefined): Logger {
    if (context === undefined || context === '') return this.logger;
    const cached = this.contexts.get(context);
    if (cached !== undefined) return cached;
    const log = this.logger.forContext('SourceContext', context);
    if (this.contexts.size < MAX_CACHED_CONTEXTS && context.length <= MAX_CACHED_CONTEXT_LENGTH) this.contexts.set(context, log);
    return log;
  }
}

/** Whether Nest reports a request's error under `context`: the error may go on its completion event. */
function isRequestErrorContext(context: string | undefined): boolean {
  return context === EXCEPTIONS_HANDLER || context === STREAMABLE_FILE || context === RESPONSE_CONTROLLER;
}

/**
 * Ends a call whose level is off without reading it: an empty event, which the logger drops by its
 * level, or, once it is closed, counts in `rejectedAfterClose`, as it counts every call then.
 */
function refuse(log: Logger, level: LogLevelName): void {
  log.write(level, '');
}

/**
 * The rxlog levels a `setLogLevels` list writes, as `ConsoleLogger` reads it; undefined (every level)
 * for a list of none Nest knows, and for no list at all. Throws when the list cannot be read.
 */
function enabledLevels(levels: unknown): ReadonlySet<LogLevelName> | undefined {
  if (!Array.isArray(levels)) {
    if (levels !== undefined && levels !== null)
      SelfLog.write(
        'RxlogLoggerService.setLogLevels: {Levels} is no list of Nest levels; every level is written, as by ConsoleLogger',
        levels,
      );
    return undefined;
  }
  const enabled = new Set<LogLevelName>();
  let highest = -1;
  for (const level of levels as unknown[]) {
    const mapped = typeof level === 'string' ? (NEST_LEVELS as Partial<Record<string, LogLevelName>>)[level] : undefined;
    if (mapped === undefined) {
      SelfLog.write('RxlogLoggerService.setLogLevels: unknown Nest level {Level} ignored', String(level));
      continue;
    }
    enabled.add(mapped);
    highest = Math.max(highest, RANKED_LEVELS.indexOf(mapped));
  }
  // A list with levels, none Nest knows (['info']), writes every level in ConsoleLogger and Nest's Logger.isLevelEnabled; an empty one, none.
  if (highest < 0) return levels.length > 0 ? undefined : enabled;
  for (const level of RANKED_LEVELS.slice(highest)) enabled.add(level);
  return enabled;
}

/**
 * `log` with the extra arguments of a call: plain objects' fields as properties, the rest in
 * `Params`. A field named `SourceContext` goes to `Params` too (as `{ SourceContext: value }`):
 * the event's `SourceContext` is the call's Nest context, as `ConsoleLogger`'s `context` is never
 * taken from the params, so data cannot re-route an event past `minimumLevel.override`.
 */
function withParams(log: Logger, params: readonly unknown[]): Logger {
  if (params.length === 0) return log;
  const properties: Record<string, unknown> = {};
  const rest: unknown[] = [];
  for (const param of params) {
    if (isPlainObject(param)) {
      const context = addFields(properties, param);
      if (context !== NO_CONTEXT_FIELD) rest.push(captureValue({ [SOURCE_CONTEXT]: context }, 'structure'));
    }
    // Captured as `{@Params}` would be: a DTO or entity keeps its fields instead of becoming '[object Object]'.
    else rest.push(typeof param === 'object' && param !== null ? captureValue(param, 'structure') : param);
  }
  if (rest.length > 0) properties.Params = rest;
  return log.child(properties);
}

const SOURCE_CONTEXT = 'SourceContext';
/** What addFields returns when the fields hold no `SourceContext` (its value may be anything, `undefined` too). */
const NO_CONTEXT_FIELD = Symbol('no SourceContext field');

/**
 * Copies `fields`' own enumerable fields but `SourceContext` by defining them (a `__proto__` parsed
 * from JSON is a field, not the prototype; a getter that throws, its `[Throws: …]` marker); returns
 * the value of a `SourceContext` field, if any.
 */
function addFields(properties: Record<string, unknown>, fields: Record<string, unknown>): unknown {
  let context: unknown = NO_CONTEXT_FIELD;
  for (const key of Object.keys(fields)) {
    // A getter that throws gives its field a marker, as capture does, not the whole call its marker.
    const value = read(fields, key);
    if (key === SOURCE_CONTEXT) context = value;
    else Object.defineProperty(properties, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return context;
}

/**
 * A class's source: `class Orders {`, and `class{` too, as a minifier or esbuild writes an
 * anonymous one (`ConsoleLogger` looks for `'class '` only, and calls such a class, which throws).
 */
const CLASS_SOURCE = /^class[\s{]/;

/**
 * Nest's lazy messages, read as its `ConsoleLogger` reads them: a class stands for its name, any
 * other function is called and its result read again (a few levels deep, so a function returning
 * itself cannot loop).
 */
function resolveLazyMessage(message: unknown): unknown {
  let resolved = message;
  try {
    for (let depth = 0; typeof resolved === 'function' && depth < MAX_LAZY_DEPTH; depth++) {
      if (CLASS_SOURCE.test(Function.prototype.toString.call(resolved))) return (resolved as { name: string }).name;
      resolved = (resolved as () => unknown)();
    }
  } catch (error) {
    // As capture does with a getter that throws: the event is written with a marker, not dropped.
    SelfLog.write('RxlogLoggerService: a lazy message threw; written as a marker', error);
    return `[Throws: ${exceptionMessage(error)}]`;
  }
  return typeof resolved === 'function' ? '[Function]' : resolved;
}

/** What an error thrown by a lazy message says, never throwing itself. */
function exceptionMessage(error: unknown): string {
  try {
    return error instanceof Error ? error.message : String(error);
  } catch {
    return 'unreadable';
  }
}

function templateOf(message: unknown): string {
  if (typeof message === 'string') return textTemplate(message);
  if (typeof message === 'object' && message !== null) return '{@Message}';
  return textTemplate(String(message));
}

function errorFromStack(message: unknown, stack: string): Error {
  const error = new Error(messageText(message));
  const name = /^([A-Za-z_$][\w$]*)(?::|$)/.exec(stack)?.[1];
  if (name !== undefined && name !== 'Error') error.name = name;
  error.stack = stack;
  return error;
}

/** An Error's message as text: a library may have set an object there, or nothing, or a getter that throws (a marker then). */
function errorMessageText(error: Error): string {
  const text = read(error, 'message');
  if (typeof text === 'string') return text;
  return text === undefined || text === null ? '' : messageText(text);
}

/** A message as the exception's text: a string as it is, an object's own `message` text, else its JSON (never '[object Object]'). */
function messageText(message: unknown): string {
  if (typeof message === 'string') return message;
  if (typeof message === 'object' && message !== null) {
    const text = read(message, 'message');
    return typeof text === 'string' ? text : writeJson(message);
  }
  return String(message);
}
