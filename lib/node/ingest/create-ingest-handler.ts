import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { SelfLog } from '../../core/self-log';
import { bindRedacted } from '../../pipeline/bind-redacted';
import type { Logger } from '../../pipeline/logger';
import { captureValue } from '../../templates/capture';
import { DEFAULT_CENSOR } from '../../templates/redaction-policy';
import { writeJson } from '../../templates/safe-json';
import { BEACON_MAX_BYTES } from '../../sinks/http/beacon-max-bytes';
import {
  type IngestHandlerOptions,
  type ResolvedIngestOptions,
  type ResolvedRateLimit,
  remoteAddress,
  remoteNetwork,
  resolveIngestOptions,
} from './ingest-handler-options';
import { type ClientEvent, clientMessage, parseClientEvents } from './parse-client-events';
import { type IngestFrameworkReply, type IngestFrameworkRequest, nodeRequest, nodeResponse } from './framework-request';
import { failed, refuse, respond } from './ingest-responses';
import { readMediaType } from './media-type';
import { PendingByteBudget } from './pending-byte-budget';
import { type BodyReadResult, readRequestBody } from './read-request-body';
import { type RateDecision, TokenBucketLimiter } from './token-bucket-limiter';
import { copyOwnProperties } from '../../templates/own-property';

/**
 * What the ingest handler writes to: a Logger (only `child` and the child's `write` are used; on an
 * rxlog Logger, the child is bound with its redaction policies applied at once, see below).
 */
export type IngestLogger = Pick<Logger, 'child'>;

/**
 * A `node:http` request handler, also usable as an Express, Fastify or Nest route handler: it takes
 * Node's request and response (`node:http`'s, or `node:http2`'s compatibility API's), or Fastify's
 * request and reply (whose `raw` it answers on).
 */
export interface IngestHandler {
  (
    req: IncomingMessage | Http2ServerRequest | IngestFrameworkRequest,
    res: ServerResponse | Http2ServerResponse | IngestFrameworkReply,
  ): void;
  /** What the handler did so far: a fresh, JSON-serializable snapshot. */
  metrics(): IngestMetrics;
}

/** The counts of {@link IngestHandler.metrics}, so refusals and rejections are visible on the server, not only to clients. */
export interface IngestMetrics {
  /** Requests answered, by HTTP status (`'200'`, `'400'`, `'413'`, `'429'`, `'503'` …). */
  readonly responses: Readonly<Record<string, number>>;
  /** Requests whose client left before the answer was sent. */
  readonly aborted: number;
  /** Events written into the server's logger. */
  readonly accepted: number;
  /** Lines rejected: invalid, too large, past `maxEvents`, or failing to be written. */
  readonly rejected: number;
  /** Body bytes held now by requests being read (at most `maxPendingBytes`). */
  readonly pendingBytes: number;
}

/** The handler's running counts. */
interface Tally {
  readonly responses: Record<string, number>;
  aborted: number;
  accepted: number;
  rejected: number;
}

/** The server event's template: the client's rendered message (its own template is kept in `ClientTemplate`). */
export const INGEST_TEMPLATE = '{ClientMessage}';

const MAX_USER_AGENT = 512;
/**
 * The least time between two SelfLog notices of one kind that any request can cause again (new
 * clients sharing the rate limiter's overflow bucket, an app's function throwing for what a client
 * sent), in milliseconds: written for each request, a flood of them was a line a request.
 */
