import {
  DestroyRef,
  ENVIRONMENT_INITIALIZER,
  type EnvironmentProviders,
  inject,
  InjectionToken,
  Injector,
  makeEnvironmentProviders,
  NgZone,
  PLATFORM_ID,
  type Provider,
  untracked,
  type ValueProvider,
} from '@angular/core';
import { describeValue } from '../core/describe-value';
import { isClass } from '../core/expect-option';
import { callbackName } from '../core/stray-promise';
import { LoggerConfiguration } from '../configuration/logger-configuration';
import { ConfigurationError } from '../core/errors/configuration-error';
import { SelfLog } from '../core/self-log';
import type { Sink } from '../core/sink';
import { readOptions } from '../core/read-options';
import { readThrownValuesWith } from '../templates/exception-from';
import { REDACT_OPTION_NAMES, type RedactOptions } from '../templates/redaction-policy';
import { Logger } from '../pipeline/logger';
import { installPageHideFlush } from '../sinks/http/http-page-hide';
import { httpErrorData, isHttpErrorResponse, readHttpErrorResponse } from './http-error-exception';
import { runOutsideAngular } from './run-outside-angular';
import type { RxlogFeature } from './rxlog-feature';
import { RXLOG_CONFIGURATION_STEPS, RXLOG_LOGGER, RXLOG_LOGGER_SLOT, RXLOG_SINK_ENDPOINTS } from './rxlog-tokens';
import { sinkEndpoints } from './sink-endpoints';

/**
 * Builds the app's logger: receives a fresh LoggerConfiguration and returns it (rxlog then calls
 * `createLogger()`), or returns a Logger it created. Runs in an injection context, so it may call
 * `inject()`.
 */
export type RxlogConfigure = (configuration: LoggerConfiguration) => LoggerConfiguration | Logger;

/**
 * Provides an rxlog Logger to an Angular application, the way `provideHttpClient(withFetch())`
 * provides HttpClient: features (`withErrorHandler()`, `withHttpLogging()`, `withRouterContext()`)
 * are passed after the configure function. The logger is built when the environment injector
 * starts; `injectLogger()` returns it. In a browser its queued events are handed to
 * `navigator.sendBeacon` when the page hides (`installPageHideFlush`). When the injector is
 * destroyed (`appRef.destroy()`), the logger is closed, which delivers what it still holds; in a
 * lazy route's `providers`, when that route's injector or the app's root injector is destroyed,
 * whichever comes first (Angular does not destroy route injectors with the app).
 *
 * Logging never starts change detection: the pipeline runs outside Angular's zone (with
 * zone.js), and nothing on the logging path writes a signal. Works zoneless and with zone.js.
 *
 * @example
 * bootstrapApplication(App, {
 *   providers: [
 *     provideZonelessChangeDetection(),
 *     provideRxlog((c) => c.minimumLevel.debug().writeTo.console(), withErrorHandler()),
 *   ],
 * });
 */
export function provideRxlog(configure: RxlogConfigure, ...features: RxlogFeature[]): EnvironmentProviders {
  if (typeof configure !== 'function')
    throw new ConfigurationError(`provideRxlog: expected a configure function, got ${describeValue(configure)}`);
  const seen = new Set<string>();
  for (const feature of features as unknown[]) {
    if (!isFeature(feature))
      throw new ConfigurationError(`provideRxlog: expected features made by withX() functions, got ${describeValue(feature)}`);
    if (seen.has(feature.kind)) throw new ConfigurationError(`provideRxlog: the feature "${feature.kind}" is given twice`);
    seen.add(feature.kind);
  }
  // The configuration steps of these features: when a later provideRxlog replaces this one in the
  // same injector (a test overriding the app's), the steps of the one that was replaced stay out.
  const steps = new Set<unknown>();
  for (const feature of features)
    for (const provider of feature.providers)
      if ((provider as Partial<ValueProvider>).provide === RXLOG_CONFIGURATION_STEPS)
        steps.add((provider as ValueProvider).useValue);
  const providers: Provider[] = [
    // One list per injector: the same providers serve every app and every server render in a
    // process, and each one's HTTP logging leaves alone its own sinks' endpoints only.
    { provide: RXLOG_SINK_ENDPOINTS, useFactory: () => ({ urls: [] as string[] }) },
    {
      provide: RXLOG_LOGGER_SLOT,
      useFactory: () => {
        const slot = {
          building: false,
          logger: undefined,
          beforeClose: [],
          close: undefined as (() => void) | undefined,
          // An injector's destroy runs its services' ngOnDestroy, then its onDestroy callbacks, and
          // stops at the first that throws: an app's service whose ngOnDestroy throws left the
          // logger open, its batches unsent. This one (the slot is made before the logger, as the
          // injector starts) closes it after the destroy, whether that completed or threw.
          ngOnDestroy: () => queueMicrotask(() => slot.close?.()),
        };
        return slot;
      },
    },
    { provide: RXLOG_LOGGER, useFactory: () => createAppLogger(configure, steps) },
    // Builds the logger with the injector, so page-hide flushing and close-on-destroy are in place
    // before the first event, even when nothing injects the logger early.
    { provide: ENVIRONMENT_INITIALIZER, multi: true, useValue: () => void inject(RXLOG_LOGGER) },
  ];
  for (const feature of features) providers.push(...feature.providers);
  return makeEnvironmentProviders(providers);
}

