import type { ActivatedRouteSnapshot, Router } from '@angular/router';
import { stripQuery } from './redact-query';

/** Where the app is: the properties `withRouterContext()` and `withErrorHandler()` add to events. */
export interface RouteProperties extends Readonly<Record<string, unknown>> {
  /** The current URL without query, fragment and matrix parameters, e.g. `/orders/42`. */
  readonly Route: string;
  /** The path of the matched route configuration, e.g. `/orders/:id` (`*` for a route a custom `matcher` matched); absent when no route configuration matched. */
  readonly RoutePattern?: string | undefined;
}

/** The router state a RouteProperties was computed from, so it is computed once per navigation. */
interface Cached {
  url: string;
  state: unknown;
  properties: RouteProperties | undefined;
}

const cache = new WeakMap<Router, Cached>();

/**
 * The route properties of the router's current state (cached until the next navigation), or
 * `undefined` before the first navigation has set that state: until then the Router's URL is `/`
 * whatever page was loaded, so an event logged while the app starts (a root component's
 * constructor, an initializer, a bootstrap error) on `/orders/42` would say `Route: '/'`.
 */
export function currentRoute(router: Router): RouteProperties | undefined {
  const url = router.url;
  const state = router.routerState;
  const cached = cache.get(router);
  if (cached !== undefined && cached.url === url && cached.state === state) return cached.properties;
  const pattern = routePattern(state.snapshot.root);
  const properties: RouteProperties | undefined =
    pattern !== undefined
      ? { Route: routePath(url), RoutePattern: pattern }
      : router.navigated
        ? { Route: routePath(url) }
        : undefined;
  cache.set(router, { url, state, properties });
  return properties;
}

/**
 * The router URL without its query, fragment and matrix parameters (Angular's optional route
 * parameters, `/orders/42;token=x`; a `;` in a value is written `%3B`): they may carry what the
 * query would, so neither is logged. Secondary outlets stay: `/a(aux:popup;k=v)` gives `/a(aux:popup)`.
 */
export function routePath(url: string): string {
  return stripQuery(url).replace(/;[^/()]*/g, '');
}

/**
 * The configured paths of the primary route chain, joined: `orders/:id` under `shop` gives
 * `/shop/orders/:id`. A route a custom `matcher` matched has no path: it is `*`, once whatever it
 * consumed (its segments may be ids), or nothing when it consumed none. A named outlet's route is
 * no part of it: on `/orders/7/(panel:notes)` the pattern is `/orders/:id`, as on `/orders/7`.
 */
function routePattern(root: ActivatedRouteSnapshot): string | undefined {
  const parts: string[] = [];
  let matched = false;
  for (let route: ActivatedRouteSnapshot | null = root; route !== null; route = primaryChild(route)) {
    const config = route.routeConfig;
    if (config === null) continue;
    const path = config.path ?? (config.matcher === undefined ? undefined : route.url.length > 0 ? '*' : '');
    if (path === undefined) continue;
    matched = true;
    if (path !== '') parts.push(path);
  }
  return matched ? `/${parts.join('/')}` : undefined;
}

/**
 * The child route of the primary outlet, or null. Not `firstChild`: where no primary child
 * matched (`/orders/7/(panel:notes)`), that is a named outlet's, and its path was taken for the
 * page's. `'primary'` is Angular's PRIMARY_OUTLET, written out so that this file (which
 * withErrorHandler() uses) imports nothing of @angular/router at run time.
 */
function primaryChild(route: ActivatedRouteSnapshot): ActivatedRouteSnapshot | null {
  for (const child of route.children) if (child.outlet === 'primary') return child;
  return null;
}