const NOTICE_INTERVAL_MS = 60_000;
/** Trace properties an event has no value for, yet as own keys: enrichers never overwrite a property, so the server's trace is not added. */
const NO_TRACE = { TraceId: undefined, SpanId: undefined, TraceFlags: undefined };
/** What a client's message rendered without its template becomes when the server's policy redacted one of its values. */
const REDACTED_MESSAGE = DEFAULT_CENSOR;
/** The values of a client whose properties the server's policy replaced as a whole. */
const NO_VALUES: Readonly<Record<string, unknown>> = Object.freeze(Object.create(null) as Record<string, unknown>);
/**
 * The server half of browser log shipping: a request handler that takes what rxlog's HTTP sinks
 * send from browsers (CLEF or NDJSON lines, including `sendBeacon` bodies sent as `text/plain`)
 * and writes each event into `log`, treating every request as hostile:
 *
 * - with `allowedOrigins`, a request from another site's page (its `Origin`) is answered 403,
 *   and a listed origin gets CORS answers: its preflight answered 204, its POST's answer readable
 *   (`Access-Control-Allow-Origin` set to it, with credentials; see `allowCors`);
 * - only `POST` (else 405) with a CLEF, NDJSON, JSON or text content type in UTF-8, not compressed
 *   (else 415; a `Content-Encoding` other than `identity` is never decoded, nor a `Transfer-Encoding`
 *   other than `chunked`: 501; a body an Express body parser already inflated is taken);
 * - a per-client token bucket, one token per request whatever it carries (429 with `Retry-After`,
 *   checked before the body is read); at most `rateLimit.maxKeys` buckets are kept, a full one
 *   forgotten to make room, and clients that find none share one bucket;
 * - a body limit (413; a declared `Content-Length` over it is refused unread, a growing body stops
 *   being read; mounted on the server's `checkContinue` event too, a client that sent
 *   `Expect: 100-continue` is asked for its body only once every check before the read passed), a
 *   limit on the body bytes held across concurrent requests (503 with `Retry-After`), of which one
 *   client (the rate limit's key) holds at most a quarter (429 with `Retry-After`), and a time
 *   limit for the body (408): a least rate after a grace period, no gap longer than that period,
 *   and a bound on the whole;
 * - per line: size, value count, depth, field types and level are checked; a bad line is rejected
 *   and counted while the rest of the batch is kept; lines past `maxEvents` are rejected unparsed;
 * - levels above `maxLevel` are lowered to it;
 * - the client's properties go under one property (`Client` by default), so a browser cannot
 *   forge server-side properties (or pollute prototypes); the server event's template is
 *   `{ClientMessage}` (the rendered message) with `ClientTemplate`, `ClientTimestamp`,
 *   `ClientLevel` (when lowered), `Origin: "browser"`, `UserAgent` and, if asked, `ClientAddress`;
 *   the client's exception text becomes the event's exception (each line indented, so in text
 *   output none passes for a server event). The event's own timestamp is the time the server
 *   received it;
 * - `log`'s redaction policies reach `ClientMessage` too: it is rendered from the client's template
 *   with the values in `Client` as the policies left them (a message sent without its template is
 *   replaced by `[Redacted]` when the policies changed any of the client's values);
 * - the server event's `TraceId`, `SpanId` and `TraceFlags` are the client's own (CLEF `@tr` and
 *   `@sp`, a valid pair) or none: never those of the server request it arrived in, which the
 *   logger's enrichers (`traceContextEnricher`, a request context) would otherwise add.
 *
 * Answers `200 {"accepted":n,"rejected":m}` (400 with the same body when every line was rejected;
 * with `"error":"line 3: …"`, why the first rejected line was, when one was;
 * 503 with `Retry-After` once `log` is closed, so the client sends the batch again).
 * `handler.metrics()` counts the answers by status, the clients that left, the events accepted
 * and the lines rejected, so the server sees what it refused.
 * CORS is the app's business: beacons (`text/plain`) need no preflight, a cross-origin `fetch`
 * with the CLEF content type does.
 *
 * @throws ConfigurationError naming a bad option.
 * @example
 * ```ts compile-only
 * import { createServer } from 'node:http';
 * import { LoggerConfiguration } from 'rxlog';
 * import { createIngestHandler } from 'rxlog/node';
 *
 * const log = new LoggerConfiguration().writeTo.console().createLogger();
 * const ingest = createIngestHandler(log, { maxLevel: 'warning' });
 * createServer((req, res) => (req.url === '/api/logs' ? ingest(req, res) : res.end())).listen(8080);
 * ```
 */