function isFeature(value: unknown): value is RxlogFeature {
  return typeof value === 'object' && value !== null && Array.isArray((value as { providers?: unknown }).providers);
}

function createAppLogger(configure: RxlogConfigure, own: ReadonlySet<unknown>): Logger {
  const zone = inject(NgZone, { optional: true });
  const endpoints = (inject(RXLOG_SINK_ENDPOINTS) as { urls: string[] }).urls;
  // With zone.js, what the sinks start when they are built (page lifecycle listeners, the offline
  // store's first replay and its fetch) and what closing starts would otherwise be zone tasks that
  // run change detection and keep the app from becoming stable. inject() still works in there.
  const outside = <T>(fn: () => T): T => (zone === null ? fn() : zone.runOutsideAngular(fn));
  const slot = inject(RXLOG_LOGGER_SLOT);
  slot.building = true;
  let logger: Logger;
  try {
    logger = outside(() => buildLogger(configure, endpoints, own, zone));
  } finally {
    slot.building = false;
  }
  slot.logger = logger;
  // On a server there is no page to hide, and a global scope that is an EventTarget (Deno,
  // Cloudflare Workers) would hold every render's logger until it closed. 'server' is what
  // isPlatformServer compares with: importing @angular/common for it would load, in an app that
  // bundles provideRxlog alone, classes that need the Angular compiler or linker.
  // The logger without metricsEvery: installPageHideFlush would follow it to its close with a
  // timer (0 ms, then every 24.8 days), which a test's vi.runAllTimers() or jest.runAllTimers()
  // runs for ever. The injector's destroy uninstalls the listeners instead.
  const page = { flushSync: () => logger.flushSync(), events$: logger.events$ };
  const uninstall = inject(PLATFORM_ID) === 'server' ? () => undefined : outside(() => installPageHideFlush(page));
  const destroyRef = inject(DestroyRef);
  const appDestroyRef = inject(APP_DESTROY_REF, { optional: true });
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    uninstall();
    for (const last of slot.beforeClose.splice(0))
      try {
        last();
      } catch (error) {
        SelfLog.write('provideRxlog: what was logged before the logger closed failed', error);
      }
    // Called from an onDestroy callback. An injector runs them in the order they were registered,
    // this one (registered as the injector starts) before any service's: the logger closes once
    // they have all run, so what a service logs from its own (DestroyRef.onDestroy, a
    // takeUntilDestroyed stream's finalize) is delivered, not refused by a closed logger.
    outside(() =>
      queueMicrotask(() => {
        logger.close().catch((error: unknown) => SelfLog.write('provideRxlog: closing the logger failed', error));
      }),
    );
  };
  slot.close = close;
  // Angular's Router never destroys a lazy route's injector with the app (only
  // withExperimentalAutoCleanupInjectors does, when the route is left): a route's logger closes
  // with the app's root injector too, whichever goes first.
  const forget = appDestroyRef === null || appDestroyRef === destroyRef ? undefined : appDestroyRef.onDestroy(close);
  destroyRef.onDestroy(() => {
    close();
    // A route injector destroyed before the app: the app's root keeps no hold on this logger.
    forget?.();
  });
  return logger;
}

/**
 * The DestroyRef of the app's root injector, from wherever it is injected (a lazy route's
 * injector included); absent in an injector tree without a root scope.
 */
const APP_DESTROY_REF = new InjectionToken<DestroyRef>('rxlog DestroyRef of the root injector', {
  providedIn: 'root',
  factory: () => inject(DestroyRef),
});

/** The Loggers configure functions returned: each belongs to the injector that took it first. */
const taken = new WeakSet<Logger>();

function buildLogger(configure: RxlogConfigure, endpoints: string[], own: ReadonlySet<unknown>, zone: NgZone | null): Logger {
  const injector = inject(Injector);
  const steps = (inject(RXLOG_CONFIGURATION_STEPS, { optional: true }) ?? []).filter((step) => own.has(step));
  // log.error(err, …) in catchError: an HttpErrorResponse as the exception the error handler logs
  // (query values redacted, no response body), not its data as JSON.
  readThrownValuesWith(readHttpErrorResponse);
  // And wherever else capture meets one ({@Response}, { response }, inside another value): its
  // status and redacted URL, not its headers (an Authorization token), query values or body.
  const configuration = new LoggerConfiguration().destructure.byTransformingWhere(isHttpErrorResponse, httpErrorData);
  // Only a zone.js NgZone: a zoneless app's NoopNgZone (not an NgZone) starts no zone tasks, and the
  // operator, which would change nothing, would take every event off the direct path to the sinks.
  if (zone instanceof NgZone) configuration.pipe(runOutsideAngular(zone));
  recordSinks(configuration, (sink) => endpoints.push(...sinkEndpoints(sink)));
  untrackCallbacks(configuration);
  for (const step of steps) step(configuration, injector);
  const result = configure(configuration);
  if (result instanceof LoggerConfiguration) return result.createLogger();
  if (result instanceof Logger) {
    if (steps.length > 0)
      throw new ConfigurationError(
        'provideRxlog: withRouterContext() adds an enricher, so configure must return the LoggerConfiguration, not a created Logger',
      );
    // The injector closes its logger when it is destroyed: one Logger shared by two apps, tests
    // or server renders would be closed by the first to end, under the others, which would then
    // drop every event without a word.
    if (taken.has(result))
      throw new ConfigurationError(
        "provideRxlog: configure returned a Logger that another injector's provideRxlog has taken (and closes when " +
          'that injector is destroyed), a Logger made once outside configure; create it inside configure, or return the LoggerConfiguration',
      );
    taken.add(result);
    return result;
  }
  throw new ConfigurationError(
    `provideRxlog: configure must return a LoggerConfiguration or a Logger, got ${describeValue(result)}`,
  );
}

