import { ENVIRONMENT_INITIALIZER, inject } from '@angular/core';
import { Router } from '@angular/router';
import { describeValue } from '../core/describe-value';
import type { Enricher } from '../core/enricher';
import { ConfigurationError } from '../core/errors/configuration-error';
import { SelfLog } from '../core/self-log';
import { currentRoute } from './current-route';
import { ROUTER_HOLDER } from './router-holder';
import { rxlogFeature, type RxlogFeature } from './rxlog-feature';
import { RXLOG_CONFIGURATION_STEPS, type RxlogConfigurationStep } from './rxlog-tokens';

/**
 * A `provideRxlog` feature: every event carries the current route, `Route` (the URL without its
 * query, fragment and matrix parameters) and `RoutePattern` (the matched route configuration's path, e.g.
 * `/orders/:id`), read from the Router's state when the event is logged. Properties the event already
 * has are kept, and `withErrorHandler()` names the route in its message. Needs `configure` to
 * return the LoggerConfiguration (not a created Logger). It takes no options: an argument (which
 * only JavaScript can pass) is refused rather than ignored, as other features refuse a misspelt one.
 *
 * @throws ConfigurationError when given any argument.
 * @example
 * bootstrapApplication(App, {
 *   providers: [provideRouter(routes), provideRxlog((c) => c.writeTo.console(), withRouterContext())],
 * });
 */
export function withRouterContext(): RxlogFeature<'router-context'> {
  // eslint-disable-next-line prefer-rest-params -- a rest parameter would change the signature TypeScript shows (none)
  const given = arguments;
  if (given.length > 0)
    throw new ConfigurationError(
      `withRouterContext: takes no arguments (Route and RoutePattern need no options), got ${describeValue(given[0])}`,
    );
  const addEnricher: RxlogConfigurationStep = (configuration, injector) => {
    const holder = injector.get(ROUTER_HOLDER, null);
    if (holder !== null) configuration.enrich.with(routerEnricher(holder));
  };
  return rxlogFeature('router-context', [
    { provide: ROUTER_HOLDER, useFactory: () => ({ router: null }) },
    { provide: RXLOG_CONFIGURATION_STEPS, useValue: addEnricher, multi: true },
    // The Router is taken when the injector starts, never built from inside an enricher: a failed
    // construction there would leave the app's own Router unusable.
    {
      provide: ENVIRONMENT_INITIALIZER,
      multi: true,
      useValue: () => (inject(ROUTER_HOLDER).router = inject(Router, { optional: true })),
    },
  ]);
}

/** Reads the Router's state for each event; events logged before the Router exists carry no route. */
function routerEnricher(holder: { router: Router | null }): Enricher {
  const withRouterContext: Enricher = () => {
    const router = holder.router;
    if (router === null) return undefined;
    try {
      return currentRoute(router);
    } catch (error) {
      SelfLog.write('withRouterContext: reading the router state failed', error);
      return undefined;
    }
  };
  return withRouterContext;
}