export function createIngestHandler(log: IngestLogger, options: IngestHandlerOptions = {}): IngestHandler {
  const settings = resolveIngestOptions(options);
  // Not an error (a server may only take small fetch batches), but a beacon's 413 is never seen by
  // the page, which counts its events delivered: said once, where the server's owner looks.
  if (settings.maxBodyBytes < BEACON_MAX_BYTES)
    SelfLog.write(
      'createIngestHandler: maxBodyBytes ({MaxBodyBytes}) is below the {BeaconBytes} bytes of body a browser sink puts in one beacon or offline-store entry: such a beacon is answered 413 unseen, its events counted delivered by the page, and such an entry is dropped on replay',
      settings.maxBodyBytes,
      BEACON_MAX_BYTES,
    );
  const tell = throttledNotices();
  const ipFailed = (error: unknown): void =>
    tell("createIngestHandler: reading the request's ip failed; the socket's address is used", error);
  const limit = settings.rateLimit === false ? undefined : rateLimiter(settings.rateLimit, tell);
  const budget = new PendingByteBudget(settings.maxPendingBytes, settings.maxBodyBytes);
  const tally: Tally = { responses: Object.create(null) as Record<string, number>, aborted: 0, accepted: 0, rejected: 0 };
  const handler = (
    request: IncomingMessage | Http2ServerRequest | IngestFrameworkRequest,
    reply: ServerResponse | Http2ServerResponse | IngestFrameworkReply,
  ): void => {
    const { req, body, ip } = nodeRequest(request, ipFailed);
    const res = nodeResponse(reply);
    try {
      countOutcome(tally, res);
      handle(log, settings, limit, budget, tally, tell, request, req, res, body, ip);
    } catch (error) {
      failed(req, res, error);
    }
  };
  const metrics = (): IngestMetrics => ({
    responses: { ...tally.responses },
    aborted: tally.aborted,
    accepted: tally.accepted,
    rejected: tally.rejected,
    pendingBytes: budget.pendingBytes,
  });
  return Object.assign(handler, { metrics });
}

/** Counts the status the response was sent with, or the client leaving before it was. */
function countOutcome(tally: Tally, res: ServerResponse): void {
  // Gone before the handler was called (while a middleware before it awaited something): 'close'
  // was emitted already and will not be again. `node:http2`'s compatibility response has no
  // `destroyed`: its stream says it.
  if (res.destroyed || (res as { stream?: { destroyed?: unknown } }).stream?.destroyed === true) {
    tally.aborted++;
    return;
  }
  res.once('close', () => {
    if (res.headersSent) {
      const status = String(res.statusCode);
      tally.responses[status] = (tally.responses[status] ?? 0) + 1;
    } else {
      tally.aborted++;
    }
  });
}

/**
 * Takes a token for a request's client (`key`, from the request and the address the framework
 * resolved from `framework`, the request the handler was given).
 */
type RateLimiter = (req: IncomingMessage, ip: string | undefined, key: string, framework: object) => RateDecision;

/** Writes a SelfLog notice unless one with the same template was written less than {@link NOTICE_INTERVAL_MS} ago. */
type Tell = (template: string, ...args: unknown[]) => void;

/** A {@link Tell} of one handler. On the monotonic clock: a wall clock set back would silence it until it caught up. */
function throttledNotices(): Tell {
  const saidAt = new Map<string, number>();
  return (template, ...args) => {
    const now = performance.now();
    if (now - (saidAt.get(template) ?? -Infinity) < NOTICE_INTERVAL_MS) return;
    saidAt.set(template, now);
    SelfLog.write(template, ...args);
  };
}

function rateLimiter(settings: ResolvedRateLimit, tell: Tell): RateLimiter {
  const limiter = new TokenBucketLimiter({ perSecond: settings.perSecond, burst: settings.burst, maxKeys: settings.maxKeys });
  let warned = false;
  let permissiveSaid = false;
  return (req, ip, key, framework) => {
    // Express's `trust proxy: true` (Fastify's `trustProxy: true`) makes req.ip the first
    // X-Forwarded-For entry, which the client writes: every forged value is a client with a bucket
    // of its own (up to maxKeys).
    if (
      !permissiveSaid &&
      settings.key === remoteNetwork &&
      ip !== undefined &&
      (trustsEveryProxy(req) || (framework !== req && fastifyTrustsEveryProxy(framework)))
    ) {
      permissiveSaid = true;
      SelfLog.write(
        "createIngestHandler: Express's 'trust proxy' is true or trusts every address (a function answering true, a hop count past any chain of proxies), or Fastify's trustProxy does, so req.ip (request.ip), which the rate limit keys on, is the first X-Forwarded-For entry, which any client can forge: each forged address gets a bucket of its own. Set it to your proxy's address or hop count",
      );
    }
    // Any client can send the header, so the notice says what to do either way, never only "trust it".
    if (!warned && settings.key === remoteNetwork && (ip ?? remoteAddress(req)) === remoteAddress(req) && forwarded(req)) {
      // Said once: every request of that proxy is limited as one client.
      warned = true;
      SelfLog.write(
        'createIngestHandler: a request carries X-Forwarded-For or Forwarded but is rate-limited by the address {Address} it came from. If that is your reverse proxy, every client behind it shares one bucket: set trust proxy (Express) or trustProxy (Fastify) to that address, or rateLimit.key. If it is no proxy of yours, a client sent the header itself: trust nothing',
        remoteAddress(req),
      );
    }
    const decision = limiter.take(key);
    // Under a flood, buckets refill and new clients share again many times a second: said once a minute at most.
    if (decision.shared)
      tell(
        'createIngestHandler: rateLimit.maxKeys ({MaxKeys}) clients hold partly spent buckets, so new clients share one bucket until one of those refills; raise rateLimit.maxKeys if these are real clients',
        settings.maxKeys,
      );
    return decision;
  };
}

