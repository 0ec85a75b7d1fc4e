import { type Injector } from '@angular/core';
import { Router } from '@angular/router';
import type { Enricher } from '../core/enricher';
import { SelfLog } from '../core/self-log';
import { currentRoute } from './current-route';
import { rxlogFeature, type RxlogFeature } from './rxlog-feature';
import { RXLOG_CONFIGURATION_STEPS, type RxlogConfigurationStep } from './rxlog-tokens';

/**
 * A `provideRxlog` feature: every event carries the current route, `Route` (the URL without its
 * query and fragment) and `RoutePattern` (the matched route configuration's path, e.g.
 * `/orders/:id`), read from the Router when the event is logged. Properties the event already
 * has are kept. Needs `configure` to return the LoggerConfiguration (not a created Logger).
 *
 * @example
 * bootstrapApplication(App, {
 *   providers: [provideRouter(routes), provideRxlog((c) => c.writeTo.console(), withRouterContext())],
 * });
 */
export function withRouterContext(): RxlogFeature<'router-context'> {
  const step: RxlogConfigurationStep = (configuration, injector) => {
    configuration.enrich.with(routerEnricher(injector));
  };
  return rxlogFeature('router-context', [{ provide: RXLOG_CONFIGURATION_STEPS, useValue: step, multi: true }]);
}

/** Reads the Router lazily, on the first event after it exists; events before that carry no route. */
function routerEnricher(injector: Injector): Enricher {
  let router: Router | null = null;
  const withRouterContext: Enricher = () => {
    if (router === null) {
      try {
        router = injector.get(Router, null);
      } catch (error) {
        // The Router may still be under construction (an event logged by one of its dependencies).
        SelfLog.write('withRouterContext: the Router is not available yet', error);
        return undefined;
      }
      if (router === null) return undefined;
    }
    return currentRoute(router);
  };
  return withRouterContext;
}
