import type { IncomingMessage } from 'node:http';
import { randomUUID } from 'node:crypto';
import { checkOptionKeys } from '../../core/check-option-keys';
import { describeValue } from '../../core/describe-value';
import { ConfigurationError } from '../../core/errors/configuration-error';
import { checkItems } from '../../core/expect-option';
import type { LogLevelName } from '../../core/log-level';
import { ALWAYS_REDACTED_HEADERS } from './select-headers';

/** What the level function of {@link RequestLoggingOptions} is told about a finished request, or one unfinished at shutdown. */
export interface RequestOutcome {
  /**
   * The response status; for an aborted request, what was set when the client left (often 200);
   * for an unfinished one, the status its head went out with, else what is set so far (often 200).
   */
  readonly statusCode: number;
  /** The error a handler threw or passed on, if any. */
  readonly error?: unknown;
  /** Whether the client closed the connection before the response was complete. */
  readonly aborted: boolean;
  /**
   * True for a request still in flight when the logger closed or the process exited (its event is
   * `UNFINISHED_AT_SHUTDOWN_TEMPLATE`'s, by default a `warning`, an `error` when its handler had
   * failed); absent for a request that completed.
   */
  readonly unfinished?: true | undefined;
  /** Milliseconds from the middleware to the end of the response, the event's `Elapsed` (Serilog's GetLevel is given it too): a slow request can be a warning. */
  readonly elapsed: number;
  readonly req: IncomingMessage;
}

/** Options of {@link requestLogging} and {@link fastifyRequestLogging}. */
export interface RequestLoggingOptions {
  /** The completion event's template; it may use `RequestMethod`, `RequestPath`, `StatusCode` and `Elapsed`. Default `'HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed:0.0000} ms'`. */
  messageTemplate?: string | undefined;
  /** The template for a request the client abandoned. Default `'HTTP {RequestMethod} {RequestPath} aborted by the client after {Elapsed:0.0000} ms'`. */
  abortedTemplate?: string | undefined;
  /**
   * The completion event's level, and that of the event of a request unfinished at shutdown
   * (asked with `unfinished: true`). Default: `error` for 5xx and handler errors, `warning` for
   * 4xx (an error the app answered with a 4xx too), aborted and unfinished requests, else
   * `information` (`levelForStatus`).
   */
  level?: ((outcome: RequestOutcome) => LogLevelName) | undefined;
  /**
   * Paths (without query) that get no completion event: exact strings, each starting with `/`
   * (or `'*'`), matched as sent (case, trailing slash and percent-encoding included), or regular
   * expressions. Default none.
   */
  ignorePaths?: readonly (string | RegExp)[] | undefined;
  /**
   * Request headers to log as `RequestHeaders`: names in any case, or `'*'` for all. `'*'` redacts
   * the value of each header whose name looks like a credential's: one containing `auth`, `token`,
   * `secret`, `password`, `passwd`, `credential`, `signature`, `session`, `csrf`, `xsrf`, `cookie`,
   * `jwt` or `apikey`, or with `key` as a word (`x-api-key`, `x-auth-token`, `x-session-id`), but
   * for `:authority`, `www-authenticate`, `proxy-authenticate` and
   * `access-control-allow-credentials`. A header named in the list is logged in clear unless
   * `redactHeaders` (or the four always redacted) has it: `['*', 'x-session-id']` logs one
   * knowingly. Default none.
   */
  requestHeaders?: readonly string[] | undefined;
  /** Response headers to log as `ResponseHeaders`, as `requestHeaders` (`'*'` redacts `x-csrf-token`). Default none. */
  responseHeaders?: readonly string[] | undefined;
  /** More headers whose values are replaced with `'[Redacted]'`, even when named; `authorization`, `proxy-authorization`, `cookie` and `set-cookie` always are. Default none. */
  redactHeaders?: readonly string[] | undefined;
  /** The response header that echoes the request id (a header name), or `false` for none. Default `'x-request-id'`. */
  requestIdHeader?: string | false | undefined;
  /**
   * Whether a request id the client sends is taken (a valid `x-request-id`, else a valid
   * `traceparent`'s trace id). `false` generates every id, for a server whose clients are not
   * trusted to choose the ids its events are found by. Default `true`.
   */
  trustIncomingRequestId?: boolean | undefined;
  /** Makes a request id when the request brings none; when it throws or returns no id, SelfLog is told and a UUID is used. Default `crypto.randomUUID`. */
  generateRequestId?: (() => string) | undefined;
  /** Switches LogContext from its synchronous default store to AsyncLocalStorage (a store the app installed is kept) so `RequestId` follows every `await` of the request. Default `true`. */
  asyncLocalStorage?: boolean | undefined;
}

