import { ConfigurationError } from '../../core/errors/configuration-error';
import type { LogEvent } from '../../core/log-event';
import { HttpSink, type HttpSinkOptions } from './http-sink';
import { type OtlpKeyValue, toAnyValue } from './otlp-any-value';
import { toOtlpLogRecord } from './otlp-log-record';

/** Options of {@link OtlpSink}. */
export interface OtlpSinkOptions extends Omit<
  HttpSinkOptions,
  'url' | 'body' | 'contentType' | 'formatter' | 'method' | 'beaconContentType'
> {
  /** The OTLP/HTTP logs endpoint, e.g. `'http://127.0.0.1:4318/v1/logs'`. Required. */
  endpoint: string;
  /** Resource attributes, e.g. `{ 'deployment.environment': 'prod' }`. Default none. */
  resource?: Readonly<Record<string, string | number | boolean>>;
  /** The `service.name` resource attribute. Default: `resource['service.name']`, else `'unknown_service'`. */
  serviceName?: string;
  /** The instrumentation scope's name. Default `'rxlog'`. */
  scopeName?: string;
}

/**
 * Sends batches to an OpenTelemetry collector as OTLP/HTTP JSON logs: one `resourceLogs` entry
 * with the resource attributes, one `scopeLogs` entry, and a log record per event (see
 * `toOtlpLogRecord`). An HttpSink with an OTLP body; retries, breaker and beacons work the same.
 * Beacons are `application/json`, so a collector on another origin must answer CORS preflight.
 *
 * @example new OtlpSink({ endpoint: 'http://127.0.0.1:4318/v1/logs', serviceName: 'shop-web' })
 */
export class OtlpSink extends HttpSink {
  /** The default name of this sink in metrics and the shutdown report. */
  override readonly kind: string = 'otlp';

  /** @throws ConfigurationError naming the bad option. */
  constructor(options: OtlpSinkOptions) {
    const endpoint = (options as Partial<OtlpSinkOptions> | null | undefined)?.endpoint;
    if (typeof endpoint !== 'string' || endpoint.trim() === '')
      throw new ConfigurationError(
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- JSON.stringify returns undefined for undefined, functions and symbols
        `OtlpSink.endpoint: expected the OTLP/HTTP logs URL, got ${JSON.stringify(endpoint) ?? String(endpoint)}`,
      );
    const resource = resourceAttributes(options);
    const scopeName = options.scopeName ?? 'rxlog';
    if (typeof scopeName !== 'string')
      throw new ConfigurationError(`OtlpSink.scopeName: expected a string, got ${String(scopeName)}`);
    super({
      ...options,
      url: endpoint,
      contentType: 'application/json',
      body: (events) => otlpBody(events, resource, scopeName),
    });
  }
}

function otlpBody(events: readonly LogEvent[], resource: OtlpKeyValue[], scopeName: string): string {
  return JSON.stringify({
    resourceLogs: [
      {
        resource: { attributes: resource },
        scopeLogs: [{ scope: { name: scopeName }, logRecords: events.map(toOtlpLogRecord) }],
      },
    ],
  });
}

function resourceAttributes(options: OtlpSinkOptions): OtlpKeyValue[] {
  const resource = options.resource ?? {};
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- JavaScript callers can pass anything
  if (typeof resource !== 'object' || resource === null)
    throw new ConfigurationError(`OtlpSink.resource: expected an object of attributes, got ${String(resource)}`);
  const attributes: OtlpKeyValue[] = [];
  for (const key of Object.keys(resource)) {
    const value: unknown = resource[key];
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw new ConfigurationError(`OtlpSink.resource["${key}"]: expected a string, number or boolean, got ${typeof value}`);
    }
    attributes.push({ key, value: toAnyValue(value) });
  }
  const serviceName = options.serviceName;
  if (serviceName !== undefined && (typeof serviceName !== 'string' || serviceName === ''))
    throw new ConfigurationError(`OtlpSink.serviceName: expected a non-empty string, got ${JSON.stringify(serviceName)}`);
  const existing = attributes.findIndex((a) => a.key === 'service.name');
  if (serviceName !== undefined) {
    if (existing >= 0) attributes.splice(existing, 1);
    attributes.unshift({ key: 'service.name', value: { stringValue: serviceName } });
  } else if (existing < 0) {
    attributes.unshift({ key: 'service.name', value: { stringValue: 'unknown_service' } });
  }
  return attributes;
}