/**
 * What Express's compiled trust function (`trust proxy fn`), or a Fastify request's `ip` getter,
 * answered, by function: asked once each.
 */
const everyProxyTrusted = new WeakMap<object, boolean>();

/**
 * Whether the request is Express's and its app trusts every proxy: `app.set('trust proxy', true)`,
 * or a setting that trusts any address at any hop as `true` does (a function answering true, a
 * hop count of thousands), which its compiled `trust proxy fn` says of a documentation address
 * (RFC 5737) 1 000 hops from the socket, where no chain of real proxies reaches.
 */
function trustsEveryProxy(req: IncomingMessage): boolean {
  try {
    const app: unknown = (req as { app?: unknown }).app;
    const get: unknown =
      typeof app === 'function' || typeof app === 'object' ? (app as { get?: unknown } | null)?.get : undefined;
    if (typeof get !== 'function') return false;
    const trust: unknown = (get as (name: string) => unknown).call(app, 'trust proxy fn');
    if (typeof trust !== 'function') return (get as (name: string) => unknown).call(app, 'trust proxy') === true;
    let every = everyProxyTrusted.get(trust);
    if (every === undefined) {
      every = (trust as (address: string, hop: number) => unknown)('203.0.113.7', 1_000) === true;
      everyProxyTrusted.set(trust, every);
    }
    return every;
  } catch {
    return false;
  }
}

/** The client address a Fastify `ip` getter is asked for behind 1 000 proxies, each at a documentation address (RFC 5737). */
const PROBED_CLIENT = '198.51.100.1';

/**
 * Whether `framework` is a Fastify request (Nest's on Fastify too) whose `ip` trusts every proxy:
 * `trustProxy: true`, a function answering true, a hop count of thousands. Fastify keeps its trust
 * function to itself, so its `ip` getter is asked, once, of a request that came through 1 000
 * proxies no app trusts by address: it answers their first client only when it trusts them all.
 */
function fastifyTrustsEveryProxy(framework: object): boolean {
  let getter: unknown;
  try {
    for (let from: unknown = Object.getPrototypeOf(framework); from !== null && getter === undefined;) {
      const descriptor: PropertyDescriptor | undefined = Object.getOwnPropertyDescriptor(from, 'ip');
      // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with a `this` of its own
      getter = descriptor?.get;
      from = Object.getPrototypeOf(from);
    }
    if (typeof getter !== 'function') return false;
    let every = everyProxyTrusted.get(getter);
    if (every !== undefined) return every;
    // Remembered before asking: a getter that throws here is not asked again on every request.
    everyProxyTrusted.set(getter, false);
    const chain = [PROBED_CLIENT, ...Array<string>(999).fill('203.0.113.9')].join(', ');
    const raw = { headers: { 'x-forwarded-for': chain }, socket: { remoteAddress: '203.0.113.7' } };
    every = (getter as (this: object) => unknown).call({ raw }) === PROBED_CLIENT;
    everyProxyTrusted.set(getter, every);
    return every;
  } catch {
    return false;
  }
}

function forwarded(req: IncomingMessage): boolean {
  return req.headers['x-forwarded-for'] !== undefined || req.headers.forwarded !== undefined;
}

