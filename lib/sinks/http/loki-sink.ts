import { ConfigurationError } from '../../core/errors/configuration-error';
import type { Formatter } from '../../core/sink';
import { CompactJsonFormatter } from '../../formatting/compact-json-formatter';
import { HTTP_OPTION_KEYS, HttpSink, type HttpSinkOptions } from './http-sink';
import { checkFramingHeaders, checkHeaders, withHeader } from './with-header';
import { expectOption } from '../../core/expect-option';
import { readGuarded } from '../../core/read-options';
import { baseUrlOption, sinkOptions } from './http-option-checks';
import { type LokiEntryClock, lokiEntryClock, lokiPushBody } from './loki-push-body';
import type { LogEvent } from '../../core/log-event';
import { hasLoneSurrogate } from '../../core/lone-surrogate';
import { lokiFetch, oneStream } from './loki-partial-push';
import { isPlainRecord } from '../../core/is-plain-record';
import { utf8Length } from './http-utf8-length';
import { jsonHalves } from './json-halves';
import type { OfflinePiece } from './http-offline-queue';
import { redactUrl, redactUrlSecrets, urlSecrets } from './http-redact-url';
import { describeValue, shortText } from '../../core/describe-value';

/**
 * HttpSink's options that LokiSink sets itself (LokiSinkOptions leaves them out): refused when
 * given (see sinkOptions).
 */
const SET_HERE = ['body', 'contentType', 'method', 'beaconContentType'];

/** Options of {@link LokiSink}. */
export interface LokiSinkOptions extends Omit<HttpSinkOptions, 'url' | 'body' | 'contentType' | 'method' | 'beaconContentType'> {
  /**
   * Loki's base URL, e.g. `'http://127.0.0.1:3100'`; batches go to `${url}/loki/api/v1/push` (a URL
   * that already ends so is taken as it is; a query stays after the path, a fragment is dropped;
   * Promtail's legacy `…/api/prom/push` is a ConfigurationError: Loki reads JSON there in another
   * shape and would store nothing, and so are Loki's OTLP endpoint, `…/otlp/v1/logs`, which is
   * OtlpSink's, and its other API paths, `…/loki/api/v1/tail` or `…/query`). A
   * `user:password@` in it (Grafana Cloud's) is sent as basic auth (and `beacon` defaults to
   * `false`, see `tenantId`). Required.
   */
  url: string;
  /**
   * Stream labels added to every stream, a plain object (not a Map), e.g. `{ app: 'shop' }`: names as Prometheus' (`[a-zA-Z_][a-zA-Z0-9_]*`),
   * not starting with `__` (Loki's own) and not `level` (set per event), values strings. Within
   * Loki's default limits, which it checks on every stream and fails the push by: at most
   * `maxLabelNames` names with `level`, names of at most 1 024 characters, values of at most 2 048
   * UTF-8 bytes. Default none.
   */
  labels?: Readonly<Record<string, string>> | undefined;
  /**
   * Most label names of a stream, `level` among them: Loki's `max_label_names_per_series`, whose
   * default is 15 (so 14 `labels`). Raise it to match a Loki whose limit is raised. Default `15`.
   */
  maxLabelNames?: number | undefined;
  /** Formats each line. Default `new CompactJsonFormatter()` (CLEF); a TextFormatter gives plain text lines. */
  formatter?: Formatter | undefined;
  /**
   * Most UTF-8 bytes of one line: a longer one is cut to it (at a character's start) and SelfLog
   * says so. Loki refuses a line over its `max_line_size` (default 256 000 bytes) with a `400`,
   * stores the other lines, and the sink counts that event failed. Default
   * `256_000`; `Infinity` for none.
   */
  maxLineBytes?: number | undefined;
  /**
   * The tenant, sent as `X-Scope-OrgID` to a multi-tenant Loki. Default none. Beacons carry no
   * header, so with a tenant (or credentials in `url`, or any `headers`) `beacon` defaults to
   * `false` unless a `beaconUrl` (a proxy that adds them) is given.
   */
  tenantId?: string | undefined;
  /**
   * The largest push body, in UTF-8 bytes (see HttpSink's): a larger batch is sent in parts of at
   * most this size. Loki answers `429` to a push whose lines add up to more than its ingestion
   * burst (`ingestion_burst_size_mb`, 6 MiB by default) on every try, so a batch of large events
   * (1 000 stack traces of 8 KB) was retried and failed whole. Default `1_048_576` (1 MiB,
   * Promtail's `batchsize` and Alloy's `batch_size`).
   */
  maxRequestBytes?: number | undefined;
}

