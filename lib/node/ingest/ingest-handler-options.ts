import { isIPv6 } from 'node:net';
import type { IncomingMessage } from 'node:http';
import { checkOptionKeys } from '../../core/check-option-keys';
import { describeValue } from '../../core/describe-value';
import { ConfigurationError } from '../../core/errors/configuration-error';
import { checkTimerMs } from '../../core/max-timer-ms';
import { isLevelName, type LogLevelName, parseLevel } from '../../core/log-level';

/** The per-client rate limit of {@link createIngestHandler}: a token bucket per key, one token per request. */
export interface IngestRateLimit {
  /** Requests per second a client may sustain. Default `5`. */
  perSecond?: number | undefined;
  /** Requests a client may send at once before the rate applies. Default `20`. */
  burst?: number | undefined;
  /**
   * The client a request belongs to. Default: the client's address (an IPv6 one by its /64
   * network, which one subscriber holds whole): the one the framework resolved when it has one
   * (Express's `req.ip`, Fastify's `request.ip`, which follow the app's `trust proxy` /
   * `trustProxy` setting), else the socket's. Behind a reverse proxy without such a setting every
   * request has the proxy's address: set it, or return the client address your proxy vouches for
   * (e.g. the last entry of `X-Forwarded-For` it appends), never a header the client sets.
   */
  key?: ((req: IncomingMessage) => string) | undefined;
  /**
   * How many clients have a bucket of their own. Past it, the least recently seen client's bucket
   * is forgotten once it has refilled to full (which loses nothing); until then, new clients share
   * one bucket (the same rate and burst), so rotating through more keys than this never resets a
   * client's limit. Default `10_000`.
   */
  maxKeys?: number | undefined;
}