function handle(
  log: IngestLogger,
  settings: ResolvedIngestOptions,
  limit: RateLimiter | undefined,
  budget: PendingByteBudget,
  tally: Tally,
  tell: Tell,
  framework: object,
  req: IncomingMessage,
  res: ServerResponse,
  parsed: unknown,
  ip: string | undefined,
): void {
  // Framed by both (taken only with insecureHTTPParser: Node's parser answers 400 itself), the body
  // may end elsewhere for a proxy before the server, and what follows it may be a request smuggled
  // in: the connection is closed after the answer, whatever it is (RFC 9112 §6.1).
  if (req.httpVersionMajor === 1 && req.headers['transfer-encoding'] !== undefined && req.headers['content-length'] !== undefined)
    res.setHeader('Connection', 'close');
  // Every answer depends on Origin then, a 403 too.
  if (settings.allowedOrigins !== undefined) varyOnOrigin(res);
  // Before the rate limit: another site's beacons, sent by this app's own users, spend none of their tokens.
  if (settings.allowedOrigins !== undefined && foreign(req, settings.allowedOrigins)) {
    refuse(req, res, 403, 'Forbidden: origin not allowed');
    return;
  }
  // A page of an allowed origin: its preflight is answered here, its POST's answer made readable.
  if (settings.allowedOrigins !== undefined && allowCors(req, res, settings.allowedOrigins)) return;
  // The client the rate limit counts is the one whose share of maxPendingBytes is counted too.
  const key = clientKey(settings.rateLimit === false ? remoteNetwork : settings.rateLimit.key, req, ip, tell);
  if (limit !== undefined) {
    const decision = limit(req, ip, key, framework);
    if (!decision.allowed) {
      refuse(req, res, 429, 'Too Many Requests', { 'Retry-After': String(decision.retryAfterSeconds) });
      return;
    }
  }
  if (req.method !== 'POST') {
    refuse(req, res, 405, 'Method Not Allowed', { Allow: 'POST' });
    return;
  }
  const mediaType = readMediaType(req.headers['content-type']);
  if (mediaType !== 'accepted') {
    refuse(
      req,
      res,
      415,
      mediaType === 'malformed' ? 'Unsupported Media Type: malformed Content-Type' : 'Unsupported Media Type',
    );
    return;
  }
  // Nothing is decompressed (so no gzip bomb): a coded body would only be split into garbage lines
  // (RFC 9110 §8.4, RFC 7694). One an Express body parser already inflated is no longer coded.
  if (!identityCoded(req.headers['content-encoding']) && !inflatedByExpress(req, parsed)) {
    refuse(req, res, 415, 'Unsupported Media Type', { 'Accept-Encoding': 'identity' });
    return;
  }
  // Node's parser takes `Transfer-Encoding: gzip, chunked` and hands the chunks over still coded:
  // as garbage lines they would be rejected, the batch lost. Not decoded either (RFC 9112 §6.1).
  if (!chunkedOnly(req.headers['transfer-encoding'])) {
    refuse(req, res, 501, 'Not Implemented: transfer coding');
    return;
  }
  const minRate = { bytesPerSecond: settings.minBodyBytesPerSecond, graceMs: settings.bodyGracePeriodMs };
  // Once every check that refuses a body unread has passed, a client holding it back is asked for it.
  const reading = readRequestBody(
    req,
    settings.maxBodyBytes,
    settings.bodyTimeoutMs,
    parsed,
    budget.forClient(key),
    minRate,
    () => inviteBody(req, res),
  );
  void reading.then((result) => {
    try {
      answer(log, settings, tally, tell, req, res, result, ip);
    } catch (error) {
      failed(req, res, error);
    }
  });
}

function answer(
  log: IngestLogger,
  settings: ResolvedIngestOptions,
  tally: Tally,
  tell: Tell,
  req: IncomingMessage,
  res: ServerResponse,
  result: BodyReadResult,
  ip: string | undefined,
): void {
  switch (result.kind) {
    case 'too-large':
      refuse(req, res, 413, 'Content Too Large');
      return;
    case 'busy':
      refuse(req, res, 503, 'Service Unavailable', { 'Retry-After': '1' });
      return;
    case 'client-share':
      // This client's other bodies being read hold its share: it is the one to slow down, not everyone.
      refuse(req, res, 429, 'Too Many Requests: this client already holds its share of maxPendingBytes', {
        'Retry-After': '1',
      });
      return;
    case 'consumed':
      // A mounting mistake, not the client's: 500, so the client keeps its events and retries.
      SelfLog.write(
        'createIngestHandler: the request body was already read by a middleware and left nowhere the handler can find it (req.body); mount the handler before that middleware',
      );
      refuse(req, res, 500, 'Internal Server Error');
      return;
    case 'timeout':
      refuse(req, res, 408, 'Request Timeout');
      return;
    case 'aborted':
      res.destroy();
      return;
    case 'body': {
      const { events, rejected, reason } = parseClientEvents(result.body, settings, result.unwritable);
      const serverProperties = fromRequest(settings, req, ip, tell);
      const closedBefore = rejectedAfterClose(log);
      let accepted = 0;
      for (const event of events) if (write(log, settings, serverProperties, event)) accepted++;
      if (accepted > 0 && rejectedAfterClose(log) > closedBefore) {
        // The server logger is closed (the server is shutting down): it counted the events and
        // dropped them. 503 tells the client to keep them and send them again, elsewhere or later.
        // Any count means closed: an event below the logger's minimum level returns before the
        // closed logger counts it, so a batch holding one was taken for written.
        refuse(req, res, 503, 'Service Unavailable: the server logger is closed', { 'Retry-After': '1' });
        return;
      }
      const refused = rejected + events.length - accepted;
      tally.accepted += accepted;
      tally.rejected += refused;
      const status = accepted === 0 && rejected > 0 ? 400 : 200;
      // Why, as Seq's ingestion API says it: the counts alone left a developer guessing (SelfLog said nothing either).
      const error = reason ?? (refused > 0 ? "an event could not be written by the server's logger" : undefined);
      respond(res, status, error === undefined ? { accepted, rejected: refused } : { accepted, rejected: refused, error });
    }
  }
}

