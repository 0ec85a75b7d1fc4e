import type { LogEvent } from '../../core/log-event';
import type { EmitResult } from '../../core/sink';
import { HTTP_OPTION_KEYS, HttpSink, type HttpSinkOptions } from './http-sink';
import { isHttpUrlHere } from './page-url';
import {
  BROWSER_SERVICE_NAME,
  defaultServiceName,
  type EnvironmentVariables,
  OWN_HEADERS,
  type OtlpEnvironment,
  processEnvironment,
  readOtlpEnvironment,
} from './otlp-environment';
import { RXLOG_VERSION } from './rxlog-version';
import { keyValuesJson, noSkip } from './otlp-any-value';
import { otlpLogRecordJson, otlpScopeName } from './otlp-log-record';
import { jsonHalves } from './json-halves';
import type { OfflinePiece } from './http-offline-queue';
import { quoteJson } from '../../templates/safe-json';
import { SelfLog } from '../../core/self-log';
import { otlpPartialSuccess } from './otlp-partial-success';
import { HttpStatusError } from './http-status-error';
import { expectOption } from '../../core/expect-option';
import { expectOptionsObject, readGuarded } from '../../core/read-options';
import { checkOptionalText, sinkOptions } from './http-option-checks';
import { checkFramingHeaders, checkHeaders, withHeaders } from './with-header';
import { utf8Length } from './http-utf8-length';
import { OtlpRequestTooLargeError } from './otlp-request-too-large-error';
import { redactUrl } from './http-redact-url';
import { isPlainRecord } from '../../core/is-plain-record';

/**
 * HttpSink's options that OtlpSink sets itself (OtlpSinkOptions leaves them out): refused when
 * given (see sinkOptions).
 */
const SET_HERE = ['url', 'formatter', 'body', 'contentType', 'method', 'beaconContentType'];
/** The only statuses the OTLP specification retries ("all other 4xx or 5xx response status codes MUST NOT be retried"). */
const RETRYABLE = [429, 502, 503, 504];
/** The OTLP exporter specification's default logs endpoint, where no option or variable names one. */
const DEFAULT_ENDPOINT = 'http://localhost:4318/v1/logs';
/**
 * The OpenTelemetry Collector's default `max_request_body_size`, 20 MiB (config/confighttp/server.go,
 * `defaultMaxRequestBodySize`), below the OTLP specification's 64 MiB (its gRPC text): a body in
 * between was refused once (`COLLECTOR_TOO_LARGE`) before it went again in halves.
 */
const MAX_REQUEST_BYTES = 20 * 1024 * 1024;
/**
 * The OpenTelemetry Collector's answer to a body over its `max_request_body_size` (20 MiB by
 * default): 400, not the 413 the specification asks for, with Go's MaxBytesReader error in a JSON
 * `google.rpc.Status` (`{"code":3,"message":"http: request body too large"}`): confighttp's
 * `maxRequestBodySizeInterceptor` wraps the body in `http.MaxBytesReader`, and otlpreceiver's
 * `readAndCloseBody` answers its read error with `http.StatusBadRequest` (otlphttp.go).
 */
const COLLECTOR_TOO_LARGE = /"message": ?"http: request body too large"/;
/** How each log record of a request body starts: a key only a record has (attribute keys are "key" values). */
const RECORD_START = '{"timeUnixNano":';

/** Options of {@link OtlpSink}. */
export interface OtlpSinkOptions extends Omit<
  HttpSinkOptions,
  'url' | 'body' | 'contentType' | 'formatter' | 'method' | 'beaconContentType'
