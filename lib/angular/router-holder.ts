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