/** Options of {@link createIngestHandler}; every limit has a default that is safe for a public endpoint. */
export interface IngestHandlerOptions {
  /** The largest request body, in bytes; a larger one is answered 413 and not read further. Keep it at least 61 440 (60 KiB), the largest body a browser sink puts in one beacon, whose 413 the page never sees (SelfLog says so when it is less). Default `1_048_576` (1 MiB). */
  maxBodyBytes?: number | undefined;
  /**
   * The most body bytes held at once across every request being read (what concurrent clients can
   * make the server buffer); a request that would go past it is answered 503 with `Retry-After: 1`
   * (bytes count as they arrive: a declared `Content-Length` not yet sent holds nothing). One client
   * (the rate limit's key, by default its address; the same key when `rateLimit` is `false`) holds
   * at most a quarter of it, or `maxBodyBytes` when that is more: a request that would go past its
   * share is answered 429 with `Retry-After: 1`, so one client's slow bodies cannot starve the
   * others. At least `maxBodyBytes`. Default `67_108_864` (64 MiB).
   */
  maxPendingBytes?: number | undefined;
  /** The most events taken from one request; later lines are rejected (counted, not parsed). Default `1_000`. */
  maxEvents?: number | undefined;
  /** The largest event (one line), in bytes; a longer line is rejected, and a message rendered from the client's template is cut at this many characters (or at twice the line's length, at least 1 024, when that is less: so repeated and padded holes cannot turn a short line into kilobytes of log). Default `32_768` (32 KiB). */
  maxEventBytes?: number | undefined;
  /** The most values (properties, nested members and array items together) in one event; more rejects the event. Default `256`. */
  maxProperties?: number | undefined;
  /** The deepest nesting of a property value; deeper rejects the event. Default `10`: every depth a browser's logger writes (it captures structures 10 deep, then `'[MaxDepth]'`). */
  maxDepth?: number | undefined;
  /** The highest level a client may log at; higher levels are lowered to it (the sent level is kept as `ClientLevel`). Default `'error'`. */
  maxLevel?: LogLevelName | undefined;
  /** The per-client rate limit, or `false` for none (when something in front of the handler limits already). Default `{ perSecond: 5, burst: 20 }` keyed by remote address (IPv6 by /64). */
  rateLimit?: IngestRateLimit | false | undefined;
  /**
   * The longest a client may take to send its body, however fast it sends it, in milliseconds;
   * then it is answered 408 and disconnected; at most 2 147 483 647 (the longest timer delay).
   * Default `300_000` (5 minutes, Node's own `requestTimeout`): a slow link's large batch is read
   * as long as it keeps to `minBodyBytesPerSecond`, which ends a stalled body far sooner.
   */
  bodyTimeoutMs?: number | undefined;
  /**
   * The least average rate, in bytes a second since the body began, a body must keep once
   * `bodyGracePeriodMs` have passed; a slower one is answered 408 and disconnected (as Kestrel's
   * `MinRequestBodyDataRate`, which Seq's server applies), as is one that sends nothing for
   * `bodyGracePeriodMs`. `0` checks neither, leaving `bodyTimeoutMs` alone. Default `240`.
   */
  minBodyBytesPerSecond?: number | undefined;
  /**
   * How long a body may arrive slower than `minBodyBytesPerSecond` before the rate is checked, and
   * the longest it may send nothing at all, at its start or after any byte (bytes sent at once do
   * not buy a stall: a body stalled a byte short of its end would hold its bytes of
   * `maxPendingBytes` until `bodyTimeoutMs`), in milliseconds, from 1 to 2 147 483 647. Default `5_000`.
   */
  bodyGracePeriodMs?: number | undefined;
  /** The property that holds the client's own properties; not one the handler sets itself (`Origin`, `ClientMessage`, `TraceId` …). Default `'Client'`. */
  clientProperty?: string | undefined;
  /** The value of the `Origin` property added to every event. Default `'browser'`. */
  origin?: string | undefined;
  /**
   * The origins whose pages may send events (`'https://app.example.com'`, scheme, host and port as
   * browsers send them in `Origin`); a request whose `Origin` is another one is answered 403 before
   * anything else, its client's rate limit untouched. Browsers send `Origin` with every POST (a
   * beacon too), so without this any website can have its visitors' browsers post events here
   * (`text/plain` needs no CORS preflight). A request without `Origin` (not from a browser page) is
   * let through, as is `Origin: null` with `Sec-Fetch-Site: same-origin` (a beacon of a page whose
   * `Referrer-Policy` is `no-referrer`, to its own origin). A listed origin also gets CORS answers,
   * so a page served from another origin can post: its preflight (`OPTIONS`) is answered 204 and
   * every answer carries `Access-Control-Allow-Origin` (that origin) with credentials allowed.
   * Default: any origin, and no CORS answers.
   */
  allowedOrigins?: readonly string[] | undefined;
  /** Adds the client's address as `ClientAddress`: `true` for the one the rate limit's default key uses (the framework's `ip`, else the socket's), or a function of the request. Default `false` (addresses are personal data). */
  clientAddress?: boolean | ((req: IncomingMessage) => string | undefined) | undefined;
}

/** Options with every default applied. */
export interface ResolvedIngestOptions {
  readonly maxBodyBytes: number;
  readonly maxPendingBytes: number;
  readonly maxEvents: number;
  readonly maxEventBytes: number;
  readonly maxProperties: number;
  readonly maxDepth: number;
  readonly maxLevel: LogLevelName;
  readonly rateLimit: ResolvedRateLimit | false;
  readonly bodyTimeoutMs: number;
  readonly minBodyBytesPerSecond: number;
  readonly bodyGracePeriodMs: number;
  readonly clientProperty: string;
  readonly origin: string;
  readonly clientAddress: ((req: IncomingMessage, ip?: string) => string | undefined) | undefined;
  readonly allowedOrigins: ReadonlySet<string> | undefined;
}

/** The rate limit with its defaults; `key` is also given the address the framework resolved (`ip`), if any. */
export interface ResolvedRateLimit {
  readonly perSecond: number;
  readonly burst: number;
  readonly maxKeys: number;
  readonly key: (req: IncomingMessage, ip?: string) => string;
}

/** The remote address of a request's socket, or `'unknown'`. */
export function remoteAddress(req: IncomingMessage): string {
  return (req.socket as Partial<IncomingMessage['socket']> | null)?.remoteAddress ?? 'unknown';
}

/** The client's address: `ip`, the one the framework resolved (Express's `req.ip`, Fastify's `request.ip`), else the socket's. */
export function clientAddressOf(req: IncomingMessage, ip?: string): string {
  return ip ?? remoteAddress(req);
}