> {
  /**
   * The OTLP/HTTP logs endpoint, an http or https URL, e.g. `'http://127.0.0.1:4318/v1/logs'`. Default:
   * `OTEL_EXPORTER_OTLP_LOGS_ENDPOINT`, else `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/logs`, else
   * `'http://localhost:4318/v1/logs'`, the OTLP exporter specification's default (and the
   * OpenTelemetry JS exporter's).
   */
  endpoint?: string | undefined;
  /**
   * Resource attributes, a plain object (not a Map) with non-empty keys, e.g. `{ 'deployment.environment': 'prod' }`, over those of
   * `OTEL_RESOURCE_ATTRIBUTES`. Default: `OTEL_RESOURCE_ATTRIBUTES`'s, else none.
   */
  resource?: Readonly<Record<string, string | number | boolean>> | undefined;
  /**
   * The `service.name` resource attribute, a non-empty string (as `resource['service.name']` must be). Default: `resource['service.name']`, else
   * `OTEL_SERVICE_NAME`, else `service.name` in `OTEL_RESOURCE_ATTRIBUTES`, else, as the
   * OpenTelemetry SDK names it, `'unknown_service:'` and the Node executable (`'unknown_service:node'`),
   * or `'unknown_service'` in browsers.
   */
  serviceName?: string | undefined;
  /**
   * Where the `OTEL_*` variables above are read, `OTEL_EXPORTER_OTLP_LOGS_TIMEOUT` (else
   * `OTEL_EXPORTER_OTLP_TIMEOUT`), milliseconds (0 for no limit), the default of `timeoutMs`, and `OTEL_EXPORTER_OTLP_HEADERS` with
   * `OTEL_EXPORTER_OTLP_LOGS_HEADERS` over it, whose headers are sent under `headers` (a header of
   * `headers` replaces the variables' of the same name, as in the OpenTelemetry JS exporter).
   * An object of variables by name; a Map, an array or a string is a ConfigurationError.
   * Default: `process.env` in Node, none in browsers.
   */
  environment?: EnvironmentVariables | undefined;
  /**
   * In a browser, writes with `navigator.sendBeacon` as the page is hidden or unloading (see
   * HttpSink's). Default `true`, but `false` with a `headers` option, headers in the `OTEL_*`
   * variables or a `user:password@` in the endpoint, which a beacon cannot carry (the collector
   * would answer `401` unseen), unless a `beaconUrl` (a proxy that adds them) is given: the page's
   * last batches then go by `fetch` with `keepalive`.
   */
  beacon?: boolean | undefined;
  /**
   * The instrumentation scope's name for events without a `SourceContext` (those with one are
   * grouped under it), a non-empty string (as OpenTelemetrySink's). Default `'rxlog'`.
   */
  scopeName?: string | undefined;
  /**
   * The largest request body sent, in UTF-8 bytes (the OTLP specification's client limit). A
   * batch whose body is larger is sent in parts of at most that size instead (see HttpSink's); a
   * single event that large fails without being sent. Default 20 971 520 (20 MiB, the OpenTelemetry
   * Collector's default `max_request_body_size`; the specification recommends 64 MiB); `Infinity` for none.
   */
  maxRequestBytes?: number | undefined;
}

/**
 * Sends batches to an OpenTelemetry collector as OTLP/HTTP JSON logs: one `resourceLogs` entry
 * with the resource attributes, a `scopeLogs` entry per `SourceContext` (`scopeName` for events
 * without one), and a log record per event (see
 * `toOtlpLogRecord`). An HttpSink with an OTLP body; retries, breaker and beacons work the same.
 * Beacons are `application/json`, so a collector on another origin must answer CORS preflight;
 * with headers, which a beacon cannot carry, none are sent unless `beaconUrl` (see `beacon`).
 * HttpSink's `url`, `method`, `body`, `formatter`, `contentType` and `beaconContentType` are set by
 * the sink: given from JavaScript, they are a ConfigurationError.
 *
 * @example new OtlpSink({ endpoint: 'http://127.0.0.1:4318/v1/logs', serviceName: 'shop-web' })
 */
export class OtlpSink extends HttpSink {
  /** @internal */
  protected static override readonly optionsName: string = 'OtlpSink';
  /** @internal */
  protected static override readonly sendsOversizedEvent: boolean = false;
  /** @internal */
  protected static override readonly urlOption: string = 'endpoint';
  /** Its options beside HttpSink's (`maxRequestBytes`, with another default, is one of those). @internal */
  protected static override readonly optionKeys: readonly string[] = [
    'endpoint',
    'resource',
    'serviceName',
    'environment',
    'scopeName',
  ] satisfies (keyof OtlpSinkOptions)[];

