import { adoptedPromise } from '../../core/adopt-outcome';
import { checkOptionKeys } from '../../core/check-option-keys';
import { expectReadableOption, readGuarded, readOptions } from '../../core/read-options';
import { ConfigurationError } from '../../core/errors/configuration-error';
import { plainFormatter } from './plain-formatter';
import { MAX_TIMER_MS } from '../../core/max-timer-ms';
import type { LogEvent } from '../../core/log-event';
import { PartialDeliveryError } from '../../core/errors/partial-delivery-error';
import { retryHint } from '../../core/retry-hint';
import { SelfLog } from '../../core/self-log';
import { type EmitResult, type Formatter, GIVEN_UP, type Sink } from '../../core/sink';
import { CompactJsonFormatter } from '../../formatting/compact-json-formatter';
import { HttpBeacon } from './http-beacon';
import { pageHref, urlSchemeHere } from './page-url';
import { beaconPayload } from './http-beacon-payloads';
import { expectOption } from '../../core/expect-option';
import {
  type HttpOfflineOptions,
  HttpOfflineQueue,
  type OfflinePiece,
  type OfflineStats,
  storageBlocked,
} from './http-offline-queue';
import { parseRetryAfter } from './http-retry-after';
import { HttpStatusError } from './http-status-error';
import { redactUrl, redactUrlSecrets, urlSecrets } from './http-redact-url';
import { HttpTimeoutError } from './http-timeout-error';
import { isOffline, whenOnline } from './http-online';
import { utf8Length } from './http-utf8-length';
import { lineHalves } from './line-halves';
import { joinLines, lineOrPlaceholder } from './unformattable-line';
import { readResponseStart } from './read-response-start';
import { urlCredentials } from './http-url-credentials';
import { checkFramingHeaders, checkHeaders, readHeaders, withHeaders } from './with-header';
import { CLEF_CONTENT_TYPE } from './clef-content-type';
import { BEACON_MAX_BYTES } from './beacon-max-bytes';

/**
 * The most batches a sink holds for page hide (see `#unanswered`): one per lane it serves that
 * waits for a retry; the oldest goes first.
 */
const HELD_BATCHES = 16;

/** How much of a response body is read (for an error's excerpt, and to release the connection), in bytes; the rest is dropped. */
export const RESPONSE_TEXT_MAX_BYTES = 16 * 1024;
/** The answer of rxlog's ingest handler (createIngestHandler): the second number is the lines it rejected. */
const INGEST_ANSWER = /^\{"accepted":\d+,"rejected":(\d+)[,}]/;

/** The start of an HTML document: a 2xx answer's body that is a web page, not a log collector's answer. */
const HTML_PAGE = /^\s*<(?:!doctype\s+html|html[\s>])/i;

/** The longest wait for the start of a body after the status, when `timeoutMs` is `Infinity`: the default timeout. */
export const BODY_WAIT_MS = 10_000;

/** Browsers refuse `keepalive` requests (and beacons) past 64 KiB of body in flight. */
const KEEPALIVE_MAX_BYTES = 64 * 1024;

/** Request headers: fixed, or computed for every request (for tokens that expire). */
export type HttpHeaders = Readonly<Record<string, string>> | (() => Readonly<Record<string, string>>);

/**
 * What HttpSink passes to a fetch it calls, when the app's lib declares no `fetch` (see
 * {@link FetchFunction}).
 */
export interface FetchRequest {
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly keepalive: boolean;
  readonly redirect: 'manual';
  /** An `AbortSignal`: aborted at the timeout or at close. */
  readonly signal: { readonly aborted: boolean };
}

/**
 * What HttpSink reads of a fetch's answer, when the app's lib declares no `fetch` (see
 * {@link FetchFunction}): a `Response` has it all.
 */
export interface FetchResponse {
  readonly ok: boolean;
  readonly status: number;
  readonly statusText?: string | undefined;
  readonly type?: string | undefined;
  /** Read for `Retry-After` on a 429 or 5xx. */
  readonly headers?:
    | {
        /** The header's value, or `null` without it. */
        get(name: string): string | null;
      }
    | undefined;
  /** The body's text, read when there is no `body` stream (its start only: a failed batch's error shows it). */
  text?(): PromiseLike<string>;
}

/**
 * The type of {@link HttpSinkOptions.fetch}: the global `fetch`'s own type where the app's lib
 * declares one (the DOM or web worker lib, `@types/node`), so `fetch` and any function written for
 * it fit as before; otherwise (`lib: ["es2022"]` alone) a function taking the URL and a
 * {@link FetchRequest} and returning a thenable of a {@link FetchResponse}. Either way the root
 * entry's types need no host lib.
 */
export type FetchFunction = typeof globalThis extends { fetch: infer F }
  ? F
  : (url: string, init: FetchRequest) => PromiseLike<FetchResponse>;

