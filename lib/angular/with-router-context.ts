import { DestroyRef, ENVIRONMENT_INITIALIZER, ErrorHandler, inject, Injector } from '@angular/core';
import { NavigationError, Router } from '@angular/router';
import { describeValue } from '../core/describe-value';
import type { Enricher } from '../core/enricher';
import { ConfigurationError } from '../core/errors/configuration-error';
import { SelfLog } from '../core/self-log';
import { currentRoute } from './current-route';
import { ROOT_ERROR_HANDLER } from './root-error-handler';
import { NAVIGATION_FAILED, type NavigationFailureHandler, ROUTER_HOLDER } from './router-holder';
import { rxlogFeature, type RxlogFeature } from './rxlog-feature';
import { RXLOG_CONFIGURATION_STEPS, type RxlogConfigurationStep } from './rxlog-tokens';

/**
 * A `provideRxlog` feature: every event carries the current route, `Route` (the URL without its
 * query, fragment and matrix parameters) and `RoutePattern` (the matched route configuration's path, e.g.
 * `/orders/:id`), read from the Router's state when the event is logged. Properties the event already
 * has are kept, and `withErrorHandler()` names the route in its message. With `withErrorHandler()`,
 * a navigation that fails (`NavigationError`) is logged once, `Navigation to {TargetRoute} failed:
 * {ErrorMessage}`, whether or not Angular hands its error on; cancelled ones are not. Needs `configure` to
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
    { provide: ENVIRONMENT_INITIALIZER, multi: true, useValue: takeRouter },
  ]);
}

/**
 * Takes the injector's Router, and hands each navigation that fails to withErrorHandler()'s
 * ErrorHandler, if it is the app's (the root injector's, the one Angular uses, also when this
 * feature is given in a lazy route's providers). Angular hands such a failure to the ErrorHandler
 * only when the navigation's promise rejects and whoever started it passes the rejection on (a
 * routerLink, the first navigation, a popstate), and then with nothing of the URL that failed:
 * with `resolveNavigationPromiseOnError`, or a `navigate()` whose promise the app handles, it was
 * never logged. The handler logs the failure with that URL, and the same error handed on by
 * Angular just after is the same report, logged once.
 */
function takeRouter(): void {
  const router = (inject(ROUTER_HOLDER).router = inject(Router, { optional: true }));
  if (router === null) return;
  const injector = inject(Injector);
  const subscription = router.events.subscribe((event) => {
    if (!(event instanceof NavigationError)) return;
    try {
      // The root's, which Angular hands the same error to, wherever this feature is given: a lazy
      // route's own withErrorHandler() (which Angular never calls) logged every failed navigation
      // of the app a second time, into the route's logger. Another ErrorHandler (Angular's, the
      // app's) has no such method: nothing is logged here.
      const handler: object | null = injector.get(ROOT_ERROR_HANDLER, null) ?? injector.get(ErrorHandler, null);
      if (handler !== null && NAVIGATION_FAILED in handler)
        (handler as NavigationFailureHandler)[NAVIGATION_FAILED](event.error, event.url);
    } catch (error) {
      SelfLog.write('withRouterContext: reporting a failed navigation failed', error);
    }
  });
  inject(DestroyRef).onDestroy(() => subscription.unsubscribe());
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