  /** The default name of this sink in metrics and the shutdown report. */
  override readonly kind: string = 'otlp';

  /**
   * Batching when `writeTo.sink` gives none: the OpenTelemetry JS `BatchLogRecordProcessor`'s
   * `maxExportBatchSize` 512 and `scheduledDelayMillis` 1 000 ms.
   */
  override readonly batchDefaults = { size: 512, maxDelayMs: 1_000 };
  /** Queue bound when `writeTo.sink` gives none: the batch processor's `maxQueueSize`, 2 048 events. */
  readonly queueDefaults = { limit: 2_048 };

  #rejected = 0;
  /** UTF-8 bytes of the request bodies whose every record the collector rejected (see `bytesWritten`). */
  #refusedBytes = 0;

  /**
   * Log records the collector reported rejected in a partial success (`partialSuccess.rejectedLogRecords`
   * of a 2xx answer), and SelfLog says why. In the logger's metrics they count as failed and the
   * rest of their batch as delivered; as the OTLP specification asks, none is sent again (nor to
   * the fallback: the collector does not say which they were), and the request is a success for
   * the circuit breaker.
   */
  get rejectedLogRecords(): number {
    return this.#rejected;
  }

  /**
   * UTF-8 bytes of the request bodies the collector took, as LokiSink counts the pushes Loki took:
   * a body a partial success rejected in part counts whole, one whose every record it rejected
   * adds nothing (the 2xx took none of them); beacons count as sent.
   */
  override get bytesWritten(): number {
    return super.bytesWritten - this.#refusedBytes;
  }

