// Types only: rxlog/otel loads without @opentelemetry/api-logs (traceContextEnricher needs only the
// API, and a sink given its provider needs no more); the sink imports it on its own (see loadLogsApi).
import type { Logger as OtelLogger, LoggerProvider } from '@opentelemetry/api-logs';
import { settledOutcome } from '../core/adopt-outcome';
import { describeValue } from '../core/describe-value';
import { hasLoneSurrogate, wellFormed } from '../core/lone-surrogate';
import { ConfigurationError } from '../core/errors/configuration-error';
import { checkOptionKeys } from '../core/check-option-keys';
import { readGuarded, readOptions } from '../core/read-options';
import { PartialDeliveryError } from '../core/errors/partial-delivery-error';
import type { LogEvent } from '../core/log-event';
import type { Sink } from '../core/sink';
import { otlpScopeName } from '../sinks/http/otlp-log-record';
import { toOtelLogRecord } from './to-otel-log-record';

/** Options of {@link OpenTelemetrySink}. */
export interface OpenTelemetrySinkOptions {
  /**
   * The provider the events go to. Default: the global one (`logs.getLoggerProvider()`), looked up
   * at each write, so the SDK may be registered after the logger is configured (or another
   * registered in its place); a batch written before any is registered fails (and is retried), as
   * the API would drop it unseen.
   */
  loggerProvider?: LoggerProvider | undefined;
  /**
   * The instrumentation scope's name for events without a `SourceContext` (those with one get a
   * scope of that name), a non-empty string without a lone UTF-16 surrogate. Default `'rxlog'`.
   */
  scopeName?: string | undefined;
  /** The version of the `scopeName` scope, a string without a lone UTF-16 surrogate. Default none. */
  scopeVersion?: string | undefined;
}

/** Where every copy of `@opentelemetry/api-logs` keeps the registered global LoggerProvider. */
const GLOBAL_LOGS_API_KEY = Symbol.for('io.opentelemetry.js.api.logs');
/** The version every copy of api-logs asks the global's getter for (its `API_BACKWARDS_COMPATIBILITY_VERSION`). */
const GLOBAL_LOGS_API_VERSION = 1;

/**
 * The global LoggerProvider an SDK registered (`logs.setGlobalLoggerProvider`), read as
 * `logs.getLoggerProvider()` of any copy of api-logs reads it, or undefined when none is.
 */
function globalProvider(): LoggerProvider | undefined {
  const getter = (globalThis as Record<symbol, unknown>)[GLOBAL_LOGS_API_KEY];
  return typeof getter === 'function'
    ? (getter as (version: number) => LoggerProvider | undefined)(GLOBAL_LOGS_API_VERSION)
    : undefined;
}

/** What the sink reads of `@opentelemetry/api-logs`, once loaded (see loadLogsApi). */
interface LogsApi {
  createNoopLogger?: () => unknown;
  NOOP_LOGGER?: unknown;
}

let logsApi: LogsApi | undefined;
let logsApiRequested = false;

/**
 * Imports `@opentelemetry/api-logs` in the background, once, for its no-op logger: a dynamic
 * import, so that `rxlog/otel` loads without it in both builds (an ES module's static import of a
 * missing package fails the whole entry). Where it is not installed, the sink tells a shut-down
 * provider by `enabled()` alone (see otelLogger).
 */
function loadLogsApi(): void {
  if (logsApiRequested) return;
  logsApiRequested = true;
  void import('@opentelemetry/api-logs').then(
    (api: LogsApi) => {
      logsApi = api;
    },
    () => undefined,
  );
}

/**
 * The API's no-op logger, which a shut-down SDK provider hands out; undefined until api-logs is
 * loaded, or without it. Read from the namespace, not imported by name: an api-logs older than
 * `createNoopLogger` (the peer range starts at 0.50) exports `NOOP_LOGGER` instead.
 */
function noopLogger(): unknown {
  const api = logsApi;
  if (api === undefined) return undefined;
  return typeof api.createNoopLogger === 'function' ? api.createNoopLogger() : api.NOOP_LOGGER;
}

/** What the SDK's LoggerProvider has beyond the API's: `flush` and `close` use it when present. */
interface Flushable {
  forceFlush?: () => Promise<void>;
}

/**
 * True when the logger's `enabled()` says it emits nothing (a logger of an api-logs older than
 * `enabled` never does, nor one whose `enabled()` throws: a custom logger's interface stub, whose
 * `emit` may well work, and which would otherwise fail every batch).
 */
function emitsNothing(logger: OtelLogger): boolean {
  try {
    return (logger as Partial<OtelLogger>).enabled?.() === false;
  } catch {
    return false;
  }
}