/**
 * Whether a request comes from a page of an origin not allowed. A page whose `Referrer-Policy` is
 * `no-referrer` (helmet's default) sends its `text/plain` beacons with `Origin: null` (Fetch,
 * "append a request Origin header"): such a beacon to the page's own origin is let in by
 * `Sec-Fetch-Site`, which no page can set.
 */
function foreign(req: IncomingMessage, allowed: ReadonlySet<string>): boolean {
  const origin = req.headers.origin;
  if (origin === undefined || allowed.has(origin)) return false;
  return !(origin === 'null' && req.headers['sec-fetch-site'] === 'same-origin');
}

/**
 * Adds `Origin` to the answer's `Vary`, after what a middleware before this one set (compression's
 * `Accept-Encoding`, cors' `Origin`, an app's list `['Accept-Encoding']`); a `*` varies on it already.
 */
function varyOnOrigin(res: ServerResponse): void {
  const set = res.getHeader('Vary');
  const vary = Array.isArray(set) ? set.join(', ') : typeof set === 'string' ? set : '';
  if (vary.trim() === '') res.setHeader('Vary', 'Origin');
  else if (!/(?:^|,)\s*(?:origin|\*)\s*(?:,|$)/i.test(vary)) res.setHeader('Vary', `${vary}, Origin`);
}

