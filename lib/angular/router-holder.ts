import { InjectionToken } from '@angular/core';
import type { Router } from '@angular/router';

/**
 * The Router of an injector, as `withRouterContext()` takes it when the injector starts (null in an
 * app without one); absent without that feature. One holder per injector: the same providers serve
 * every app and every server render in a process, and each one's events carry its own route. The
 * Router is read through it (not injected by its class) by what logs a route, so that only
 * `withRouterContext()` refers to the Router class: an app without a Router never bundles it.
 */
export const ROUTER_HOLDER = new InjectionToken<{ router: Router | null }>('rxlog router of withRouterContext');

/**
 * The method of `withErrorHandler()`'s ErrorHandler that logs a navigation that failed (the Router's
 * `NavigationError`: its error and the URL it was for), which `withRouterContext()` calls.
 */
export const NAVIGATION_FAILED = Symbol('rxlog navigation failed');

/** An ErrorHandler that logs failed navigations: `withErrorHandler()`'s. */
export interface NavigationFailureHandler {
  [NAVIGATION_FAILED](error: unknown, url: string): void;
}