/** Options with every default applied. */
export interface ResolvedRequestLoggingOptions {
  readonly messageTemplate: string;
  readonly abortedTemplate: string;
  /** The given `level` function; `undefined` picks the level by status (`levelForStatus`). */
  readonly level: ((outcome: RequestOutcome) => LogLevelName) | undefined;
  readonly ignorePaths: readonly (string | RegExp)[];
  readonly requestHeaders: readonly string[];
  readonly responseHeaders: readonly string[];
  readonly redactHeaders: ReadonlySet<string>;
  readonly requestIdHeader: string | false;
  /** Makes a request id when the request brings none (the given one, else `crypto.randomUUID`). */
  readonly generateRequestId: () => string;
  readonly trustIncomingRequestId: boolean;
  readonly asyncLocalStorage: boolean;
  /**
   * Whether a `;` starts the query string too, as in a Fastify app with `useSemicolonDelimiter`
   * (`/orders;token=x` has the query `token=x`): set by the plugin, never an option.
   */
  readonly semicolonQuery?: boolean;
}

/** The default completion template, as Serilog.AspNetCore writes it. */
export const REQUEST_COMPLETED_TEMPLATE = 'HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed:0.0000} ms';
/** The default template for requests the client abandoned. */
export const REQUEST_ABORTED_TEMPLATE = 'HTTP {RequestMethod} {RequestPath} aborted by the client after {Elapsed:0.0000} ms';

/**
 * A bad option's value for its error message: as JSON where JSON can show it, else described
 * (a function, a symbol, a bigint, a cycle), so the message never fails or reads "got undefined".
 */
function shown(value: unknown, nested = false): string {
  try {
    if (!nested && Array.isArray(value)) return `[${value.map((item: unknown) => shown(item, true)).join(',')}]`;
    // JSON.stringify gives undefined for a function or a symbol, whatever its declared type says.
    const json = JSON.stringify(value) as string | undefined;
    if (json !== undefined) return json;
  } catch {
    // A cycle, a bigint or a throwing toJSON: described below.
  }
  return describeValue(value);
}

function names(value: unknown, where: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((name) => typeof name !== 'string'))
    throw new ConfigurationError(`requestLogging.${where}: expected an array of header names, got ${shown(value)}`);
  return (value as string[]).map((name) => name.toLowerCase());
}

function optionalFunction<T>(value: unknown, where: string): T | undefined {
  if (value !== undefined && typeof value !== 'function')
    throw new ConfigurationError(`requestLogging.${where}: expected a function, got ${shown(value)}`);
  return value as T | undefined;
}

function flag(value: unknown, where: string): boolean {
  if (value !== undefined && typeof value !== 'boolean')
    throw new ConfigurationError(`requestLogging.${where}: expected true or false, got ${shown(value)}`);
  return value !== false;
}

function template(value: unknown, where: string, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value === '')
    throw new ConfigurationError(`requestLogging.${where}: expected a message template, got ${shown(value)}`);
  return value;
}