/**
 * The rate limit's default client key: the client's IPv4 address (an IPv4-mapped IPv6 one as
 * IPv4), or the /64 network of an IPv6 address, since one subscriber is handed a whole /64 and
 * could otherwise take a fresh bucket for every request. The address is `ip`, the one the
 * framework resolved by the app's trust-proxy setting, else the socket's.
 */
export function remoteNetwork(req: IncomingMessage, ip?: string): string {
  const address = clientAddressOf(req, ip);
  const zone = address.indexOf('%');
  const bare = zone === -1 ? address : address.slice(0, zone);
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(bare);
  if (mapped !== null) return mapped[1];
  if (!isIPv6(bare)) return address;
  const [head = '', tail] = bare.split('::');
  const groups = (text: string | undefined): string[] =>
    text === undefined || text === '' ? [] : text.split(':').flatMap((group) => (group.includes('.') ? ['0', '0'] : [group]));
  const front = groups(head);
  const back = groups(tail);
  const all = [...front, ...Array<string>(Math.max(0, 8 - front.length - back.length)).fill('0'), ...back];
  return `${all
    .slice(0, 4)
    .map((group) => parseInt(group, 16).toString(16))
    .join(':')}::/64`;
}

function count(value: unknown, where: string, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min)
    throw new ConfigurationError(`createIngestHandler.${where}: expected a number >= ${min}, got ${describeValue(value)}`);
  return value;
}

// A delay past MAX_TIMER_MS fires after 1 ms (timers clamp it): every body would time out at once.
function timerMs(value: unknown, where: string, fallback: number): number {
  if (value === undefined) return fallback;
  checkTimerMs(`createIngestHandler.${where}`, value, 1);
  return value;
}

/** The allowed origins, each as browsers serialise an `Origin` (a trailing slash or a path would never match, so it is refused). */
function origins(value: unknown): ReadonlySet<string> | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value))
    throw new ConfigurationError(`createIngestHandler.allowedOrigins: expected an array of origins, got ${describeValue(value)}`);
  for (const origin of value as unknown[]) {
    let serialised: string | undefined;
    try {
      serialised = typeof origin === 'string' ? new URL(origin).origin : undefined;
    } catch {
      serialised = undefined;
    }
    if (serialised !== origin)
      throw new ConfigurationError(
        `createIngestHandler.allowedOrigins: expected an origin such as 'https://app.example.com' (scheme, lower-case host, port; no path), got ${describeValue(origin)}`,
      );
  }
  return new Set(value as string[]);
}

/** The properties the handler gives each server event itself, which `clientProperty` cannot name. */
const SERVER_PROPERTIES = [
  'ClientMessage',
  'ClientTemplate',
  'ClientTimestamp',
  'ClientLevel',
  'Origin',
  'UserAgent',
  'ClientAddress',
  'TraceId',
  'SpanId',
  'TraceFlags',
];

/** The option names of createIngestHandler, so a misspelt one is refused. */
const OPTION_NAMES = [
  'maxBodyBytes',
  'maxPendingBytes',
  'maxEvents',
  'maxEventBytes',
  'maxProperties',
  'maxDepth',
  'maxLevel',
  'rateLimit',
  'bodyTimeoutMs',
  'minBodyBytesPerSecond',
  'bodyGracePeriodMs',
  'clientProperty',
  'origin',
  'clientAddress',
  'allowedOrigins',
];

/**
 * Applies the defaults to {@link IngestHandlerOptions}.
 *
 * @throws ConfigurationError naming the bad option.
 */