/**
 * The scope name of the logger asked for only to tell a shut-down provider from a live one: the
 * SDK's shut-down provider hands out one no-op logger for every name, a live one a logger per name.
 */
const SHUTDOWN_PROBE = 'rxlog.shutdown-probe';

/** Most `SourceContext` names given a logger (an instrumentation scope) of their own. */
const MAX_SCOPES = 1000;

/** The options `OpenTelemetrySink` takes. */
const OPTION_KEYS = ['loggerProvider', 'scopeName', 'scopeVersion'] satisfies (keyof OpenTelemetrySinkOptions)[];

/**
 * Hands events to an OpenTelemetry `LoggerProvider` (`@opentelemetry/api-logs`), so a service
 * that already runs the OpenTelemetry SDK sends rxlog's events through its own processors and
 * exporters (OTLP over gRPC or protobuf, vendor exporters). Each event becomes one log record
 * (see `toOtelLogRecord`): body = the rendered message, `message_template.text`, properties as
 * attributes, the exception per the semantic conventions, the event's trace context, mapped
 * severity, the event's timestamp (as the observed time too), and the event's `SourceContext` as
 * the instrumentation scope (`scopeName` without one). The provider's `emit` is this sink's write: an `emit` that
 * throws fails the batch, which then goes to retry and the fallback like any sink's (the records
 * it already took count as delivered and are not sent again). `flush` and `close` call the
 * provider's `forceFlush` when it has one; the provider belongs to the app, so `close` never
 * shuts it down. Once the app has shut the SDK's provider down (its loggers drop every record),
 * also before the first write and whichever copy of api-logs the SDK loaded, each batch fails for
 * good: to the fallback, else counted failed (see docs/opentelemetry.md for what the API cannot
 * tell). That failure is the sink's (`permanent: 'sink'`), so the circuit breaker opens and later
 * batches go to the fallback without a try; no provider registered yet is retried.
 *
 * @example
 * ```ts fragment
 * new LoggerConfiguration().enrich.with(traceContextEnricher()).writeTo.sink(new OpenTelemetrySink()).createLogger();
 * ```
 */
export class OpenTelemetrySink implements Sink {
  /** The default name of this sink in metrics and the shutdown report. */
  readonly kind: string = 'opentelemetry';
  private logger: OtelLogger | undefined;
  /** The provider `logger` and the `scoped` loggers came from. */
  private loggerProvider: LoggerProvider | undefined;
  private readonly scoped = new Map<string, OtelLogger>();
  private readonly provider: LoggerProvider | undefined;
  private readonly scopeName: string;
  private readonly scopeVersion: string | undefined;

  /** @throws ConfigurationError naming the bad option. */
  constructor(options: OpenTelemetrySinkOptions = {}) {
    const given: unknown = options;
    if (typeof given !== 'object' || given === null)
      throw new ConfigurationError(`OpenTelemetrySink: expected an options object, got ${describeValue(given)}`);
    // Each option read once: a getter or Proxy trap that throws is a ConfigurationError naming it,
    // and a misspelt option is refused, as every sink's.
    const read = readOptions('OpenTelemetrySink', options, OPTION_KEYS);
    checkOptionKeys('OpenTelemetrySink', read, OPTION_KEYS);
    const { loggerProvider, scopeName = 'rxlog', scopeVersion } = read as OpenTelemetrySinkOptions;
    if (
      loggerProvider !== undefined &&
      readGuarded(
        'OpenTelemetrySink.loggerProvider',
        'the provider',
        () => typeof (loggerProvider as Partial<LoggerProvider> | null)?.getLogger,
      ) !== 'function'
    )
      throw new ConfigurationError(
        `OpenTelemetrySink.loggerProvider: expected a LoggerProvider, got ${describeValue(loggerProvider)}`,
      );
    // Without a lone UTF-16 surrogate, as metricsToOpenTelemetry's name: a scope's name and version
    // are proto3 strings, which have no form for one, and the SDK's OTLP/JSON exporter writes its
    // escape ("\ud800") into every request of the scope's records, which protobuf's JSON readers
    // refuse whole. (A SourceContext scope, the event's data, gets U+FFFD instead: see loggerFor.)
    if (typeof scopeName !== 'string' || scopeName === '' || hasLoneSurrogate(scopeName))
      throw new ConfigurationError(
        `OpenTelemetrySink.scopeName: expected a non-empty string without a lone UTF-16 surrogate, got ${describeValue(scopeName)}`,
      );
    if (scopeVersion !== undefined && (typeof scopeVersion !== 'string' || hasLoneSurrogate(scopeVersion)))
      throw new ConfigurationError(
        `OpenTelemetrySink.scopeVersion: expected a string without a lone UTF-16 surrogate, got ${describeValue(scopeVersion)}`,
      );
    this.provider = loggerProvider;
    this.scopeName = scopeName;
    this.scopeVersion = scopeVersion;
    loadLogsApi();
  }