/**
 * Notes every sink the app's configure adds, and every lane's fallback (an HttpSink whose `fetch`
 * goes through HttpClient may take over when the primary fails), so their endpoints can be kept
 * out of HTTP logging.
 */
function recordSinks(configuration: LoggerConfiguration, onSink: (sink: Sink) => void): void {
  const writeTo = configuration.writeTo;
  const addSink = writeTo.sink.bind(writeTo);
  const addConsole = writeTo.console.bind(writeTo);
  writeTo.sink = (sink, options) => {
    const result = addSink(sink, options);
    onSink(sink);
    onFallback(options, onSink);
    return result;
  };
  writeTo.console = (options) => {
    const result = addConsole(options);
    onFallback(options, onSink);
    return result;
  };
}

/**
 * Runs the enrichers, filter predicates, destructure transforms (and their predicates) and
 * redaction censors given to the configuration outside any reactive context (`untracked`). They
 * run where the event is logged (a transform and a censor as the value is captured): a signal one
 * reads (the signed-in user of a signal store, the items of a cart being logged) inside a
 * computed, an effect or a template would otherwise become a dependency of that code, which would
 * run again whenever the signal changed.
 */
function untrackCallbacks(configuration: LoggerConfiguration): void {
  const { enrich, filter, destructure } = configuration;
  const addEnrichers = enrich.with.bind(enrich);
  const exclude = filter.byExcluding.bind(filter);
  const includeOnly = filter.byIncludingOnly.bind(filter);
  const byTransforming = destructure.byTransforming.bind(destructure);
  const byTransformingWhere = destructure.byTransformingWhere.bind(destructure);
  const redact = destructure.redact.bind(destructure);
  enrich.with = (...enrichers) => addEnrichers(...enrichers.map(untrackedCallback));
  filter.byExcluding = (predicate) => exclude(untrackedCallback(predicate));
  filter.byIncludingOnly = (predicate) => includeOnly(untrackedCallback(predicate));
  destructure.byTransforming = (type, transform) => byTransforming(type, untrackedCallback(transform));
  destructure.byTransformingWhere = (predicate, transform) =>
    byTransformingWhere(untrackedCallback(predicate), untrackedCallback(transform));
  destructure.redact = (options) => redact(untrackedCensor(options));
}

/**
 * Redaction options with their censor function run untracked: read once, as `destructure.redact`
 * reads them (what it refuses, it refuses naming itself); an array of paths, or anything that is no
 * options object, as it is, for it to read or refuse.
 */
function untrackedCensor(options: RedactOptions | readonly string[]): RedactOptions | readonly string[] {
  try {
    if (typeof options !== 'object' || (options as unknown) === null || Array.isArray(options)) return options;
  } catch {
    // A revoked Proxy: destructure.redact says so.
    return options;
  }
  const snapshot: RedactOptions = readOptions('destructure.redact', options, REDACT_OPTION_NAMES);
  return typeof snapshot.censor === 'function' ? { ...snapshot, censor: untrackedCallback(snapshot.censor) } : snapshot;
}

/**
 * The function, run untracked, under its own name (SelfLog names a failing one by it); anything
 * else, a class included, as it is, for the configuration to refuse naming it (a class in an arrow
 * would pass its check, then fail every event).
 */
function untrackedCallback<F>(callback: F): F {
  if (typeof callback !== 'function' || isClass(callback)) return callback;
  const run = callback as (...args: unknown[]) => unknown;
  const wrapped = (...args: unknown[]): unknown => untracked(() => run(...args));
  Object.defineProperty(wrapped, 'name', { value: callbackName(run, '') });
  return wrapped as F;
}

/** Notes the fallback of lane options writeTo has accepted. */
function onFallback(options: { fallback?: Sink | undefined } | undefined, onSink: (sink: Sink) => void): void {
  let fallback: Sink | undefined;
  try {
    fallback = options?.fallback;
  } catch {
    // writeTo read it once without failing; a getter that fails on a second read names no endpoint.
    return;
  }
  if (fallback !== undefined) onSink(fallback);
}