/** A header name: an RFC 9110 token (section 5.1), what Node's setHeader accepts. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9a-z-]+$/i;

/** The options requestLogging knows: any other key is a misspelling (`ignorePath`). */
const REQUEST_LOGGING_OPTIONS = [
  'messageTemplate',
  'abortedTemplate',
  'level',
  'ignorePaths',
  'requestHeaders',
  'responseHeaders',
  'redactHeaders',
  'requestIdHeader',
  'generateRequestId',
  'trustIncomingRequestId',
  'asyncLocalStorage',
] as const satisfies readonly (keyof RequestLoggingOptions)[];

/**
 * `given` (an app's `ignorePaths`) checked into a list of its own, item by item, each read once
 * (checkItems): some() and every() passed over a hole, which each request then read as a pattern
 * and threw on, and the app's list, changed later, was the one requests read. Each item is a string
 * or a RegExp (`regExp` is what the messages call one), and no string is one no request path can
 * be: RequestPath starts with a slash (or is OPTIONS' `*`) and has no query or fragment, so another
 * string never matches.
 *
 * @throws ConfigurationError naming `where` (`where[index]` for a bad item), the value shown by `show`.
 */
export function checkedIgnorePaths(
  given: unknown,
  where: string,
  regExp: 'regular expression' | 'RegExp',
  show: (value: unknown) => string,
): (string | RegExp)[] {
  if (!Array.isArray(given)) throw new ConfigurationError(`${where}: expected strings and ${regExp}s, got ${show(given)}`);
  const paths = checkItems(given, (path, index) => {
    if (typeof path !== 'string' && !(path instanceof RegExp))
      throw new ConfigurationError(`${where}[${index}]: expected a string or a ${regExp}, got ${show(path)}`);
    return path;
  });
  const unmatched = paths.find((path): path is string => typeof path === 'string' && path !== '*' && !/^\/[^?#]*$/.test(path));
  if (unmatched !== undefined)
    throw new ConfigurationError(
      `${where}: ${show(unmatched)} never matches a request path (one starts with "/", without query or fragment)`,
    );
  return paths;
}

/**
 * Applies the defaults to {@link RequestLoggingOptions}.
 *
 * @throws ConfigurationError naming the bad option.
 */
export function resolveRequestLoggingOptions(given: RequestLoggingOptions = {}): ResolvedRequestLoggingOptions {
  const options = given as { [K in keyof RequestLoggingOptions]?: unknown };
  if (typeof options !== 'object' || (options as unknown) === null)
    throw new ConfigurationError(`requestLogging: expected an options object, got ${shown(given)}`);
  checkOptionKeys('requestLogging', options, REQUEST_LOGGING_OPTIONS);
  const ignorePaths = checkedIgnorePaths(options.ignorePaths ?? [], 'requestLogging.ignorePaths', 'regular expression', shown);
  const header = options.requestIdHeader ?? 'x-request-id';
  if (header !== false && (typeof header !== 'string' || !HEADER_NAME.test(header)))
    throw new ConfigurationError(`requestLogging.requestIdHeader: expected a header name or false, got ${shown(header)}`);
  return {
    messageTemplate: template(options.messageTemplate, 'messageTemplate', REQUEST_COMPLETED_TEMPLATE),
    abortedTemplate: template(options.abortedTemplate, 'abortedTemplate', REQUEST_ABORTED_TEMPLATE),
    level: optionalFunction(options.level, 'level'),
    ignorePaths,
    requestHeaders: names(options.requestHeaders, 'requestHeaders'),
    responseHeaders: names(options.responseHeaders, 'responseHeaders'),
    redactHeaders: new Set([...ALWAYS_REDACTED_HEADERS, ...names(options.redactHeaders, 'redactHeaders')]),
    requestIdHeader: header === false ? false : header,
    generateRequestId: optionalFunction<() => string>(options.generateRequestId, 'generateRequestId') ?? randomUUID,
    // A string 'false' from a config file would be truthy: the client's ids would be taken after all.
    trustIncomingRequestId: flag(options.trustIncomingRequestId, 'trustIncomingRequestId'),
    asyncLocalStorage: flag(options.asyncLocalStorage, 'asyncLocalStorage'),
  };
}