  /**
   * Emits one log record per event, in order. When the provider throws partway, the records
   * already emitted are reported as delivered (a `PartialDeliveryError`), so a retry sends only
   * the rest and no record reaches the provider twice.
   */
  emit(events: readonly LogEvent[]): void {
    const logger = this.otelLogger();
    let emitted = 0;
    try {
      for (const event of events) {
        this.loggerFor(event, logger).emit(toOtelLogRecord(event));
        emitted++;
      }
    } catch (error) {
      if (emitted === 0) throw error;
      throw new PartialDeliveryError(emitted, error);
    }
  }

  /**
   * Asks the provider to export what its processors hold. What `forceFlush` returns is adopted at
   * most 32 thenables deep (see adoptOutcome): a look-alike provider's thenable that fulfils with
   * itself fails the flush, where `await` would adopt it for ever and starve the event loop.
   */
  flush(): Promise<void> {
    return settledOutcome(() => (this.currentProvider() as Flushable | undefined)?.forceFlush?.());
  }

  /** Flushes; leaves the provider running (it belongs to the app). */
  async close(): Promise<void> {
    await this.flush();
  }

  private otelLogger(): OtelLogger {
    const logger = this.logger;
    // The global provider is read at each write: one the app registers in place of another (after
    // logs.disable()) takes every record from then on, whatever its scope.
    const provider = this.currentProvider();
    if (logger !== undefined && provider === this.loggerProvider && !emitsNothing(logger)) return logger;
    // Until an SDK registers its provider, the API's logger drops every record without a trace: fail
    // the batch instead (retried, then counted), so nothing is reported delivered that went nowhere.
    if (provider === undefined)
      throw new Error('OpenTelemetrySink: no global LoggerProvider is registered yet (logs.setGlobalLoggerProvider)');
    const fresh = provider.getLogger(this.scopeName, this.scopeVersion);
    // No logger yet, or ours says it emits nothing. After shutdown() the SDK's provider hands out
    // the API's no-op logger (as the logs SDK specification asks), one object for every name, and
    // its own loggers drop every record: fail the batch for good (fallback, else failed) rather
    // than count it delivered, and as the sink's ('sink': no batch gets through, so the breaker
    // opens). That no-op logger is the one of the api-logs copy the SDK loaded, which may not be
    // ours, so a logger that emits nothing and is also what the provider gives for another name
    // counts as it. A live logger whose configuration disables it is handed out
    // again, or anew per call by a provider that wraps its loggers, and differs from another
    // name's: the app drops those records on purpose. A provider registered since (the global
    // one) gets loggers anew.
    const noop = noopLogger();
    if (
      (noop !== undefined && fresh === noop) ||
      (fresh !== logger && emitsNothing(fresh) && provider.getLogger(SHUTDOWN_PROBE) === fresh)
    )
      throw Object.assign(new Error('OpenTelemetrySink: the LoggerProvider is shut down; its loggers drop every record'), {
        permanent: 'sink',
      });
    if (fresh !== logger || provider !== this.loggerProvider) this.scoped.clear();
    this.logger = fresh;
    this.loggerProvider = provider;
    return fresh;
  }

  /**
   * The logger of the event's `SourceContext` (the logger's name is the instrumentation scope's, as
   * the logs specification asks of bridges and Serilog's OpenTelemetry sink does), else `fallback`
   * (`scopeName`). At most MAX_SCOPES names get a logger of their own; the rest use `fallback`.
   */
  private loggerFor(event: LogEvent, fallback: OtelLogger): OtelLogger {
    // '' stands for no SourceContext of its own: the event goes to `fallback`.
    const name = otlpScopeName(event, '');
    if (name === '') return fallback;
    let logger = this.scoped.get(name);
    if (logger === undefined) {
      if (this.scoped.size >= MAX_SCOPES) return fallback;
      // The provider whose logger `fallback` is: otelLogger() found one.
      // A scope name is a proto3 string too (see toOtelAnyValue).
      logger = (this.loggerProvider as LoggerProvider).getLogger(wellFormed(name));
      this.scoped.set(name, logger);
    }
    return logger;
  }

  /** The provider given, else the global one; undefined while none is registered. */
  private currentProvider(): LoggerProvider | undefined {
    return this.provider ?? globalProvider();
  }
}