/** Options of {@link HttpSink}. */
export interface HttpSinkOptions {
  /**
   * Where batches are sent; relative URLs resolve against the page. A `user:password@` in it, which
   * fetch refuses, is taken out and sent as basic auth (`Authorization: Basic`, UTF-8, percent
   * escapes decoded; an `Authorization` in `headers` wins), and `beacon` then defaults to `false`.
   * Required.
   */
  url: string;
  /**
   * Formats each event of the default body. Default `new CompactJsonFormatter()` (CLEF). A
   * TextFormatter with a `contentType`, `beaconContentType` or fixed `Content-Type` header naming
   * JSON or CLEF is a ConfigurationError (without a `body` of its own).
   */
  formatter?: Formatter | undefined;
  /** Builds a request body from a batch. Default: each event formatted, trailing newline removed, joined with `'\n'`. */
  body?: ((events: readonly LogEvent[]) => string) | undefined;
  /** The `Content-Type` header. Default `'application/vnd.serilog.clef'` with the default formatter and body, else `'text/plain; charset=utf-8'`. */
  contentType?: string | undefined;
  /** Extra request headers, a plain object (for a `Headers` instance: `Object.fromEntries(headers)`), or a function returning one per request; a `Content-Type` here wins. Default none. */
  headers?: HttpHeaders | undefined;
  /** The HTTP method. Default `'POST'`. */
  method?: string | undefined;
  /**
   * The fetch to call, for tests or custom transports. Default `globalThis.fetch`. It may return any
   * thenable; one that fulfils with a thenable more than 32 deep (one that fulfils with itself)
   * fails the batch rather than hold it for ever.
   */
  fetch?: FetchFunction | undefined;
  /** Sends bodies of at most 64 KiB with `keepalive`, so a request in flight outlives the page. Default `true`. */
  keepalive?: boolean | undefined;
  /**
   * The largest request body, in UTF-8 bytes: a batch whose body is larger is not sent whole but
   * cut into as many parts as its size needs (each cut again while still larger), sent in order;
   * an event whose body alone is larger is sent alone, and the server's answer decides (a 413
   * fails it for good). Beacons, offline-store entries and the offline replay's joined requests
   * keep to it too (and to their own 60 KiB). Default `Infinity`: a batch answered 413 is sent
   * again in halves. Once the server refused a body of several events as too large, later batches
   * are also cut to the largest body it took (at least half the refused one) before they are sent.
   */
  maxRequestBytes?: number | undefined;
  /** Longest wait for the response's status before the request is aborted and the batch fails (a body still arriving then is dropped, the status decides), in milliseconds: at most 2 147 483 647 (the longest timer delay), or `Infinity` for none (a body that stalls after the status is then read for at most 10 s). Default `10_000`. */
  timeoutMs?: number | undefined;
  /**
   * In a browser, writes with `navigator.sendBeacon` as the page is hidden or unloading (see
   * `installPageHideFlush`). Default `true`, but `false` when the beacon URL (`beaconUrl`, else
   * `url`) has a `user:password@`: a beacon cannot carry them (they are taken out of its URL).
   */
  beacon?: boolean | undefined;
  /** Where beacons go; beacons carry no custom headers, so credentials must be in this URL or in cookies. Default `url`. */
  beaconUrl?: string | undefined;
  /** The content type of beacon bodies; cross-origin, anything but `text/plain` needs CORS preflight support. Default `contentType`. */
  beaconContentType?: string | undefined;
  /**
   * Keeps batches that cannot leave (offline, network errors) in a bounded store and sends them
   * on the next `online` event or page load, oldest first (after a failed replay, again on a
   * timer: `Retry-After`, else 5 s doubling, at most 10 min; until a `Retry-After` is over, no request
   * goes at all, new batches wait in the store); see {@link HttpOfflineOptions}. Such a
   * batch counts as delivered in the logger's metrics; one the store cannot keep (past its bound,
   * refused by the storage) is handled as without the option. `sink.offline` says what the store did.
   * Default none.
   */
  offline?: HttpOfflineOptions | undefined;
}

/** HttpSink's own option names (see {@link HttpSinkOptions}). */
export const HTTP_OPTION_KEYS = [
  'url',
  'formatter',
  'body',
  'contentType',
  'headers',
  'method',
  'fetch',
  'keepalive',
  'timeoutMs',
  'beacon',
  'beaconUrl',
  'beaconContentType',
  'offline',
  'maxRequestBytes',
] satisfies (keyof HttpSinkOptions)[];

/**
 * Sends batches to an HTTP endpoint with `fetch`: by default CLEF lines in one POST per batch,
 * which Seq and most log collectors accept. A non-2xx answer or a timeout rejects, so the
 * logger's delivery stage retries, opens its circuit breaker and falls back; the sink itself
 * keeps no backlog (the stage queues and batches). Works in browsers and in Node 18+.
 *
 * In a browser window (and unless `beacon: false`) the sink also has `emitSync`: as the page is
 * hidden (in the task of that `visibilitychange`) or being unloaded it hands batches to
 * `navigator.sendBeacon`, cut into bodies of at most 60 KiB (or `maxRequestBytes`); at other times, a page that stays
 * hidden in the background included, it returns `false`, so batches take the normal `fetch` path.
 * `installPageHideFlush(log)` connects the page's `pagehide` and `visibilitychange` events to
 * `log.flushSync()`, which pushes everything queued through `emitSync`. Beacons are
 * fire-and-forget: a batch the browser accepted counts as delivered; what it refuses (past its
 * 64 KiB quota) stays pending, or goes to the offline store. A batch whose request the browser
 * cancelled as the page navigated away (a body over 64 KiB, sent without keepalive) is handed
 * over the same way by `flushSync`. A sink that sends no beacons (`beacon: false`) but has the
 * `offline` store has both too: as the page goes away while offline (or while the store holds
 * requests back), what it holds goes into the store, synchronously; online, by `fetch` with
 * `keepalive`. Outside browser windows the sink has no `emitSync` and no `flushSync`.
 *
 * @example
 * const log = new LoggerConfiguration()
 *   .writeTo.sink(new HttpSink({ url: '/api/logs' }), { batch: { size: 100, maxDelayMs: 2_000 } })
 *   .createLogger();
 * installPageHideFlush(log);
 */
export class HttpSink implements Sink {
  /**
   * The class name configuration errors give (`HttpSink.url: …`). Data, not `new.target.name`:
   * an app's minifier renames classes, and a message naming `Go.url` helps nobody.
   *
   * @internal
   */
  protected static readonly optionsName: string = 'HttpSink';

  /**
   * The option names a subclass adds to HttpSink's (which it passes on): any other key is a
   * misspelling (`beaconContenType`), refused rather than silently meaning the default.
   *
   * @internal
   */
  protected static readonly optionKeys: readonly string[] = [];

  /**
   * The name of the option that gives `url`, for configuration errors (SeqSink's `serverUrl`).
   *
   * @internal
   */
  protected static readonly urlOption: string = 'url';

  /**
   * Whether an event whose body alone is over `maxRequestBytes` is sent alone, the server deciding,
   * by `fetch` and by beacon alike; false where the protocol fails it unsent (OtlpSink).
   *
   * @internal
   */
  protected static readonly sendsOversizedEvent: boolean = true;

  /** The default name of this sink in metrics and the shutdown report (subclasses name their backend). */
  readonly kind: string = 'http';

  /**
   * Batching when `writeTo.sink` gives none: up to 512 events, a partial batch waits at most 1 s
   * (the OpenTelemetry batch processor's figures: one request a second at low volume, bodies of a
   * bounded size under load). Subclasses use their backend's figures.
   */
  readonly batchDefaults: { readonly size: number; readonly maxDelayMs: number } = { size: 512, maxDelayMs: 1_000 };

  /**
   * Writes a batch by beacon while the page is going away (a sink that sends no beacons: into its
   * offline store, while offline); present only in a browser window, with beacons or the store.
   */
  readonly emitSync?: (events: readonly LogEvent[]) => boolean | EmitResult;

  /**
   * While the page is going away, hands the batches whose request the browser cancelled (see
   * `#unanswered`) to beacons and the offline store; present where `emitSync` is.
   */
  readonly flushSync?: () => void;