/** Header names (tokens, RFC 9110 §5.6.2) a preflight may ask for: echoed as asked, anything else is not. */
const HEADER_NAMES = /^[!#$%&'*+.^`|~\w-]+(?:[ \t]*,[ \t]*[!#$%&'*+.^`|~\w-]+)*$/;

/**
 * CORS for a page of an allowed origin (the Fetch standard's CORS protocol): its answers carry
 * `Access-Control-Allow-Origin` (that origin, never `*`) with `Access-Control-Allow-Credentials`,
 * as a beacon carries cookies and a credentialed request accepts no `*`, and
 * `Access-Control-Expose-Headers: Retry-After`, so the page's sink reads the delay of a 429 or 503;
 * its preflight (`OPTIONS`
 * with `Access-Control-Request-Method`) is answered 204 here, allowing `POST` and the request
 * headers it names, for 10 minutes. True when the request was answered (a preflight).
 */
function allowCors(req: IncomingMessage, res: ServerResponse, allowed: ReadonlySet<string>): boolean {
  const origin = req.headers.origin;
  if (origin === undefined || !allowed.has(origin)) return false;
  res.setHeader('Access-Control-Allow-Origin', origin);
  res.setHeader('Access-Control-Allow-Credentials', 'true');
  // Not safelisted: without it the page cannot read the delay a 429 or 503 asks for.
  res.setHeader('Access-Control-Expose-Headers', 'Retry-After');
  if (req.method !== 'OPTIONS' || req.headers['access-control-request-method'] === undefined) return false;
  const asked = req.headers['access-control-request-headers'];
  res.writeHead(204, {
    'Access-Control-Allow-Methods': 'POST',
    'Access-Control-Allow-Headers':
      asked !== undefined && asked.length <= 1024 && HEADER_NAMES.test(asked) ? asked : 'Content-Type',
    'Access-Control-Max-Age': '600',
    'Content-Length': '0',
  });
  res.end();
  return true;
}

/** Longest client key kept as it is, in UTF-16 code units; a longer one is kept as its SHA-256 digest. */
const MAX_KEY_LENGTH = 64;

/**
 * The client's key for the rate limit and its share of `maxPendingBytes`. One longer than 64
 * characters (an app's key from a header a client sets: up to 16 KiB each) is kept as its
 * SHA-256 digest: held for each of up to `maxKeys` clients, 10 000 keys of 10 000 characters kept
 * 100 MB.
 */
function clientKey(key: ResolvedRateLimit['key'], req: IncomingMessage, ip: string | undefined, tell: Tell): string {
  try {
    const text = String(key(req, ip));
    return text.length <= MAX_KEY_LENGTH ? text : `sha256:${createHash('sha256').update(text).digest('base64')}`;
  } catch (error) {
    // Told before the rate limit, so at most once a minute: a client leaving out the header the key reads could write a line a request.
    tell('createIngestHandler: rateLimit.key threw; the request is limited under the key "unknown"', error);
    return 'unknown';
  }
}

/** An `Expect` header holding `100-continue`, as Node's server reads it. */
const EXPECT_CONTINUE = /(?:^|\W)100-continue(?:$|\W)/i;

/**
 * Sends `100 Continue` to a client that holds its body back until asked (`Expect: 100-continue`,
 * RFC 9110 §10.1.1) when nothing has asked it yet: the handler is mounted on the server's
 * `checkContinue` event, where Node leaves that answer to the app. So the body of a request the
 * handler refuses (413 to its declared length, 429, 415 …) is never sent, as Kestrel asks for it
 * only once the app reads it; mounted on `request` alone, Node has asked already. Over HTTP/1.1
 * Node's response says whether it sent one (`_sent100`, `false` until then; any other response is
 * left as it is); over HTTP/2 (`node:http2`'s compatibility API, whose request has its `stream`)
 * the stream's informational headers sent do. An HTTP/1.0 request's expectation is ignored, as
 * Node's server ignores it: HTTP/1.0 has no 1xx answers, and such a client reads a `100 Continue`
 * as its final answer (RFC 9110 §10.1.1 and §15.2: a server MUST NOT send one to it).
 */
function inviteBody(req: IncomingMessage, res: ServerResponse): void {
  if (req.complete || (req.httpVersionMajor === 1 && req.httpVersionMinor === 0)) return;
  const expect = req.headers.expect;
  if (typeof expect !== 'string' || !EXPECT_CONTINUE.test(expect)) return;
  const stream = (req as { stream?: { sentInfoHeaders?: readonly Record<string, unknown>[] } }).stream;
  const sent =
    typeof stream === 'object'
      ? (stream.sentInfoHeaders?.some((headers) => headers[':status'] === 100) ?? false)
      : (res as { _sent100?: unknown })._sent100 !== false;
  if (!sent) res.writeContinue();
}

function identityCoded(header: string | undefined): boolean {
  // Trimmed, then compared: a regex with \s* on both sides of an optional word backtracks
  // quadratically on a header of spaces (16 KB of them cost 320 ms a request).
  return header === undefined || header.split(',').every((coding) => /^(?:identity)?$/i.test(coding.trim()));
}

/**
 * Whether an Express app's body parser (`express.json()`, `text()`, `raw()`: body-parser, which
 * inflates gzip, deflate and br under its own `limit`, or answers 415 itself with `inflate: false`)
 * already read the body and left it in `parsed`. Fastify inflates nothing. A Buffer still starting
 * as gzip (1F 8B) or zlib (RFC 1950) does was kept as it came, by a middleware that only read it.
 */
function inflatedByExpress(req: IncomingMessage, parsed: unknown): boolean {
  if (!req.readableEnded || parsed === undefined || parsed === null || (req as { app?: unknown }).app === undefined) return false;
  if (!(parsed instanceof Uint8Array) || parsed.length < 2) return true;
  const [first, second] = parsed;
  return !((first === 0x1f && second === 0x8b) || ((first & 0x0f) === 8 && ((first << 8) | second) % 31 === 0));
}

/** Whether a `Transfer-Encoding` is absent or only `chunked`, the one coding Node decodes. */
function chunkedOnly(header: string | undefined): boolean {
  return header === undefined || header.split(',').every((coding) => coding.trim().toLowerCase() === 'chunked');
}

/** The logger's count of calls made after close, when it is a Logger that has `metrics()` (else 0, so nothing is ever taken for closed). */
function rejectedAfterClose(log: IngestLogger): number {
  const metrics = (log as Partial<Pick<Logger, 'metrics'>>).metrics;
  try {
    return typeof metrics === 'function' ? metrics.call(log).rejectedAfterClose : 0;
  } catch {
    return 0;
  }
}

function fromRequest(
  settings: ResolvedIngestOptions,
  req: IncomingMessage,
  ip: string | undefined,
  tell: Tell,
): Record<string, unknown> {
  const properties: Record<string, unknown> = { Origin: settings.origin };
  const agent = req.headers['user-agent'];
  if (typeof agent === 'string' && agent !== '') properties.UserAgent = agent.slice(0, MAX_USER_AGENT);
  if (settings.clientAddress !== undefined) {
    try {
      const address = settings.clientAddress(req, ip);
      if (address !== undefined) properties.ClientAddress = String(address);
    } catch (error) {
      tell('createIngestHandler: clientAddress threw; the address is left out', error);
    }
  }
  return properties;
}

function write(log: IngestLogger, settings: ResolvedIngestOptions, server: Record<string, unknown>, event: ClientEvent): boolean {
  try {
    // Copied name by name, not spread: V8 adds the names below to a spread copy on a slow path.
    const properties: Record<string, unknown> = {};
    copyOwnProperties(properties, server);
    if (event.template !== undefined) properties.ClientTemplate = event.template;
    if (event.timestamp !== undefined) properties.ClientTimestamp = event.timestamp;
    if (event.clientLevel !== undefined) properties.ClientLevel = event.clientLevel;
    // The event happened in the browser, not in this request: the browser's own trace ids or none,
    // never the server span's or the request context's (present as keys, so no enricher adds them).
    Object.assign(properties, NO_TRACE, event.trace);
    properties[settings.clientProperty] = event.properties;
    const [logger, message] = redactedChild(log, settings.clientProperty, properties, event);
    if (event.exception === undefined) logger.write(event.level, INGEST_TEMPLATE, message);
    else logger.write(event.level, clientError(event.exception), INGEST_TEMPLATE, message);
    return true;
  } catch (error) {
    SelfLog.write('createIngestHandler: an event could not be written', error);
    return false;
  }
}

/**
 * The logger an event is written through, with `properties` bound, and its `ClientMessage`. On an
 * rxlog Logger, the client's values are redacted by the server's policies as they are bound (a
 * censor function too: once, for this one event), and the message is rendered from them as they
 * were left, so a value the policy censors in `Client` is censored in the message as well. A
 * message the client sent without its template cannot be rendered again: it is kept only when the
 * policies changed none of the client's values, else replaced by {@link REDACTED_MESSAGE}. So is the
 * message a client sent with a template whose formatted holes it gave no renderings for (NDJSON,
 * see `ClientEvent.sentMessage`), else the template is rendered. Any other logger (one that only
 * has `child`) has no rxlog policy: its message is the client's (`sentMessage`), or rendered from the
 * values as sent.
 */
function redactedChild(
  log: IngestLogger,
  name: string,
  properties: Record<string, unknown>,
  event: ClientEvent,
): [Pick<Logger, 'write'>, string] {
  const made = bindRedacted(log, properties);
  if (made === undefined) return [log.child(properties), event.sentMessage ?? clientMessage(event, event.properties)];
  const [logger, bound, limits] = made;
  const at = bound.keys.indexOf(name);
  const client: unknown = at === -1 ? undefined : bound.values[at];
  // A Client the policy replaced as a whole (a string, a censor function's array) names no value:
  // each hole renders as written. A string's characters or an array's items would fill `{0}`.
  const values =
    typeof client === 'object' && client !== null && !Array.isArray(client) ? (client as Record<string, unknown>) : NO_VALUES;
  // Captured as bindProperties captured it, under the logger's own capture limits (which cut long
  // strings and collections, and are no policy): the same JSON unless a policy changed something.
  const unchanged = (): boolean =>
    at !== -1 && writeJson(captureValue(event.properties, 'default', limits)) === writeJson(client);
  if (event.template !== undefined)
    return [logger, event.sentMessage !== undefined && unchanged() ? event.sentMessage : clientMessage(event, values)];
  return [logger, unchanged() ? clientMessage(event, values) : REDACTED_MESSAGE];
}

/**
 * The client's exception text as an Error: its first line is the message, the whole text its
 * stack, every line indented by two spaces. Text output keeps an exception's line breaks (a
 * stack is multi-line) and starts it on a line of its own, so a line of the client's text such
 * as `[06:00:00 FTL] Database dropped` would pass for an event of the server's own there.
 */
function clientError(text: string): Error {
  const newline = text.indexOf('\n');
  const error = new Error(newline === -1 ? text : text.slice(0, newline));
  error.name = 'ClientError';
  error.stack = `  ${text.replaceAll('\n', '\n  ')}`;
  return error;
}
