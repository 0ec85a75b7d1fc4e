import { describeValue } from '../../core/describe-value';
import { ConfigurationError } from '../../core/errors/configuration-error';
import type { Formatter } from '../../core/sink';
import { CompactJsonFormatter } from '../../formatting/compact-json-formatter';
import { HttpSink, type HttpSinkOptions } from './http-sink';
import { withHeader } from './with-header';
import { lokiEntryClock, lokiPushBody } from './loki-push-body';

/** Options of {@link LokiSink}. */
export interface LokiSinkOptions extends Omit<HttpSinkOptions, 'url' | 'body' | 'contentType' | 'method' | 'beaconContentType'> {
  /** Loki's base URL, e.g. `'http://127.0.0.1:3100'`; batches go to `${url}/loki/api/v1/push`. Required. */
  url: string;
  /** Stream labels added to every stream, e.g. `{ app: 'shop' }`; `level` is set per event. Default none. */
  labels?: Readonly<Record<string, string>>;
  /** Formats each line. Default `new CompactJsonFormatter()` (CLEF); a TextFormatter gives plain text lines. */
  formatter?: Formatter;
  /** The tenant, sent as `X-Scope-OrgID` to a multi-tenant Loki. Default none. */
  tenantId?: string;
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Sends batches to Grafana Loki's push API as JSON: one stream per level, labelled with `labels`
 * and `level` (`trace`, `debug`, `info`, `warning`, `error`, `fatal`, the names Grafana
 * recognises), each line CLEF or whatever the formatter writes. An HttpSink with a Loki body.
 *
 * @example new LokiSink({ url: 'http://127.0.0.1:3100', labels: { app: 'shop' } })
 */
export class LokiSink extends HttpSink {
  /** The default name of this sink in metrics and the shutdown report. */
  override readonly kind: string = 'loki';

  /**
   * Batching when `writeTo.sink` gives none: 1 000 events or 1 s, Promtail's `batchwait` (Loki
   * prefers fewer, larger pushes; 1 000 typical events stay near Promtail's 1 MiB `batchsize`).
   */
  override readonly batchDefaults = { size: 1_000, maxDelayMs: 1_000 };

  /** @throws ConfigurationError naming the bad option. */
  constructor(options: LokiSinkOptions) {
    const base = (options as Partial<LokiSinkOptions> | null | undefined)?.url;
    if (typeof base !== 'string' || base.trim() === '')
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- JSON.stringify returns undefined for undefined, functions and symbols
      throw new ConfigurationError(`LokiSink.url: expected Loki's base URL, got ${JSON.stringify(base) ?? String(base)}`);
    const labels = checkLabels(options.labels ?? {});
    const formatter = options.formatter ?? new CompactJsonFormatter();
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- JavaScript callers can pass anything
    if (typeof formatter?.format !== 'function')
      throw new ConfigurationError(`LokiSink.formatter: expected an object with format(event), got ${describeValue(formatter)}`);
    const tenantId = options.tenantId;
    if (tenantId !== undefined && (typeof tenantId !== 'string' || tenantId === ''))
      throw new ConfigurationError(`LokiSink.tenantId: expected a non-empty string, got ${JSON.stringify(tenantId)}`);
    const clock = lokiEntryClock();
    super({
      ...options,
      url: `${base.trim().replace(/\/+$/, '')}/loki/api/v1/push`,
      contentType: 'application/json',
      headers: tenantId === undefined ? options.headers : withHeader(options.headers, 'X-Scope-OrgID', tenantId),
      body: (events) => lokiPushBody(events, labels, formatter, clock),
    });
  }
}

function checkLabels(labels: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- JavaScript callers can pass anything
  if (typeof labels !== 'object' || labels === null)
    throw new ConfigurationError(`LokiSink.labels: expected an object of label names to values, got ${String(labels)}`);
  const checked: Record<string, string> = {};
  for (const name of Object.keys(labels)) {
    if (!LABEL_NAME.test(name))
      throw new ConfigurationError(`LokiSink.labels: "${name}" is not a valid Loki label name ([a-zA-Z_][a-zA-Z0-9_]*)`);
    if (name === 'level')
      throw new ConfigurationError('LokiSink.labels: "level" is set from each event’s level; choose another label name');
    const value: unknown = labels[name];
    if (typeof value !== 'string')
      throw new ConfigurationError(`LokiSink.labels["${name}"]: expected a string, got ${typeof value}`);
    checked[name] = value;
  }
  return checked;
}