  readonly #url: string;
  /** The URL as diagnostics show it: credentials and query values redacted. */
  readonly #safeUrl: string;
  readonly #secrets: readonly string[];
  readonly #beaconUrl: string;
  readonly #method: string;
  readonly #contentType: string;
  readonly #headers: HttpHeaders | undefined;
  readonly #fetch: typeof fetch;
  readonly #keepalive: boolean;
  readonly #timeoutMs: number;
  readonly #maxRequestBytes: number;
  /** The largest body of a beacon or an offline-store entry: `maxRequestBytes`, at most 60 KiB. */
  readonly #pieceBytes: number;
  /**
   * The largest beacon body of one event alone: 60 KiB, or `#pieceBytes` where an event over
   * `maxRequestBytes` is not sent (see `sendsOversizedEvent`).
   */
  readonly #loneBytes: number;
  readonly #body: (events: readonly LogEvent[]) => string;
  /** The events the sink's own line bodies left out: the formatter threw on them and on their placeholder. */
  readonly #omitted = new WeakSet<LogEvent>();
  /** Whether bodies are the sink's own lines (no `body` option): a stored one can be cut in halves (see `storedHalves`). */
  readonly #lineBodies: boolean;
  /** Sends beacons; `undefined` where there are none or the sink sends none (`beacon: false`). */
  readonly #beacon: HttpBeacon | undefined;
  /** Follows the page's lifecycle in a browser window: `#beacon`, or (no beacons) the same without its sends. */
  readonly #page: HttpBeacon | undefined;
  readonly #offlineQueue: HttpOfflineQueue | undefined;
  readonly #inFlight = new Set<AbortController>();
  /**
   * The batches whose request failed without an answer (a network error), oldest first, each until
   * it is sent again or given up on: Chromium cancels a page's requests as it navigates away,
   * before `pagehide`, so the logger holds such a batch for a retry when the page hides, and page
   * hide hands it over. One per logger a shared sink serves (or per sink it is the fallback of).
   */
  #unanswered: (readonly LogEvent[])[] = [];
  /** Events page hide handed to beacons or the offline store while the logger held them for a retry: not sent again. */
  readonly #handedOver = new WeakSet<LogEvent>();
  /** Aborted by close(): ends a wait for the network. */
  readonly #closed = new AbortController();
  #written = 0;
  /**
   * The smallest beacon body the browser refused in this turn of the event loop: until the turn
   * ends no upload can leave the quota, so one as large is refused again (a page-hide flush of
   * many batches tries each size once).
   */
  #refusedBytes = Infinity;
  /** Whether a 2xx answer was an HTML page yet (SelfLog says so once). */
  #htmlSeen = false;
  /** UTF-8 bytes of the smallest body of several events the server refused as too large (see `tooLarge`). */
  #refused = Infinity;
  /** UTF-8 bytes of the largest body the server accepted. */
  #taken = 0;
  /**
   * The parts of a batch the server refused as too large, which go as they are (see `emit`): a
   * mark on each part, not on the sink, so a batch another logger sends meanwhile is still cut.
   */
  readonly #asIs = new WeakSet<readonly LogEvent[]>();