  /** @throws ConfigurationError naming the bad option. */
  constructor(given: OtlpSinkOptions = {}) {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- JavaScript callers can pass anything
    expectOption(typeof given === 'object' && given !== null, 'OtlpSink', 'an options object', given);
    // Each option read once (a Map's endpoint would otherwise give way to the environment's or the
    // default, without a word): a getter that throws is a ConfigurationError naming it, and one
    // that answers differently cannot pass a check below and then send another value.
    const options = sinkOptions('OtlpSink', given, [...HTTP_OPTION_KEYS, ...OtlpSink.optionKeys], SET_HERE);
    // Variables by name (process.env, an object): a Map of them, an array of pairs or a string
    // would read as none set, and the sink would send to the default endpoint without a word.
    const variables = options.environment ?? processEnvironment();
    readGuarded('OtlpSink.environment', 'the variables', () => expectOptionsObject('OtlpSink.environment', variables));
    const environment = readOtlpEnvironment(variables);
    const endpoint = options.endpoint ?? environment.endpoint ?? DEFAULT_ENDPOINT;
    // Variables set for the SDK's gRPC exporter name its endpoint, on the collector's gRPC port
    // (HTTP/2 only): taken without a word, every batch would fail with fetch's bare "fetch failed".
    if (options.endpoint === undefined && environment.grpc !== undefined)
      SelfLog.write(
        '{Variable} is grpc, but OtlpSink sends OTLP/HTTP JSON: its endpoint must be an OTLP/HTTP one (port 4318)',
        environment.grpc,
      );
    // The exporter specification's certificate files, which fetch cannot take: without a word, a
    // collector with a private CA or asking for a client certificate fails every batch ("fetch failed").
    if (options.fetch === undefined && environment.certificate !== undefined)
      SelfLog.write(
        '{Variable} is set, but OtlpSink reads no certificate files: see createNodeHttpFetch’s tls in rxlog/node',
        environment.certificate,
      );
    // The specification's compression (gzip): the body goes uncompressed all the same, which a
    // collector takes, but without a word the variable looks obeyed. The SDK warns likewise for a
    // value it does not support (an enum value not recognized MUST give a warning and be ignored).
    if (environment.compression !== undefined)
      SelfLog.write(
        '{Variable} asks for compression, but OtlpSink sends its bodies uncompressed; it is ignored',
        environment.compression,
      );
    // An http or https URL: another scheme ('localhost:4318/v1/logs' is a URL of scheme 'localhost:')
    // would fail every request with fetch's "fetch failed", retried for ever. No URL at all HttpSink refuses.
    expectOption(
      typeof endpoint === 'string' && endpoint.trim() !== '' && isHttpUrlHere(endpoint) !== false,
      'OtlpSink.endpoint',
      'the OTLP/HTTP logs URL (http or https)',
      // Redacted, also user information without a '//' before it ('ann:pw@collector:4318').
      typeof endpoint === 'string' ? redactUrl(endpoint).replace(/^[^/?#@]*@/, '***@') : endpoint,
    );
    const runtimeName = defaultServiceName();
    const resource = resourceAttributesJson(options, environment, runtimeName);
    // Non-empty, as OpenTelemetrySink's: the SDK takes an empty name as none (its logger is then
    // 'unknown', with a warning), and a collector's records would be in a scope with no name.
    checkOptionalText(options.scopeName, 'OtlpSink.scopeName');
    const scopeName = options.scopeName ?? 'rxlog';
    // HttpSink checks it (a bad one throws before any request).
    const maxRequestBytes = options.maxRequestBytes ?? MAX_REQUEST_BYTES;
    // Bound: a detached window.fetch throws "Illegal invocation" in browsers. Without any fetch,
    // or with one that is no function, HttpSink says so.
    checkHeaders('OtlpSink.headers', options.headers);
    // As the variables' (see readOtlpEnvironment): the body is always OTLP/JSON, uncompressed, and a
    // Content-Type or Content-Encoding saying otherwise (HttpSink lets the option's win) would make
    // the collector refuse every batch, for good; the framing and connection headers fail them in fetch.
    // Checked on a copy, read once (a getter that throws is a ConfigurationError); the record goes on
    // as it is, read per request as HttpSink reads every sink's.
    const fixed = isPlainRecord(options.headers)
      ? readGuarded('OtlpSink.headers', 'the headers', () => ({ ...options.headers }))
      : options.headers;
    if (isPlainRecord(fixed))
      for (const name of Object.keys(fixed))
        expectOption(
          !new RegExp(`^(${OWN_HEADERS})$`, 'i').test(name) &&
            !(/^content-type$/i.test(name) && !/^application\/json *(;|$)/i.test(fixed[name] as string)),
          `OtlpSink.headers["${name}"]`,
          'no Content-Length, Content-Encoding, Transfer-Encoding, Connection, Keep-Alive, Upgrade or Expect, and no Content-Type but application/json',
          fixed[name],
        );
    // Names and values fetch refuses (a line break in a value), as every HTTP sink's.
    checkFramingHeaders('OtlpSink.headers', fixed);
    const send = options.fetch ?? (globalThis as { fetch?: typeof fetch }).fetch?.bind(globalThis);
    // Everything before the scopes is the same for every batch: written once.
    const head = `{"resourceLogs":[{"resource":{"attributes":[${resource}]},"scopeLogs":[`;
    super({
      ...options,
      // The exporter specification's User-Agent, in Node only: in a browser it is not a
      // CORS-safelisted header, and a collector's preflight answer would have to allow it.
      headers: withHeaders(
        runtimeName === BROWSER_SERVICE_NAME
          ? environment.headers
          : { 'User-Agent': `rxlog-javascript/${RXLOG_VERSION}`, ...environment.headers },
        options.headers,
      ),
      timeoutMs: options.timeoutMs ?? environment.timeoutMs,
      // A beacon carries no header but Content-Type: a collector (or its gateway) that wants the
      // headers' credentials answers 401, which a beacon never sees, and its records counted
      // delivered were lost. Without beacons, what the page holds as it hides goes by fetch with
      // keepalive, headers and all (as LokiSink's; HttpSink sends none with credentials in the URL).
      beacon:
        options.beacon ??
        ((options.headers ?? environment.headers) === undefined || options.beaconUrl !== undefined ? undefined : false),
      fetch: typeof send === 'function' && maxRequestBytes !== Infinity ? cappedFetch(send, maxRequestBytes) : options.fetch,
      url: endpoint,
      maxRequestBytes,
      contentType: 'application/json',
      body: (events) => otlpBody(head, scopeName, events),
    });
  }

  /**
   * A failure status other than 429, 502, 503 and 504 is permanent, as the OTLP specification and
   * the OpenTelemetry exporters have it: a live batch is not retried, and a stored one is dropped
   * from the offline store. Only a 400 (the specification's bad data) or another 4xx of the batch
   * (see HttpStatusError) is the batch's fault; a 5xx is the server's (the Collector answers 500
   * when its pipeline failed for good, "server-side"), so it is `'sink'`, as a 401 or 404 is.
   */
  protected override permanent(error: HttpStatusError): boolean | 'sink' {
    return RETRYABLE.includes(error.status) ? false : error.permanent || 'sink';
  }

  /**
   * A 413, a body over `maxRequestBytes` (not sent), or the Collector's 400 for a body over its
   * `max_request_body_size`: the batch is sent again in halves. Any other 400 fails it.
   */
  protected override tooLarge(error: unknown): boolean {
    return (
      super.tooLarge(error) ||
      error instanceof OtlpRequestTooLargeError ||
      (error instanceof HttpStatusError && error.status === 400 && COLLECTOR_TOO_LARGE.test(error.message))
    );
  }

  /** A stored request body's halves: its log records, cut in document order, each in its resource and scope (see `jsonHalves`). */
  protected override storedHalves(piece: OfflinePiece): readonly OfflinePiece[] | undefined {
    return jsonHalves(piece, ['resourceLogs', 'scopeLogs', 'logRecords']);
  }

  /**
   * Reads an OTLP partial success from a 2xx answer: counts the rejected records, and says why in
   * SelfLog. A count past the records the request held (`body`) is a broken answer: all of them
   * count, and SelfLog says what the collector claimed.
   */
  protected override accepted(responseText: string, body: string): EmitResult | undefined {
    const partial = otlpPartialSuccess(responseText);
    if (partial === undefined) return;
    // Counted only on this rare path, and per request: the answer speaks of its request's records.
    const sent = body.split(RECORD_START).length - 1;
    const rejected = Math.min(partial.rejected, sent);
    this.#rejected += rejected;
    // Answered after HttpSink counted the body: one the collector took nothing of is taken back.
    if (rejected === sent && sent > 0) this.#refusedBytes += utf8Length(body);
    if (partial.rejected > sent)
      SelfLog.write(
        '{Sink}: the collector said it rejected {Claimed} log records of a request holding only {Count}, which all count as rejected: {Reason}',
        this.kind,
        partial.rejected,
        sent,
        partial.message,
      );
    else if (rejected > 0)
      SelfLog.write(
        '{Sink}: the collector rejected {Count} log records of a batch: {Reason}',
        this.kind,
        rejected,
        partial.message,
      );
    // A warning: the specification lets a server accept every record and still say something.
    else
      SelfLog.write(
        '{Sink}: the collector accepted a batch of {Count} log records with a warning: {Reason}',
        this.kind,
        sent,
        partial.message,
      );
    // Per request, so a batch answered while another request is out (a shared sink, an offline replay) counts only its own.
    return rejected === 0 ? undefined : { rejected };
  }
}

/** `send`, except that a body over `maxBytes` is not sent: the request fails with an OtlpRequestTooLargeError. */
function cappedFetch(send: typeof fetch, maxBytes: number): typeof fetch {
  return (url, init) => {
    const body = init?.body as string;
    // At most 3 bytes per UTF-16 unit: most bodies need no count here (HttpSink counts them too).
    const bytes = body.length * 3 > maxBytes ? utf8Length(body) : 0;
    return bytes > maxBytes ? Promise.reject(new OtlpRequestTooLargeError(bytes, maxBytes)) : send(url, init);
  };
}

/**
 * The OTLP/HTTP JSON request body of a batch: the records written as text, with no object per
 * record or attribute, grouped in one `scopeLogs` entry per `SourceContext` (the logger's name, as
 * the logs specification asks of bridges and Serilog's OpenTelemetry sink does), in order of first
 * appearance; records without one go under `scopeName`.
 */
function otlpBody(head: string, scopeName: string, events: readonly LogEvent[]): string {
  const scopes = new Map<string, string>();
  for (const event of events) {
    const scope = otlpScopeName(event, scopeName);
    const records = scopes.get(scope);
    scopes.set(scope, records === undefined ? otlpLogRecordJson(event) : `${records},${otlpLogRecordJson(event)}`);
  }
  let out = head;
  for (const [scope, records] of scopes)
    out += `${out === head ? '' : ','}{"scope":{"name":${quoteJson(scope)}},"logRecords":[${records}]}`;
  return `${out}]}]}`;
}

/**
 * The resource attributes as the members of an OTLP/JSON attribute list, in the order of the
 * OpenTelemetry SDK's default resource: `service.name` (from `serviceName`, else the environment's
 * `OTEL_SERVICE_NAME`, else a `service.name` attribute, else `defaultServiceName()`), then
 * `telemetry.sdk.language`, `telemetry.sdk.name` and `telemetry.sdk.version`, then the
 * environment's attributes, then the options'. An option's attribute replaces the value of the
 * environment's or a default of the same key, in its place.
 */
function resourceAttributesJson(options: OtlpSinkOptions, environment: OtlpEnvironment, runtimeName: string): string {
  const given = options.resource ?? {};
  expectOption(
    // Not a Map or an array, whose entries are no own keys: they would be taken as no attributes at all.
    readGuarded('OtlpSink.resource', 'the attributes', () => isPlainRecord(given)),
    'OtlpSink.resource',
    'an object of attributes',
    given,
  );
  // Each attribute read once, as the options.
  const resource = readGuarded('OtlpSink.resource', 'the attributes', () => ({ ...given }));
  // telemetry.sdk.* as the conventions ask of an SDK other than OpenTelemetry's (its own name, not
  // the reserved 'opentelemetry'), and as Serilog's OpenTelemetry sink sends 'serilog'.
  // No prototype: a key such as __proto__ is an attribute like any other.
  const attributes: Record<string, unknown> = Object.assign(
    Object.create(null) as Record<string, unknown>,
    {
      'service.name': undefined,
      'telemetry.sdk.language': runtimeName === BROWSER_SERVICE_NAME ? 'webjs' : 'nodejs',
      'telemetry.sdk.name': 'rxlog',
      'telemetry.sdk.version': RXLOG_VERSION,
    },
    environment.resource,
  );
  for (const key of Object.keys(resource)) {
    // An attribute key MUST be a non-empty string (the common specification).
    expectOption(key !== '', 'OtlpSink.resource', 'non-empty attribute keys', key);
    const value: unknown = resource[key];
    expectOption(
      typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean',
      `OtlpSink.resource["${key}"]`,
      'a string, number or boolean',
      value,
    );
    attributes[key] = value;
  }
  // As serviceName: the resource conventions' service.name is a string naming the service.
  if (Object.hasOwn(resource, 'service.name')) checkOptionalText(resource['service.name'], 'OtlpSink.resource["service.name"]');
  const explicit = options.serviceName !== undefined || Object.hasOwn(resource, 'service.name');
  const serviceName = explicit ? options.serviceName : environment.serviceName;
  checkOptionalText(serviceName, 'OtlpSink.serviceName');
  attributes['service.name'] = serviceName ?? attributes['service.name'] ?? runtimeName;
  return keyValuesJson(attributes, 0, noSkip);
}
