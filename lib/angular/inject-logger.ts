import { assertInInjectionContext, inject } from '@angular/core';
import { describeValue } from '../core/describe-value';
import { ConfigurationError } from '../core/errors/configuration-error';
import type { Logger } from '../pipeline/logger';
import { RXLOG_LOGGER } from './rxlog-tokens';

/**
 * The app's Logger (from `provideRxlog`), in an injection context: a field initializer, a
 * constructor, a factory or `runInInjectionContext`. With a name, a child logger whose events
 * carry `SourceContext: name` (which also picks up `minimumLevel.override(name, …)`).
 *
 * @throws ConfigurationError when `provideRxlog` is missing from the providers or the name is not
 *   a non-empty string (a class: pass its name); Angular's NG0203 naming `injectLogger()` outside
 *   an injection context.
 * @example
 * export class OrdersPage {
 *   private readonly log = injectLogger('OrdersPage');
 * }
 */
export function injectLogger(sourceContext?: string): Logger {
  // A JavaScript caller's class (injectLogger(OrdersPage)) would log the function, whose name a
  // minifier changes, and match no minimumLevel.override.
  if (sourceContext !== undefined && (typeof sourceContext !== 'string' || sourceContext === ''))
    throw new ConfigurationError(
      `injectLogger: expected a SourceContext name (a non-empty string), got ${describeValue(sourceContext)}`,
    );
  // Names injectLogger() in NG0203, as Angular's own inject functions (toSignal) do; inject() alone
  // blamed "the `InjectionToken rxlog Logger` token", which the caller never wrote.
  assertInInjectionContext(injectLogger);
  const logger = inject(RXLOG_LOGGER, { optional: true });
  if (logger === null)
    throw new ConfigurationError(
      "injectLogger: no logger is provided; add provideRxlog(...) to the application's providers " +
        '(in a unit test, to the providers of TestBed.configureTestingModule)',
    );
  return sourceContext === undefined ? logger : logger.forContext('SourceContext', sourceContext);
}