export function resolveIngestOptions(given: IngestHandlerOptions = {}): ResolvedIngestOptions {
  // Checked as unknown input: JavaScript callers and JSON configuration can pass anything.
  const options = given as { [K in keyof IngestHandlerOptions]?: unknown };
  if (typeof options !== 'object' || (options as unknown) === null)
    throw new ConfigurationError(`createIngestHandler: expected an options object, got ${describeValue(given)}`);
  // A misspelt limit would silently mean its default: `maxBodyByte: 65_536` left 1 MiB bodies in.
  checkOptionKeys('createIngestHandler', options, OPTION_NAMES);
  const maxLevel = options.maxLevel === undefined ? 'error' : parseLevel(options.maxLevel, 'createIngestHandler.maxLevel');
  const limit = options.rateLimit as { [K in keyof IngestRateLimit]?: unknown } | false | undefined | null;
  let rateLimit: ResolvedRateLimit | false = false;
  if (limit !== false) {
    if (limit !== undefined && (typeof limit !== 'object' || limit === null))
      throw new ConfigurationError(`createIngestHandler.rateLimit: expected an object or false, got ${describeValue(limit)}`);
    if (limit !== undefined) checkOptionKeys('createIngestHandler.rateLimit', limit, ['perSecond', 'burst', 'key', 'maxKeys']);
    const key = limit?.key ?? remoteNetwork;
    if (typeof key !== 'function')
      throw new ConfigurationError(
        `createIngestHandler.rateLimit.key: expected a function of the request, got ${describeValue(key)}`,
      );
    rateLimit = {
      perSecond: count(limit?.perSecond, 'rateLimit.perSecond', 5, Number.MIN_VALUE),
      burst: count(limit?.burst, 'rateLimit.burst', 20),
      maxKeys: count(limit?.maxKeys, 'rateLimit.maxKeys', 10_000),
      key: key as (req: IncomingMessage) => string,
    };
  }
  const clientProperty = options.clientProperty ?? 'Client';
  if (typeof clientProperty !== 'string' || clientProperty === '' || clientProperty === '__proto__')
    throw new ConfigurationError(
      `createIngestHandler.clientProperty: expected a property name, got ${describeValue(clientProperty)}`,
    );
  // One of the handler's own names would take its place (`Origin`, `TraceId`) or, as
  // `ClientMessage`, be replaced by the message: every event's client properties silently lost.
  if (SERVER_PROPERTIES.includes(clientProperty))
    throw new ConfigurationError(
      `createIngestHandler.clientProperty: ${describeValue(clientProperty)} is a property the handler sets itself (${SERVER_PROPERTIES.join(', ')}); choose another name`,
    );
  const origin = options.origin ?? 'browser';
  if (typeof origin !== 'string')
    throw new ConfigurationError(`createIngestHandler.origin: expected a string, got ${describeValue(origin)}`);
  const address = options.clientAddress ?? false;
  if (typeof address !== 'boolean' && typeof address !== 'function')
    throw new ConfigurationError(
      `createIngestHandler.clientAddress: expected a boolean or a function, got ${describeValue(address)}`,
    );
  const maxBodyBytes = count(options.maxBodyBytes, 'maxBodyBytes', 1_048_576);
  const maxPendingBytes = count(options.maxPendingBytes, 'maxPendingBytes', Math.max(67_108_864, maxBodyBytes));
  if (maxPendingBytes < maxBodyBytes)
    throw new ConfigurationError(
      `createIngestHandler.maxPendingBytes: expected at least maxBodyBytes (${maxBodyBytes}), got ${maxPendingBytes}`,
    );
  return {
    allowedOrigins: origins(options.allowedOrigins),
    maxBodyBytes,
    maxPendingBytes,
    maxEvents: count(options.maxEvents, 'maxEvents', 1_000),
    maxEventBytes: count(options.maxEventBytes, 'maxEventBytes', 32_768),
    maxProperties: count(options.maxProperties, 'maxProperties', 256),
    maxDepth: count(options.maxDepth, 'maxDepth', 10),
    maxLevel: isLevelName(maxLevel) ? maxLevel : 'error',
    rateLimit,
    bodyTimeoutMs: timerMs(options.bodyTimeoutMs, 'bodyTimeoutMs', 300_000),
    minBodyBytesPerSecond: count(options.minBodyBytesPerSecond, 'minBodyBytesPerSecond', 240, 0),
    bodyGracePeriodMs: timerMs(options.bodyGracePeriodMs, 'bodyGracePeriodMs', 5_000),
    clientProperty,
    origin,
    clientAddress:
      address === true
        ? clientAddressOf
        : address === false
          ? undefined
          : (address as (req: IncomingMessage) => string | undefined),
  };
}