  /** @throws ConfigurationError naming the bad option. */
  constructor(supplied: HttpSinkOptions) {
    const kind = new.target.optionsName;
    const names = [...HTTP_OPTION_KEYS, ...new.target.optionKeys];
    /* eslint-disable @typescript-eslint/no-unnecessary-condition -- JavaScript callers can pass anything: every option is checked */
    expectOption(typeof supplied === 'object' && supplied !== null, kind, 'an options object with a url', supplied);
    // Each option read once: a getter that throws is a ConfigurationError naming it.
    const options = readOptions(kind, supplied, names) as unknown as HttpSinkOptions;
    checkOptionKeys(kind, options, names);
    const where = `${kind}.${new.target.urlOption}`;
    const given = checkUrl(options.url, where);
    const [url, authorization] = urlCredentials(given, where);
    this.#url = url;
    this.#safeUrl = redactUrl(url);
    // The given URL's: an error or answer that echoes the password hides it too.
    this.#secrets = urlSecrets(given);
    const method = options.method ?? 'POST';
    expectOption(typeof method === 'string' && method !== '', `${kind}.method`, 'an HTTP method', options.method);
    this.#method = method;
    const timeoutMs = options.timeoutMs ?? 10_000;
    // A finite delay past MAX_TIMER_MS fires after 1 ms (timers clamp it): every request would time out at once.
    expectOption(
      typeof timeoutMs === 'number' && timeoutMs > 0 && (timeoutMs <= MAX_TIMER_MS || timeoutMs === Infinity),
      `${kind}.timeoutMs`,
      `milliseconds > 0 and at most ${MAX_TIMER_MS}, or Infinity`,
      options.timeoutMs,
    );
    this.#timeoutMs = timeoutMs;
    const maxRequestBytes = options.maxRequestBytes ?? Infinity;
    expectOption(
      typeof maxRequestBytes === 'number' && maxRequestBytes > 0,
      `${kind}.maxRequestBytes`,
      'bytes > 0, or Infinity',
      options.maxRequestBytes,
    );
    this.#maxRequestBytes = maxRequestBytes;
    const pieceBytes = (this.#pieceBytes = Math.min(maxRequestBytes, BEACON_MAX_BYTES));
    this.#loneBytes = new.target.sendsOversizedEvent ? BEACON_MAX_BYTES : pieceBytes;
    const { formatter, body, headers } = options;
    expectReadableOption(
      `${kind}.formatter`,
      'the formatter',
      'an object with format(event)',
      formatter,
      (given) => typeof (given as Formatter | null)?.format === 'function',
    );
    expectOption(body === undefined || typeof body === 'function', `${kind}.body`, 'a function of the events', body);
    checkHeaders(`${kind}.headers`, headers);
    readGuarded(`${kind}.headers`, 'the headers', () => checkFramingHeaders(`${kind}.headers`, headers));
    this.#fetch = options.fetch ?? globalFetch(kind);
    expectOption(typeof this.#fetch === 'function', `${kind}.fetch`, 'a fetch function', options.fetch);
    /* eslint-enable @typescript-eslint/no-unnecessary-condition */
    // A TextFormatter's plain lines under a JSON or CLEF content type (or beacon content type, or a
    // fixed header's): the server refused every batch (400), seen only in lastError.
    if (body === undefined && plainFormatter(`${kind}.formatter`, formatter) === 'a TextFormatter') {
      const json = readGuarded(`${kind}.headers`, 'the headers', () =>
        [
          options.contentType,
          options.beaconContentType,
          ...Object.entries((headers ?? {}) as Record<string, unknown>).map(
            ([name, value]) => /^content-type$/i.test(name) && value,
          ),
        ].find((type) => typeof type === 'string' && /json|clef/i.test(type)),
      );
      if (json !== undefined)
        throw new ConfigurationError(
          `${kind}.formatter: a TextFormatter writes plain text, not the JSON ${JSON.stringify(json)} names (refused by the server); give a JSON formatter or a text content type`,
        );
    }
    const usesDefaults = formatter === undefined && body === undefined;
    this.#contentType = options.contentType ?? (usesDefaults ? CLEF_CONTENT_TYPE : 'text/plain; charset=utf-8');
    // An Authorization among `headers` wins over the URL's credentials, as in Go's http.Client.
    this.#headers = withHeaders(authorization, headers);
    // A string from a configuration file ('false') would be truthy: keepalive or beacons used silently.
    for (const name of ['keepalive', 'beacon'] as const)
      expectOption(
        options[name] === undefined || typeof options[name] === 'boolean',
        `${kind}.${name}`,
        'true or false',
        options[name],
      );
    this.#keepalive = options.keepalive ?? true;
    this.#body = body ?? linesBody(formatter ?? new CompactJsonFormatter(), this.#omitted, () => this.kind);
    this.#lineBodies = body === undefined;
    const [beaconUrl, beaconAuthorization] =
      options.beaconUrl === undefined
        ? [url, authorization]
        : urlCredentials(checkUrl(options.beaconUrl, `${kind}.beaconUrl`), `${kind}.beaconUrl`);
    this.#beaconUrl = beaconUrl;
    // A beacon carries no Authorization: the server would refuse it (401) unseen, its events counted delivered.
    const beacons = options.beacon ?? beaconAuthorization === undefined;
    const offline = options.offline;
    const stores = offline !== undefined && !storageBlocked(offline, `${kind}.offline`);
    // Without beacons, the page is still followed: for the offline store (what the page hides with
    // while offline, or while `holding`, goes into it, as the beacon path puts it there), and to
    // send a refused keepalive request again without keepalive while the page is not hiding.
    const page = HttpBeacon.detect(beaconUrl, options.beaconContentType ?? this.#contentType);
    this.#beacon = beacons ? page : undefined;
    this.#page = page;
    if (page !== undefined && (beacons || stores)) {
      this.emitSync = (events) => this.#writeByBeacon(page, events);
      this.flushSync = () => {
        if (this.#leaving(page)) this.#handOverHeld(page);
      };
    }
    // A stored piece's bound, and below a size the server refused (see `#learned`) for a joined
    // request or a stored batch (not the half of one), as a live batch is cut.
    const storedBytes = (whole = true): number => Math.min(pieceBytes, whole ? this.#learned() : Infinity);
    this.#offlineQueue = !stores
      ? undefined
      : new HttpOfflineQueue(
          offline,
          url,
          `${kind}.offline`,
          (text, keepalive) => this.#send(text, keepalive),
          (piece, error) => {
            if (error !== undefined && !this.tooLarge(error)) return;
            // A body of several events too large for the server teaches a bound, as a live batch's does (see `emit`).
            if (error !== undefined && piece.count > 1) this.#refused = Math.min(this.#refused, utf8Length(piece.body));
            return this.storedHalves(piece);
          },
          (first, next) => {
            // Within the bound of a stored piece, and below a size the server refused: the replay sends the joined body as one request.
            const joined = this.storedJoin(first, next);
            return joined !== undefined && utf8Length(joined) <= storedBytes() ? joined : undefined;
          },
          storedBytes,
          // Read at each replay: a subclass's own batchDefaults is set after this constructor.
          () => this.batchDefaults.size,
        );
  }

  /** What the offline store did and holds, when the `offline` option is on. */
  get offline(): OfflineStats | undefined {
    return this.#offlineQueue?.stats();
  }

  /** UTF-8 bytes of the request bodies the server accepted so far (reported as `bytesWritten` in metrics). */
  get bytesWritten(): number {
    return this.#written;
  }

  /** The URLs this sink sends to (`url`, and `beaconUrl` when it differs), e.g. to keep them out of request logging. */
  get endpoints(): readonly string[] {
    return this.#beaconUrl === this.#url ? [this.#url] : [this.#url, this.#beaconUrl];
  }

  /**
   * Sends one batch; resolves on a 2xx answer, rejects on any other answer (a redirect included),
   * a network error or a timeout. In a browser that says it is offline (`navigator.onLine` false)
   * and without the `offline` option, the request waits for the `online` event (or `close()`),
   * so the batch is sent once when the network returns; meanwhile the logger's bounded queue
   * holds later events and counts what overflows. A batch whose body is over `maxRequestBytes` is
   * sent in parts instead, and one answered 413 (Payload Too Large) or 408 (Request Timeout: the
   * server stopped reading a body that came too slowly) again in two halves, recursively; a single
   * event answered 413 fails for good, one answered 408 is retried. An empty batch sends nothing
   * (OTLP asks senders not to send empty envelopes). A subclass may resolve with an EmitResult
   * (OtlpSink: the records a partial success refused).
   */
  async emit(events: readonly LogEvent[]): Promise<void | EmitResult> {
    if (events.length === 0) return;
    this[GIVEN_UP](events);
    const asIs = this.#asIs.has(events);
    let handed = 0;
    while (this.#handedOver.has(events[handed])) handed++;
    // The logger sends again a batch page hide handed over (in part): those events went.
    if (handed > 0) return this.#after(handed, this.leftOut(events.slice(0, handed)), () => this.emit(events.slice(handed)));
    let written: string | undefined;
    try {
      const body = (written = this.#body(events));
      // A body that left every event out (see `leftOut`) would be an empty request: nothing is sent.
      if (body === '' && this.leftOut(events) === events.length) return { rejected: events.length };
      // Once the server refused a body as too large (a limit below maxRequestBytes), later batches
      // are cut below it before they are sent, not refused one upload each: to the largest body it
      // took, at least half the one it refused.
      const max = Math.min(this.#maxRequestBytes, asIs ? Infinity : this.#learned());
      // Over the bound: in parts of about the bound each, by count (one more body for events
      // of like sizes, where halving would write the batch again at every level), none sent whole.
      // Returned, not awaited: a part's failure (a lone event answered 413) is not for this
      // catch to split again.
      const bytes = events.length > 1 && body.length * 3 > max ? utf8Length(body) : 0;
      if (bytes > max) return this.#emitParts(events, Math.min(events.length, Math.ceil(bytes / max)), asIs);
      const queue = this.#offlineQueue;
      // A batch the store cannot keep is sent as without a store; once the network is back, through
      // the store again, which sends what it holds (older) first.
      for (;;) {
        const taken =
          queue === undefined
            ? false
            : await queue.deliver(body, events.length, () =>
                utf8Length(body) <= this.#pieceBytes ? [{ body, count: events.length }] : this.#pieces(events),
              );
        // Sent or kept offline, the events the body left out are never sent: they count failed.
        if (taken !== false) return this.#withLeftOut(taken === true ? undefined : taken, events);
        if (!isOffline()) break;
        SelfLog.write(
          '{Sink}: the browser is offline; a batch of {Count} events waits for the network',
          this.kind,
          events.length,
        );
        const waited = await whenOnline(this.#closed.signal);
        if (!waited || queue === undefined || this.#closed.signal.aborted) break;
      }
      return this.#withLeftOut(await this.#send(body), events);
    } catch (error) {
      // A 408 is a body the server stopped reading before it all came (rxlog's ingest handler and
      // Kestrel answer it below their least rate, Node after its requestTimeout): sent whole again it
      // would take as long, on every try. Halves take half as long each. Not a size limit: it
      // teaches no bound (see #refused), as the link's speed varies; a single event is retried.
      // Only where a 408 is retried at all (not OtlpSink's: OTLP retries no 408).
      const timedOut = error instanceof HttpStatusError && error.status === 408 && error.permanent === false;
      // A body past the longest string the engine makes (RangeError, about 2^29 characters: 512
      // events of 1 MiB) was never written: its halves may be, as its events alone are.
      const unwritten = written === undefined && error instanceof RangeError;
      if ((timedOut || unwritten || this.tooLarge(error)) && events.length > 1) {
        if (written !== undefined && !timedOut) this.#refused = Math.min(this.#refused, utf8Length(written));
        // Its halves go as they are, the server judging them: the bound it taught (above) is for later batches.
        return await this.#emitParts(events, 2, true);
      }
      // Not once closed: the request close() aborted has no page hide to come.
      if (
        !this.#closed.signal.aborted &&
        !(error instanceof HttpStatusError || error instanceof HttpTimeoutError || error instanceof PartialDeliveryError)
      )
        // Bounded: a lane that reaches the sink through a wrapper never says it gave a batch up.
        if (this.#unanswered.push(events) > HELD_BATCHES) this.#unanswered.shift();
      throw error;
    }
  }

  /** The largest body sent once the server refused one as too large (see `#refused`): the largest it took, at least half the refused one; Infinity before. */
  #learned(): number {
    const refused = this.#refused;
    return Math.max(Math.ceil(refused / 2), Math.min(this.#taken, refused - 1));
  }

  /** The result of sending the body of `events`, with the events it left out (see `leftOut`) counted failed. */
  #withLeftOut(result: void | EmitResult, events: readonly LogEvent[]): void | EmitResult {
    const left = this.leftOut(events);
    return left === 0 ? result : { rejected: rejectedOf(result) + left };
  }

  /**
   * The batch in `parts` parts of as many events each (the halves of a batch the server found too
   * large), each sent (and split again) on its own, in order. When a part fails, the later ones
   * are not sent, and the error is a `PartialDeliveryError` counting the events that got through,
   * so the delivery stage counts those as delivered and retries, falls back with or fails only the
   * rest: nothing is lost or sent twice. But a single event the server refuses as too large (see
   * `tooLarge`) counts failed, and the parts after it are sent: its failure, permanent, would fail
   * them unsent too.
   */
  async #emitParts(events: readonly LogEvent[], parts: number, asIs: boolean): Promise<void | EmitResult> {
    if (parts < 2) return this.#emitPart(events, asIs);
    const size = Math.ceil(events.length / parts);
    // What the answers refused of any part is refused of the batch.
    const first = await this.#emitPart(events.slice(0, size), asIs);
    return this.#after(size, rejectedOf(first), () => this.#emitParts(events.slice(size), parts - 1, asIs));
  }

  /** One part of a split batch (see `#emitParts`): a lone event too large for the server counts failed. */
  async #emitPart(events: readonly LogEvent[], asIs: boolean): Promise<void | EmitResult> {
    if (asIs) this.#asIs.add(events);
    try {
      return await this.emit(events);
    } catch (error) {
      if (events.length > 1 || !this.tooLarge(error)) throw error;
      SelfLog.write(
        '{Sink}: an event too large to send even alone counts failed; the rest of its batch is sent',
        this.kind,
        error,
      );
      return { rejected: 1 };
    }
  }

  /**
   * What `send` resolves with, after `delivered` leading events of the batch reached the server,
   * which refused `refused` of them: the rejected counts added up, or a PartialDeliveryError that
   * counts those events too (and keeps a failure's `permanent` flag and `retryAfterMs`).
   */
  async #after(delivered: number, refused: number, send: () => Promise<void | EmitResult>): Promise<void | EmitResult> {
    try {
      const rejected = refused + rejectedOf(await send());
      return rejected === 0 ? undefined : { rejected };
    } catch (error) {
      const partial = error instanceof PartialDeliveryError;
      const cause: unknown = partial ? error.cause : error;
      // A Retry-After of the answer that cut the batch short holds the retry of the rest back.
      const { permanent, retryAfterMs } = retryHint(cause);
      throw Object.assign(
        new PartialDeliveryError(delivered + (partial ? error.delivered : 0), cause, refused + (partial ? error.rejected : 0)),
        { permanent, retryAfterMs },
      );
    }
  }

  /**
   * Whether `body` goes to the server as one request, so that its acceptance teaches the size the
   * server takes (see `#learned`). Here always; LokiSink pushes each level of a body on its own.
   */
  protected oneRequest(_body: string): boolean {
    return true;
  }

  /**
   * What a request of `bytes` UTF-8 bytes the server answered 2xx adds to `bytesWritten`: here all
   * of them; LokiSink counts the pushes Loki took itself (see `lokiFetch`).
   */
  protected acceptedBytes(bytes: number): number {
    return bytes;
  }

  /** Whether a failure says the body was too large for the server, so `emit` sends the batch again in halves: a 413 here. */
  protected tooLarge(error: unknown): boolean {
    return error instanceof HttpStatusError && error.status === 413;
  }

  /**
   * The halves of a stored body the server found too large (see `tooLarge`), which the offline
   * store sends in its place, as `emit` sends a live batch's; undefined when it cannot be cut (a
   * single event: its events then count dropped). Here: the halves of the lines, when the body is
   * the sink's own (no `body` option) and has one line per event.
   */
  protected storedHalves(piece: OfflinePiece): readonly OfflinePiece[] | undefined {
    return this.#lineBodies ? lineHalves(piece) : undefined;
  }

  /**
   * Two stored bodies as one, which the offline replay sends in one request (up to 60 KiB and
   * `maxRequestBytes`) instead of one request each; undefined where they cannot be joined. Here: their lines, when the bodies
   * are the sink's own (no `body` option), as the body of both batches' events together.
   */
  protected storedJoin(first: string, next: string): string | undefined {
    return this.#lineBodies ? `${first}\n${next}` : undefined;
  }

  /**
   * Called with the start of the body of each 2xx answer (at most 16 KiB) and the request's body,
   * for a backend whose success can carry news about the batch (OTLP's partial success): an
   * EmitResult returned is what `emit` resolves with for that request. Here: rxlog's ingest handler answers
   * `{"accepted":n,"rejected":m}`, and the `m` lines it refused count as failed, not delivered.
   * `whole` is false when the text is only the start of the body: the answer stalled, was cut off
   * (a reset connection) or is longer than 16 KiB.
   */
  protected accepted(responseText: string, _body?: string, _whole?: boolean): void | EmitResult {
    const rejected = Number(INGEST_ANSWER.exec(responseText)?.[1]);
    if (rejected > 0) return { rejected };
  }

  /**
   * How many of `events` their body leaves out (an event the formatter threw on, and on its
   * placeholder; SeqSink: also one over its size limit): once the body is sent, by request or
   * beacon, they count as failed, not delivered.
   */
  protected leftOut(events: readonly LogEvent[]): number {
    let count = 0;
    for (const event of events) if (this.#omitted.has(event)) count++;
    return count;
  }

  /**
   * Whether a failure answer is final: a live batch answered so is not retried, a stored one is
   * dropped from the offline store; `'sink'` when the answer is the sink's fault, not the batch's
   * (a 401, a 404), so it counts toward opening the circuit breaker. Here `HttpStatusError`'s
   * judgement; a subclass follows its protocol (OTLP retries only 429, 502, 503 and 504).
   */
  protected permanent(error: HttpStatusError): boolean | 'sink' {
    return error.permanent;
  }

  /**
   * Sends one body as it is, as `emit` sends a batch's, for a subclass's own requests (SeqSink's
   * level probe): resolves on a 2xx answer once `accepted` has read it, rejects as `emit` does.
   */
  protected send(body: string): Promise<void | EmitResult> {
    return this.#send(body);
  }

  /** Stops following the page's lifecycle and aborts requests still in flight (the delivery stage has already given up on them); their emit rejects at once, even through a custom fetch that ignores the abort. */
  close(): void {
    // The logger has given up on the batches held for page hide: a sink the app still holds keeps none of their events.
    this.#unanswered = [];
    this.#closed.abort();
    this.#page?.close();
    this.#offlineQueue?.close();
    for (const controller of this.#inFlight) controller.abort();
    this.#inFlight.clear();
  }

  /** The error with the URL's credentials (user:password@, query values) hidden in its message and stack. */
  #redacted(error: unknown): unknown {
    if (this.#secrets.length === 0 && this.#safeUrl === this.#url) return error;
    const redact = (text: string): string => redactUrlSecrets(text, this.#url, this.#secrets);
    try {
      if (typeof error === 'string') return redact(error);
      // Not `instanceof Error`: fetch's errors may come from another realm (a test sandbox, an iframe).
      if (typeof error === 'object' && error !== null && typeof (error as Error).message === 'string') {
        const failure = error as Error;
        failure.message = redact(failure.message);
        if (typeof failure.stack === 'string') failure.stack = redact(failure.stack);
      }
      return error;
    } catch {
      return new Error(`${this.#method} ${this.#safeUrl} failed`);
    }
  }

  /** Sends one body; rejects with an error that names no credential of the URL (see `#redacted`). */
  async #send(body: string, keepalive = this.#keepalive): Promise<void | EmitResult> {
    const method = this.#method;
    const safeUrl = this.#safeUrl;
    const timeoutMs = this.#timeoutMs;
    const closed = (): Error => new Error(`${method} ${safeUrl} was aborted: the sink closed`);
    // A batch that waited for the network (or the store's replay) while close() ran: its delivery
    // stage has given up on it (reported undelivered), so it must not leave after all.
    if (this.#closed.signal.aborted) throw closed();
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let expire = (): void => undefined;
    // Rejects even when a custom fetch ignores the abort signal: at the timeout, or when close()
    // aborts the request (its timer would otherwise keep a Node process alive for timeoutMs).
    const timeout = new Promise<never>((_, reject) => {
      controller.signal.onabort = () => {
        clearTimeout(timer);
        reject(closed());
      };
      expire = () => {
        reject(new HttpTimeoutError(method, safeUrl, timeoutMs));
        controller.abort();
      };
      if (timeoutMs !== Infinity) timer = setTimeout(expire, timeoutMs);
    });
    this.#inFlight.add(controller);
    try {
      const bytes = utf8Length(body);
      // Adopted, never awaited as it is: a custom fetch may return a thenable that is no Promise
      // (no `catch`), or one that fulfils with itself, which `Promise.race` would adopt for ever,
      // on microtasks alone, so that not even the timeout could fire.
      const request = (keep: boolean): Promise<Response> =>
        adoptedPromise(() =>
          this.#fetch(this.#url, {
            method,
            headers: this.#requestHeaders(),
            body,
            keepalive: keep,
            // Never follow: a redirect would carry the headers (API keys) and, on 307/308, the body to another host.
            redirect: 'manual',
            signal: controller.signal,
          }),
        );
      const keep = keepalive && bytes <= KEEPALIVE_MAX_BYTES;
      // A browser refuses a keepalive request while others fill the page's 64 KiB quota: beacons
      // (a page shown again before its page-hide beacons were uploaded), another sink's batch or
      // the app's own request still uploading. A failed keepalive request (a refusal looks like a
      // network error) is sent again at once without keepalive, unless the page is hiding, where
      // only keepalive outlives it. An answer a custom fetch threw (LokiSink's of a blocked push) is
      // no refusal: sent again, it went twice.
      const sent = request(keep).catch((error: unknown) => {
        if (
          !keep ||
          error instanceof HttpStatusError ||
          this.#page === undefined ||
          this.#page.hiding ||
          controller.signal.aborted
        )
          throw error;
        return request(false);
      });
      const response = await Promise.race([sent, timeout]);
      // The status has decided: without a timeout, a body that stalls after it is still read for
      // at most BODY_WAIT_MS, or it would hold the batch, and every later one, for ever.
      timer ??= setTimeout(expire, BODY_WAIT_MS);
      // Reading the body releases the connection (undici keeps it until then). Only its start is
      // read, and once the status is known the batch's fate follows it: a body that never ends or
      // stalls is dropped (the timer aborts the request), it does not turn a 200 into a retry.
      const { text, whole } = await Promise.race([readResponseStart(response, RESPONSE_TEXT_MAX_BYTES), timeout]).catch(() => ({
        text: '',
        whole: false,
      }));
      const status = response.status;
      // A browser answers a manual redirect with an opaque response of status 0.
      if (!response.ok || response.type === 'opaqueredirect' || (status >= 300 && status < 400)) {
        // A fetch supplied by the application may return a partial Response.
        const headers = response.headers as Headers | undefined;
        const retryAfter =
          status === 429 || status >= 500
            ? parseRetryAfter(headers?.get('Retry-After'), undefined, headers?.get('Date'))
            : undefined;
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a fetch supplied by the application may return a partial Response
        const error = new HttpStatusError(method, safeUrl, status, response.statusText ?? '', retryAfter, text);
        // The subclass's judgement, for a live batch and for the offline store's replay alike.
        throw Object.assign(error, { permanent: this.permanent(error) });
      }
      this.#written += this.acceptedBytes(bytes);
      if (this.oneRequest(body)) this.#taken = Math.max(this.#taken, bytes);
      // A web page is no log collector's answer (an app's route that answers every path with its
      // index.html, a captive portal's sign-in page): the batch counts delivered, the sink cannot
      // know better, but SelfLog says so once, where it would otherwise go unseen.
      if (!this.#htmlSeen && HTML_PAGE.test(text)) {
        this.#htmlSeen = true;
        SelfLog.write(
          '{Sink}: {Url} answered {Status} with an HTML page, not a log collector: check the URL',
          this.kind,
          safeUrl,
          status,
        );
      }
      return this.accepted(text, body, whole);
    } catch (error) {
      throw this.#redacted(error);
    } finally {
      clearTimeout(timer);
      this.#inFlight.delete(controller);
    }
  }

  #requestHeaders(): Record<string, string> {
    const extra = readHeaders(this.#headers ?? {});
    const headers: Record<string, string> = { 'Content-Type': this.#contentType };
    // Header names are case-insensitive: a header replaces an earlier one whose name differs only
    // in case (the content type, a variable's `authorization` under an option's `Authorization`),
    // where fetch would join both values into one.
    for (const name of Object.keys(extra)) {
      for (const earlier of Object.keys(headers)) if (earlier.toLowerCase() === name.toLowerCase()) delete headers[earlier];
      headers[name] = extra[name];
    }
    return headers;
  }

  /**
   * Beacons accepted by the browser count as written. The batches whose request the browser
   * cancelled go first (see `#handOverHeld`), then this batch, in order, one body of at most
   * 60 KiB and `maxRequestBytes` at a time (an event larger than `maxRequestBytes` alone, see
   * `#loneBytes`); a body the browser refuses (its keepalive quota, 64 KiB in flight per page in
   * Chromium, is shared by every beacon and keepalive request) is tried again
   * half as large, until it refuses a single event or an event is too large for a beacon on its own. What is left then goes to the offline store when there is
   * one (it is synchronous and outlives the page); otherwise it stays with the logger: `false`
   * when nothing was sent, else a PartialDeliveryError counting the events sent, so the logger
   * keeps the rest pending and sends it with `fetch` if the page lives on. Nothing is counted as
   * delivered that the browser did not take.
   */
  #writeByBeacon(beacon: HttpBeacon, events: readonly LogEvent[]): boolean | EmitResult {
    if (!this.#leaving(beacon)) return false;
    this.#handOverHeld(beacon);
    // The logger's flushSync writes a batch it held for a retry through emitSync: the part of it
    // just handed over went, and is not sent twice.
    let handed = 0;
    while (handed < events.length && this.#handedOver.has(events[handed])) handed++;
    const [taken, reason] = this.#handOver(beacon, handed === 0 ? events : events.slice(handed));
    return this.#pending(events.length, handed + taken, reason, this.leftOut(events.slice(0, handed + taken)));
  }

  /**
   * Whether the page is going away and what it holds goes by beacon or, for a sink that sends no
   * beacons, into the offline store: only while a request would be lost (offline, or the store
   * `holding`); otherwise the batch goes by `fetch` with `keepalive`.
   */
  #leaving(page: HttpBeacon): boolean {
    return page.hiding && (this.#beacon !== undefined || isOffline() || this.#offlineQueue?.holding === true);
  }

  /**
   * The logger gave up on a batch (see GIVEN_UP), or sends it again (`emit`): the batches held for
   * page hide that share an event with it are not handed over.
   */
  [GIVEN_UP](events: readonly LogEvent[]): void {
    if (this.#unanswered.length === 0) return;
    const given = new Set(events);
    this.#unanswered = this.#unanswered.filter((held) => !held.some((event) => given.has(event)));
  }

  /**
   * Hands over the batches whose request the browser cancelled as the page went away (see
   * `#unanswered`), which the logger holds for a retry that will not come: their events go by
   * beacon and into the offline store as `emitSync`'s do, and are marked, so a retry (should the
   * page live on) counts them delivered without sending them again. A request still in flight is
   * left alone: Chromium lets it finish when the tab is closed.
   */
  #handOverHeld(beacon: HttpBeacon): void {
    const held = this.#unanswered;
    // In the order they failed: what a batch leaves behind stops the later ones, which would overtake it.
    while (held.length > 0) {
      const batch = held[0];
      const [taken] = this.#handOver(beacon, batch);
      for (let i = 0; i < taken; i++) this.#handedOver.add(batch[i]);
      if (taken < batch.length) {
        held[0] = batch.slice(taken);
        return;
      }
      held.shift();
    }
  }

  /**
   * Sends `events` by beacon, in order (none offline, where a beacon would be lost), then puts
   * what is left into the offline store when there is one: how many leading events went, and why
   * the rest could not.
   */
  #handOver(beacon: HttpBeacon, events: readonly LogEvent[]): [taken: number, reason: string] {
    const store = this.#offlineQueue;
    let sent = 0;
    // A beacon sent offline is lost, and so is one after a request that found no server while the
    // browser said it was online, or while the server asks for no request (a Retry-After: see
    // `holding`): the store is synchronous and survives the page; without one, the batch stays
    // pending with the logger, which sends it once the network is back.
    const lost = this.#beacon === undefined || isOffline() || store?.holding === true;
    let refusal = 'offline, or the server unreachable or asking to wait';
    const quotaFull = 'the browser refused a beacon (over its keepalive quota of 64 KiB in flight)';
    const bound = this.#pieceBytes;
    const lone = this.#loneBytes;
    let maxBytes = Math.min(bound, this.#refusedBytes - 1);
    while (!lost && sent < events.length) {
      let payload = beaconPayload(events.slice(sent), this.#body, maxBytes);
      // An event larger than maxRequestBytes alone goes alone, as by fetch, where a beacon can
      // carry it (see `#loneBytes`) and the quota refused no body as large: the server decides.
      if (payload.count === 0 && maxBytes === bound)
        payload = beaconPayload(events.slice(sent, sent + 1), this.#body, Math.min(lone, this.#refusedBytes - 1));
      if (payload.count === 0) {
        refusal = this.#refusedBytes > lone ? `an event is larger than a beacon can carry (${lone} bytes)` : quotaFull;
        break;
      }
      let accepted: boolean;
      try {
        accepted = beacon.send(payload.body);
      } catch (error) {
        SelfLog.write('{Sink}: sendBeacon failed', this.kind, error);
        refusal = 'sendBeacon failed';
        break;
      }
      const bytes = utf8Length(payload.body);
      if (!accepted) {
        refusal = quotaFull;
        if (this.#refusedBytes === Infinity) queueMicrotask(() => (this.#refusedBytes = Infinity));
        this.#refusedBytes = Math.min(this.#refusedBytes, bytes);
        // The quota is the page's: another upload (the app's keepalive fetch or beacon, another
        // sink's) may hold part of it, and what is left may take a smaller body: half this one.
        if (payload.count === 1) break;
        maxBytes = Math.floor(bytes / 2);
        continue;
      }
      this.#written += bytes;
      sent += payload.count;
    }
    if (sent === events.length || store === undefined) return [sent, refusal];
    SelfLog.write('{Sink}: {Count} events go to the offline store: {Reason}', this.kind, events.length - sent, refusal);
    return [this.#keepOffline(store, events, sent), 'the offline store cannot keep them'];
  }

  /**
   * Puts the events from `start` on into the offline store (see `#pieces`), in order, until the
   * store cannot keep one; returns how many leading events are out (sent before `start`, or stored).
   */
  #keepOffline(store: HttpOfflineQueue, events: readonly LogEvent[], start: number): number {
    let kept = start;
    for (const piece of this.#pieces(events.slice(start))) {
      if (!store.save([piece])) break;
      kept += piece.count;
    }
    return kept;
  }

  /**
   * The events as bodies of at most 60 KiB and `maxRequestBytes` (an event larger than that
   * alone), in order: how the offline store keeps a batch, so its replay sends bodies a server's
   * size limit takes (a whole batch answered 413 there would be dropped, where a live one is sent
   * again in halves).
   */
  #pieces(events: readonly LogEvent[]): OfflinePiece[] {
    const pieces: OfflinePiece[] = [];
    for (let kept = 0; kept < events.length;) {
      const rest = events.slice(kept);
      const piece = beaconPayload(rest, this.#body, this.#pieceBytes);
      const count = Math.max(1, piece.count);
      pieces.push({ body: piece.count === 0 ? this.#body(rest.slice(0, 1)) : piece.body, count });
      kept += count;
    }
    return pieces;
  }

  /**
   * `emitSync`'s answer when `sent` of `total` events left, `left` of them left out of their body:
   * true for all (an EmitResult counting those failed), false for none, else a
   * PartialDeliveryError counting them; the rest stay pending with the logger.
   */
  #pending(total: number, sent: number, reason: string, left: number): boolean | EmitResult {
    if (sent === total) return left === 0 || { rejected: left };
    SelfLog.write('{Sink}: {Count} events could not go by beacon and stay pending: {Reason}', this.kind, total - sent, reason);
    if (sent === 0) return false;
    throw new PartialDeliveryError(sent, new Error(reason), left);
  }
}

/**
 * A batch's body: each event's line, joined by `\n`. An event the formatter throws on is written as
 * a placeholder (see `unformattableLine`, named `sink()` in SelfLog); one whose placeholder it throws
 * on too is left out of the body and added to `omitted`, so the sink counts it failed.
 */
export function linesBody(
  formatter: Formatter,
  omitted?: WeakSet<LogEvent>,
  sink: () => string = () => 'HttpSink',
): (events: readonly LogEvent[]) => string {
  return (events) => joinLines(events, (event) => lineOrPlaceholder(formatter, event, sink()), omitted);
}

function checkUrl(url: unknown, where: string): string {
  expectOption(typeof url === 'string' && url.trim() !== '', where, 'a URL', url);
  const scheme = urlSchemeHere(url);
  // Its password and query values hidden: a mistyped URL's token would reach logs and consoles.
  const shown = JSON.stringify(redactUrl(url));
  if (scheme === undefined)
    // An app's browser configuration also runs on the server when it is server-side rendered.
    throw new ConfigurationError(
      `${where}: not a valid URL: ${shown}${pageHref() !== undefined || /^[a-z][\w+.-]*:/i.test(url) ? '' : ' (a relative URL, and there is no page to resolve it against: on a server, give an absolute URL or add the sink only in the browser)'}`,
    );
  // A host:port without its scheme ('localhost:5341') is a URL of scheme 'localhost:', which fetch
  // cannot send to: every batch would fail with "fetch failed", retried for ever.
  if (scheme !== 'http:' && scheme !== 'https:')
    throw new ConfigurationError(`${where}: not an http or https URL: ${shown} (scheme ${scheme})`);
  return url;
}

function globalFetch(kind: string): typeof fetch {
  const candidate = (globalThis as { fetch?: typeof fetch }).fetch;
  if (typeof candidate !== 'function')
    throw new ConfigurationError(`${kind}.fetch: this platform has no global fetch; pass options.fetch`);
  // Bound: a detached window.fetch throws "Illegal invocation" in browsers.
  return candidate.bind(globalThis);
}

/** The events an emit's result says the receiver refused. */
function rejectedOf(result: void | EmitResult): number {
  return (result as EmitResult | undefined)?.rejected ?? 0;
}