/**
 * Prometheus' label names, less those starting with `__`, which Loki keeps for its own: streams
 * labelled `__pattern__` or `__aggregated_metric__` skip validation and are left out of queries.
 */
const LABEL_NAME = /^(?!__)[a-zA-Z_]\w*$/;
/** Loki's default `max_label_names_per_series` (pkg/validation/limits.go). */
const MAX_LABEL_NAMES = 15;
/** Loki's default `max_label_name_length`, counted in bytes (Go's len); a valid name is ASCII. */
const MAX_LABEL_NAME_LENGTH = 1024;
/** Loki's default `max_label_value_length`, in UTF-8 bytes (Go's len). */
const MAX_LABEL_VALUE_BYTES = 2048;
/** Loki's default `max_line_size`, 256KB as Go's humanize reads it. */
const MAX_LINE_BYTES = 256_000;
/** Promtail's `batchsize` and Alloy's `batch_size`: 1 MiB, far below Loki's default ingestion burst of 6 MiB. */
const MAX_REQUEST_BYTES = 1_048_576;
/** The path of Loki's push API. */
const PUSH_PATH = '/loki/api/v1/push';
/** Loki's OTLP logs endpoint, for OtlpSink. */
const OTLP_PATH = '/otlp/v1/logs';
/** Promtail's legacy push path, where Loki reads JSON in another shape (pkg/loghttp/push, GetVersion). */
const LEGACY_PUSH_PATH = '/api/prom/push';
/** The characters and length Loki (dskit) takes in a tenant id. */
const TENANT_ID = /^(?!\.\.?$)[\w!.*'()-]{1,150}$/;

/**
 * Sends batches to Grafana Loki's push API as JSON: one stream per level, labelled with `labels`
 * and `level` (`trace`, `debug`, `info`, `warning`, `error`, `fatal`, the names Grafana
 * recognises; `unknown` for any other), each line CLEF or whatever the formatter writes. An
 * HttpSink with a Loki body; a batch of several levels goes as one push per level, since Loki
 * answers a push with its last stream's outcome only (see `lokiFetch`).
 *
 * @example new LokiSink({ url: 'http://127.0.0.1:3100', labels: { app: 'shop' } })
 */
export class LokiSink extends HttpSink {
  /** @internal */
  protected static override readonly optionsName: string = 'LokiSink';
  /** @internal */
  protected static override readonly optionKeys: readonly string[] = [
    'labels',
    'tenantId',
    'maxLineBytes',
    'maxLabelNames',
  ] satisfies (keyof LokiSinkOptions)[];

  /** The default name of this sink in metrics and the shutdown report. */
  override readonly kind: string = 'loki';

  /**
   * Batching when `writeTo.sink` gives none: 1 000 events or 1 s, Promtail's `batchwait` (Loki
   * prefers fewer, larger pushes; 1 000 typical events stay near Promtail's 1 MiB `batchsize`).
   */
  override readonly batchDefaults = { size: 1_000, maxDelayMs: 1_000 };

  /** The sink's entry clock (see `lokiEntryClock`), which also knows the events its bodies left out. */
  readonly #clock: LokiEntryClock;
  readonly #taken: { bytes: number };

  /** @throws ConfigurationError naming the bad option. */
  constructor(given: LokiSinkOptions) {
    // Each option read once: a getter that throws is a ConfigurationError naming it.
    const options = sinkOptions('LokiSink', given, [...HTTP_OPTION_KEYS, ...LokiSink.optionKeys], SET_HERE);
    // The path goes before a query (a gateway's `?token=`).
    const [path, query] = baseUrlOption(
      (options as Partial<LokiSinkOptions> | null | undefined)?.url,
      'LokiSink.url',
      "Loki's base URL",
    );
    // The push URL itself (as Promtail's, Alloy's and Grafana Cloud's configurations have it) is taken
    // as it is. HttpSink sends a user:password@ in it as basic auth, as Promtail and Alloy do.
    // Loki still routes Promtail's legacy push path, but reads a JSON body there in the legacy shape
    // (`labels`, `entries`): it would answer this sink's pushes 204 and store nothing. Appended to,
    // the path was a 404 for every batch.
    if (path.endsWith(LEGACY_PUSH_PATH))
      throw new ConfigurationError(
        `LokiSink.url: ${JSON.stringify(redactUrl(path))} is Loki's legacy push path, for another JSON shape; give Loki's base URL or its ${PUSH_PATH} URL`,
      );
    // Loki's OTLP endpoint takes OTLP bodies, and its other API paths (tail, query, labels) no push:
    // appended to, each was a 404 for every batch.
    if (/\/otlp(\/v1\/logs)?$/.test(path))
      throw new ConfigurationError(
        `LokiSink.url: ${JSON.stringify(redactUrl(path))} is an OTLP endpoint, which takes OTLP bodies; use OtlpSink with Loki's ${OTLP_PATH} URL as its endpoint, or give Loki's base URL`,
      );
    if (!path.endsWith(PUSH_PATH) && /\/loki\/api\/v1(\/|$)/.test(path))
      throw new ConfigurationError(
        `LokiSink.url: ${JSON.stringify(redactUrl(path))} is a Loki API path other than the push path; give Loki's base URL or its ${PUSH_PATH} URL`,
      );
    const url = (path.endsWith(PUSH_PATH) ? path : path + PUSH_PATH) + (query ? `?${query}` : '');
    const maxLabelNames = options.maxLabelNames ?? MAX_LABEL_NAMES;
    expectOption(
      Number.isInteger(maxLabelNames) && maxLabelNames >= 1,
      'LokiSink.maxLabelNames',
      'an integer ≥ 1 (Loki’s max_label_names_per_series)',
      maxLabelNames,
    );
    // A label's getter (or a Proxy's trap) that throws is a ConfigurationError too.
    const labels = readGuarded('LokiSink.labels', 'the labels', () => checkLabels(options.labels ?? {}, maxLabelNames));
    // HttpSink checks the formatter given (LokiSink.formatter), as it does its own.
    const formatter = options.formatter ?? new CompactJsonFormatter();
    const tenantId = options.tenantId;
    // Loki's tenant ids (dskit's tenant.ValidTenantID): any other is refused with 400, every batch.
    expectOption(
      tenantId === undefined || (typeof tenantId == 'string' && TENANT_ID.test(tenantId)),
      'LokiSink.tenantId',
      "a tenant id (1 to 150 of a-z A-Z 0-9 ! - _ . * ' ( ), not . or ..)",
      tenantId,
    );
    const maxLineBytes = options.maxLineBytes ?? MAX_LINE_BYTES;
    expectOption(
      (Number.isInteger(maxLineBytes) && maxLineBytes > 0) || maxLineBytes === Infinity,
      'LokiSink.maxLineBytes',
      'an integer > 0 or Infinity',
      maxLineBytes,
    );
    const secrets = urlSecrets(url);
    const clock = lokiEntryClock();
    const taken = { bytes: 0 };
    // An invalid fetch, or none on this platform, is HttpSink's to refuse.
    const fetch = options.fetch ?? (globalThis as { fetch?: typeof globalThis.fetch }).fetch?.bind(globalThis);
    checkHeaders('LokiSink.headers', options.headers);
    readGuarded('LokiSink.headers', 'the headers', () => checkFramingHeaders('LokiSink.headers', options.headers));
    const headers = withHeader(options.headers, 'X-Scope-OrgID', tenantId);
    super({
      ...options,
      url,
      maxRequestBytes: options.maxRequestBytes ?? MAX_REQUEST_BYTES,
      contentType: 'application/json',
      headers,
      // A beacon carries no header but Content-Type: without X-Scope-OrgID or Authorization, Loki (or
      // its gateway) answers 401, and the batch counted delivered was lost. (HttpSink sends none
      // with credentials in the URL either.)
      beacon: options.beacon ?? (headers === undefined || options.beaconUrl !== undefined ? undefined : false),
      body: (events) => lokiPushBody(events, labels, formatter, clock, maxLineBytes),
      // Loki's answers go to SelfLog hidden as HttpSink hides them in its errors: a gateway's may echo the URL's secrets.
      fetch:
        typeof fetch === 'function'
          ? lokiFetch(
              fetch,
              () => this.kind,
              taken,
              (text) => redactUrlSecrets(text, url, secrets),
            )
          : options.fetch,
    });
    this.#clock = clock;
    this.#taken = taken;
  }

  /**
   * UTF-8 bytes of the pushes Loki took (see `lokiFetch`), and of the beacons sent: a batch goes as
   * a push per level, a level Loki refuses whole (a `400`, a blocked answer) adds nothing, and
   * entries stored before a failure count once, when they were pushed, not again with the retry
   * that leaves them out. A push Loki stored in part (entries it ignored) counts whole.
   */
  override get bytesWritten(): number {
    return super.bytesWritten + this.#taken.bytes;
  }

  /** None: `lokiFetch` counts what Loki took of each request (see `bytesWritten`). */
  protected override acceptedBytes(): number {
    return 0;
  }

  /**
   * The events the body left out (the formatter threw on them and on their placeholder), which
   * HttpSink counts failed once it sent the body.
   */
  protected override leftOut(events: readonly LogEvent[]): number {
    let count = 0;
    for (const event of events) if (this.#clock.omitted.has(event)) count++;
    return count;
  }

  /**
   * Whether the body goes as one push: one of several levels goes as a push per level (see
   * `lokiFetch`), each smaller, so its acceptance says nothing of the size Loki (or a gateway in
   * front of it) takes, which HttpSink learns after a `413`.
   */
  protected override oneRequest(body: string): boolean {
    return oneStream(body);
  }

  /** A stored push body's halves: its streams' values, cut in document order (see `jsonHalves`). */
  protected override storedHalves(piece: OfflinePiece): readonly OfflinePiece[] | undefined {
    return jsonHalves(piece, ['streams', 'values']);
  }
}

/**
 * The labels, checked as Loki's distributor checks each stream's (pkg/distributor/validator.go,
 * ValidateLabels) with its default limits: a stream past one of them is refused with a 400 that
 * fails every push, so each is refused here, once, at configuration.
 */
function checkLabels(labels: Readonly<Record<string, string>>, maxLabelNames: number): Readonly<Record<string, string>> {
  expectOption(
    // Not a Map or an array, whose entries are no own keys: they would be taken as no labels at all.
    isPlainRecord(labels),
    'LokiSink.labels',
    'an object of label names to values',
    labels,
  );
  const checked: Record<string, string> = {};
  for (const name of Object.keys(labels)) {
    // Quoted and cut past 120 characters, as every configuration error shows a name.
    const shown = describeValue(name);
    if (!LABEL_NAME.test(name))
      throw new ConfigurationError(
        `LokiSink.labels: ${shown} is not a valid Loki label name ([a-zA-Z_][a-zA-Z0-9_]*, not starting with __, which is Loki's own)`,
      );
    if (name === 'level')
      throw new ConfigurationError('LokiSink.labels: "level" is set from each event’s level; choose another label name');
    const value: unknown = labels[name];
    // Loki's JSON reader refuses a lone surrogate's escape: every push would be answered 400.
    expectOption(
      typeof value === 'string' && !hasLoneSurrogate(value),
      `LokiSink.labels[${shown}]`,
      'a string without a lone UTF-16 surrogate',
      value,
    );
    overLimit(`a name of ${name.length} characters ("${name.slice(0, 40)}…")`, name.length, MAX_LABEL_NAME_LENGTH, 'name_length');
    const bytes = utf8Length(value);
    overLimit(`${shown}: a value of ${bytes} UTF-8 bytes`, bytes, MAX_LABEL_VALUE_BYTES, 'value_length');
    checked[name] = value;
  }
  // Loki drops a label whose value is empty before it counts (syntax.ParseLabels).
  const counted = Object.keys(checked).filter((name) => checked[name] !== '');
  const count = counted.length + 1;
  overLimit(
    `${count} names with "level" (${shortText(`${counted.join(', ')}, level`)})`,
    count,
    maxLabelNames,
    'names_per_series, see maxLabelNames',
  );
  return checked;
}

/** Refuses a label `size` past Loki's limit `max_label_${setting}`, naming it. */
function overLimit(what: string, size: number, most: number, setting: string): void {
  if (size > most) throw new ConfigurationError(`LokiSink.labels: ${what}; Loki takes at most ${most} (max_label_${setting})`);
}
