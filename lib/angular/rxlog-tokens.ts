import { InjectionToken, type Injector } from '@angular/core';
import type { LoggerConfiguration } from '../configuration/logger-configuration';
import type { Logger } from '../pipeline/logger';

/** The application's Logger, provided by `provideRxlog`; `injectLogger()` is the usual way to get it. */
export const RXLOG_LOGGER = new InjectionToken<Logger>('rxlog Logger');

/**
 * A step a feature applies to the LoggerConfiguration before the app's `configure` sees it
 * (e.g. the router enricher). Multi-provided.
 */
export type RxlogConfigurationStep = (configuration: LoggerConfiguration, injector: Injector) => void;

/** The configuration steps of the features given to `provideRxlog`. */
export const RXLOG_CONFIGURATION_STEPS = new InjectionToken<readonly RxlogConfigurationStep[]>('rxlog configuration steps');

/** The URL prefixes of the sinks the logger sends to, so HTTP logging can leave them alone. */
export const RXLOG_SINK_ENDPOINTS = new InjectionToken<{ urls: readonly string[] }>('rxlog sink endpoints');

/**
 * Whether this injector's provideRxlog is building its logger (`configure` runs) and, once built,
 * the logger: a request `configure` itself makes with HttpClient is logged to it when it settles,
 * since injecting RXLOG_LOGGER then would be a circular dependency. `beforeClose` runs when the
 * injector is destroyed, before the logger closes: what is still to be logged (withErrorHandler's
 * summary of skipped errors) is written while the logger takes it. `close` closes the logger (once),
 * set when it is built.
 */
export const RXLOG_LOGGER_SLOT = new InjectionToken<{
  building: boolean;
  logger: Logger | undefined;
  readonly beforeClose: (() => void)[];
  close: (() => void) | undefined;
}>('rxlog logger slot');
