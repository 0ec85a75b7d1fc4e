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
 * The logger of this injector's provideRxlog, once built (`undefined` while `configure` runs):
 * what `rxlogHttpInterceptor` logs to, read when a request settles, so that a request `configure`
 * itself makes with HttpClient is no circular dependency on RXLOG_LOGGER.
 */
export const RXLOG_LOGGER_SLOT = new InjectionToken<{ logger: Logger | undefined }>('rxlog logger slot');
