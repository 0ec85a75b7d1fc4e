import { testInjector, within } from './test-injector'; // first: loads Angular's JIT compiler
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DOCUMENT } from '@angular/common';
import { provideLocationMocks } from '@angular/common/testing';
import {
  provideZonelessChangeDetection,
  ɵINTERNAL_APPLICATION_ERROR_HANDLER as INTERNAL_APPLICATION_ERROR_HANDLER,
} from '@angular/core';
import {
  NavigationCancel,
  type NavigationError,
  provideRouter,
  RedirectCommand,
  Router,
  type RouterFeatures,
  type Routes,
  type UrlMatcher,
  withNavigationErrorHandler,
  withRouterConfig,
} from '@angular/router';
import { ConfigurationError, type LogEvent, MemorySink } from '../../lib/index';
import { injectLogger, provideRxlog, withErrorHandler, withRouterContext } from '../../lib/angular/index';

const routes = [
  { path: '', children: [] },
  { path: 'shop', children: [{ path: 'orders/:id', children: [] }] },
];

/**
 * An app with `config` as its routes and withRouterContext, writing to a MemorySink: its injector,
 * logger and Router, and each event's Route and RoutePattern so far.
 */
function routedApp(config: Routes): {
  injector: ReturnType<typeof testInjector>;
  log: ReturnType<typeof injectLogger>;
  router: Router;
  routesSeen: () => unknown[][];
} {
  const memory = new MemorySink();
  const injector = testInjector([
    provideRouter(config),
    provideLocationMocks(),
    { provide: DOCUMENT, useValue: { title: '' } },
    provideRxlog((c) => c.writeTo.sink(memory), withRouterContext()),
  ]);
  return {
    injector,
    log: within(injector, () => injectLogger()),
    router: injector.get(Router),
    routesSeen: () => memory.events.map((e) => [e.properties.Route, e.properties.RoutePattern]),
  };
}

void describe('withRouterContext', () => {
  void it('adds the current route and its pattern to every event', async () => {
    const { injector, log, router, routesSeen } = routedApp(routes);
    log.information('before any navigation');
    assert.ok(await router.navigateByUrl('/shop/orders/42?token=secret#x'));
    log.information('on an order');
    assert.ok(await router.navigateByUrl('/'));
    log.information('home');
    assert.deepEqual(routesSeen(), [
      [undefined, undefined],
      ['/shop/orders/42', '/shop/orders/:id'],
      ['/', '/'],
    ]);
    injector.destroy();
  });

  // Angular's optional route parameters are matrix parameters in the URL (angular.dev, "Routing",
  // optional parameters; @angular/router url_tree.ts serializeMatrixParams): `/orders/42;token=x`.
  // Route is the URL without its query, yet it carried them, values and all, on every event.
  void it('keeps matrix parameters (optional route parameters) out of Route, as it keeps the query', async () => {
    const { injector, log, router, routesSeen } = routedApp([...routes, { path: 'popup', outlet: 'aux', children: [] }]);
    assert.ok(await router.navigate(['/shop', { token: 'secret' }, 'orders', '42', { pin: '1234', q: 'a;b' }]));
    assert.match(router.url, /token=secret/);
    log.information('on an order');
    assert.ok(await router.navigateByUrl('/shop/orders/7(aux:popup;key=hidden)'));
    log.information('with a popup');
    assert.deepEqual(routesSeen(), [
      ['/shop/orders/42', '/shop/orders/:id'],
      ['/shop/orders/7(aux:popup)', '/shop/orders/:id'],
    ]);
    injector.destroy();
  });

  // The Router's URL is '/' until the first navigation sets its state, whatever page was loaded:
  // an event logged while the app starts on /shop/orders/42 said Route '/'.
  // A route matched by a custom `matcher` has no `path`: it was left out of the pattern, so a
  // product page under /shop said RoutePattern '/shop', as the shop's own page does, and a page
  // matched at the top level by a matcher had no RoutePattern at all.
  void it('writes a route matched by a custom matcher as * in the pattern, once whatever it consumed', async () => {
    const slug: UrlMatcher = (segments) =>
      segments.length > 0 && segments.every((s) => /^[a-z-]+$/.test(s.path))
        ? { consumed: segments, posParams: { slug: segments[segments.length - 1] } }
        : null;
    const handle: UrlMatcher = (segments) =>
      segments.length === 1 && segments[0].path.startsWith('@') ? { consumed: segments } : null;
    const { injector, log, router, routesSeen } = routedApp([
      {
        path: 'shop',
        children: [
          { path: '', children: [] },
          { matcher: slug, children: [] },
        ],
      },
      { matcher: handle, children: [] },
    ]);
    for (const url of ['/shop', '/shop/blue-shoes', '/shop/shoes/blue-shoes', '/@ann']) {
      assert.ok(await router.navigateByUrl(url), url);
      log.information('on a page');
    }
    assert.deepEqual(routesSeen(), [
      ['/shop', '/shop'],
      ['/shop/blue-shoes', '/shop/*'],
      ['/shop/shoes/blue-shoes', '/shop/*'],
      ['/@ann', '/*'],
    ]);
    injector.destroy();
  });

  // ActivatedRouteSnapshot.firstChild is the primary child where one matched, else a named
  // outlet's: a page with only its side panel open below it (/orders/7/(panel:notes)) said
  // RoutePattern '/orders/:id/notes', a page that is not there, where /orders/7 says '/orders/:id'.
  void it('leaves the routes of named outlets out of the pattern', async () => {
    const { injector, log, router, routesSeen } = routedApp([
      { path: '', children: [] },
      { path: 'chat', outlet: 'side', children: [] },
      {
        path: 'orders/:id',
        children: [
          { path: 'notes', outlet: 'panel', children: [] },
          { path: 'items/:n', children: [] },
        ],
      },
    ]);
    for (const url of ['/orders/7', '/orders/7/(panel:notes)', '/orders/7/(items/3//panel:notes)', '/orders/7(side:chat)']) {
      assert.ok(await router.navigateByUrl(url), url);
      log.information('on a page');
    }
    assert.deepEqual(routesSeen(), [
      ['/orders/7', '/orders/:id'],
      ['/orders/7/(panel:notes)', '/orders/:id'],
      ['/orders/7/(items/3//panel:notes)', '/orders/:id/items/:n'],
      ['/orders/7(side:chat)', '/orders/:id'],
    ]);
    injector.destroy();
  });

  void it('adds no route while the first navigation is still matching, and the route once it is set', async () => {
    const memory = new MemorySink();
    const injector = testInjector([
      provideRouter([
        {
          path: 'shop/orders/:id',
          canActivate: [() => (within(injector, () => injectLogger()).information('in a guard of the first navigation'), true)],
          children: [],
        },
      ]),
      provideLocationMocks(),
      { provide: DOCUMENT, useValue: { title: '' } },
      provideRxlog((c) => c.writeTo.sink(memory), withRouterContext()),
    ]);
    const log = within(injector, () => injectLogger());
    log.information('while the app starts');
    const router = injector.get(Router);
    const navigation = router.navigateByUrl('/shop/orders/42');
    assert.ok(await navigation);
    log.information('after the first navigation');
    assert.deepEqual(
      memory.events.map((e) => [e.renderMessage(), e.properties.Route, e.properties.RoutePattern]),
      [
        ['while the app starts', undefined, undefined],
        ['in a guard of the first navigation', undefined, undefined],
        ['after the first navigation', '/shop/orders/42', '/shop/orders/:id'],
      ],
    );
    injector.destroy();
  });

  // One app config serves every server render (and every app bootstrapped in one page): the feature
  // kept the Router of the injector that started last, so a render's events carried the route of
  // another render running beside it.
  void it('reads the Router of its own injector when two apps share one configuration', async () => {
    const memory = new MemorySink();
    const providers = [
      provideRouter(routes),
      provideLocationMocks(),
      { provide: DOCUMENT, useValue: { title: '' } },
      provideRxlog((c) => c.writeTo.sink(memory), withRouterContext()),
    ];
    const first = testInjector(providers);
    assert.ok(await first.get(Router).navigateByUrl('/shop/orders/1'));
    const second = testInjector(providers);
    assert.ok(await second.get(Router).navigateByUrl('/'));
    within(first, () => injectLogger()).information('first');
    within(second, () => injectLogger()).information('second');
    second.destroy();
    within(first, () => injectLogger()).information('first, the other app gone');
    assert.deepEqual(
      memory.events.map((e) => [e.renderMessage(), e.properties.Route]),
      [
        ['first', '/shop/orders/1'],
        ['second', '/'],
        ['first, the other app gone', '/shop/orders/1'],
      ],
    );
    first.destroy();
  });

  void it('keeps a Route the event already has', async () => {
    const memory = new MemorySink();
    const injector = testInjector([
      provideRouter(routes),
      provideLocationMocks(),
      { provide: DOCUMENT, useValue: { title: '' } },
      provideRxlog((c) => c.writeTo.sink(memory), withRouterContext()),
    ]);
    await injector.get(Router).navigateByUrl('/shop/orders/7');
    within(injector, () => injectLogger()).information('Moved to {Route}', '/elsewhere');
    assert.equal(memory.events[0].properties.Route, '/elsewhere');
    assert.equal(memory.events[0].properties.RoutePattern, '/shop/orders/:id');
    injector.destroy();
  });

  void it('adds nothing in an app without routes', () => {
    const memory = new MemorySink();
    const injector = testInjector([provideLocationMocks(), provideRxlog((c) => c.writeTo.sink(memory), withRouterContext())]);
    within(injector, () => injectLogger()).information('no router');
    assert.equal(memory.events.length, 1);
    injector.destroy();
  });

  // It declares no parameters, so TypeScript refuses `withRouterContext({ … })`; from JavaScript the
  // options were silently ignored, where withErrorHandler and withHttpLogging refuse a misspelt one.
  void it('refuses any argument a JavaScript caller passes, naming it, rather than ignoring it', () => {
    const call = withRouterContext as (...args: unknown[]) => unknown;
    for (const [args, got] of [
      [[{ queryParams: true }], 'got Object'],
      [['route'], 'got "route"'],
      [[undefined], 'got undefined'],
    ] as const)
      assert.throws(
        () => call(...args),
        (error: unknown) =>
          error instanceof ConfigurationError &&
          error.message === `withRouterContext: takes no arguments (Route and RoutePattern need no options), ${got}`,
      );
    assert.doesNotThrow(() => withRouterContext());
  });
});

/**
 * An app's injector with a Router of `routes` (`routerOptions` its withRouterConfig, `features` its
 * other router features), withErrorHandler() and withRouterContext(); `navigate(url)` navigates as a
 * routerLink does, handing a rejected navigation to Angular's application error handler (router_link.ts).
 */
function navigatingApp(
  routes: Routes,
  routerOptions: Parameters<typeof withRouterConfig>[0] = {},
  rxlogFirst = false,
  features: RouterFeatures[] = [],
) {
  const memory = new MemorySink();
  const rxlog = provideRxlog((c) => c.writeTo.sink(memory), withErrorHandler({ console: false }), withRouterContext());
  const routing = provideRouter([{ path: '', children: [] }, ...routes], withRouterConfig(routerOptions), ...features);
  const injector = testInjector([
    provideZonelessChangeDetection(),
    ...(rxlogFirst ? [rxlog, routing] : [routing, rxlog]),
    provideLocationMocks(),
    { provide: DOCUMENT, useValue: { title: '' } },
  ]);
  const router = injector.get(Router);
  const reportError = injector.get(INTERNAL_APPLICATION_ERROR_HANDLER);
  const navigate = (url: string): Promise<boolean | void> =>
    router.navigateByUrl(url).catch((error: unknown) => reportError(error));
  return { memory, injector, router, navigate };
}

const navigationSummary = (e: LogEvent) => [
  e.level,
  e.renderMessage(),
  e.properties.Route,
  e.properties.TargetRoute,
  e.properties.SourceContext,
];

/** What a browser's failed dynamic import of a lazy route's chunk rejects with (Chromium's message). */
const chunkError = () => new TypeError('Failed to fetch dynamically imported module: https://shop.example/chunk-ORDERS.js');

// Angular's Router reports a navigation that fails (NavigationError) to the ErrorHandler only when
// the navigation's promise rejects and whoever started it hands the rejection on (a routerLink, the
// first navigation, a navigate() nobody awaits with the global listeners): the event then named the
// page being left, never the one that failed to load, and with withRouterConfig's
// resolveNavigationPromiseOnError, or a navigate() whose promise the app handles, nothing was logged.
void describe('withRouterContext with withErrorHandler', () => {
  void it("logs a lazy route's chunk that fails to load once, naming the route it was for", async () => {
    const error = chunkError();
    const { memory, injector, navigate } = navigatingApp([{ path: 'orders/:id', loadComponent: () => Promise.reject(error) }]);
    await navigate('/');
    await navigate('/orders/7;pin=1234?token=secret#top');
    assert.deepEqual(memory.events.map(navigationSummary), [
      [
        'error',
        'Navigation to /orders/7 failed: Failed to fetch dynamically imported module: https://shop.example/chunk-ORDERS.js',
        '/',
        '/orders/7',
        'ErrorHandler',
      ],
    ]);
    assert.equal(memory.events[0].exception, error);
    injector.destroy();
  });

  // The Router is an injectable of the root, made by whoever injects it first: withRouterContext()
  // takes it as the injector starts, before provideRouter's own initializers when provideRxlog
  // comes first in the providers, and it is the same Router the app navigates with.
  void it('logs a resolver that throws and the route, with provideRxlog given before provideRouter', async () => {
    const { memory, injector, navigate } = navigatingApp(
      [
        { path: 'orders/:id', children: [] },
        {
          path: 'invoices/:id',
          children: [],
          resolve: {
            invoice: () => {
              throw new Error('the invoice could not be loaded');
            },
          },
        },
      ],
      {},
      true,
    );
    const log = within(injector, () => injectLogger());
    await navigate('/orders/7');
    log.information('on an order');
    await navigate('/invoices/9?token=secret');
    assert.deepEqual(memory.events.map(navigationSummary), [
      ['information', 'on an order', '/orders/7', undefined, undefined],
      ['error', 'Navigation to /invoices/9 failed: the invoice could not be loaded', '/orders/7', '/invoices/9', 'ErrorHandler'],
    ]);
    injector.destroy();
  });

  void it('logs a failed navigation whose promise resolves false (resolveNavigationPromiseOnError)', async () => {
    const { memory, injector, router, navigate } = navigatingApp(
      [{ path: 'orders/:id', loadComponent: () => Promise.reject(chunkError()) }],
      { resolveNavigationPromiseOnError: true },
    );
    await navigate('/');
    assert.equal(await router.navigateByUrl('/orders/8'), false);
    assert.deepEqual(
      memory.events.map((e) => e.renderMessage()),
      ['Navigation to /orders/8 failed: Failed to fetch dynamically imported module: https://shop.example/chunk-ORDERS.js'],
    );
    injector.destroy();
  });

  void it('logs the first navigation that fails, before any route is set, by the route it was for', async () => {
    const { memory, injector, navigate } = navigatingApp([
      { path: 'orders/:id', loadComponent: () => Promise.reject(chunkError()) },
    ]);
    await navigate('/orders/9');
    assert.deepEqual(memory.events.map(navigationSummary), [
      [
        'error',
        'Navigation to /orders/9 failed: Failed to fetch dynamically imported module: https://shop.example/chunk-ORDERS.js',
        undefined,
        '/orders/9',
        'ErrorHandler',
      ],
    ]);
    injector.destroy();
  });

  void it('logs a value a guard throws once, be it no object', async () => {
    const { memory, injector, navigate } = navigatingApp([
      {
        path: 'admin',
        canActivate: [
          () => {
            throw 'the session store is gone';
          },
        ],
        children: [],
      },
    ]);
    await navigate('/');
    await navigate('/admin');
    assert.deepEqual(
      memory.events.map((e) => e.renderMessage()),
      ['Navigation to /admin failed: the session store is gone'],
    );
    injector.destroy();
  });

  // Cancelled navigations are the Router's ordinary flow (a guard that says no or redirects, a newer
  // navigation): none is logged, so a loop of guard redirects writes nothing. A loop of redirectTo
  // is a navigation error Angular bounds (NG04016 after 31 redirects), logged once.
  void it('logs no cancelled or redirected navigation, and a redirectTo loop once', async () => {
    let redirects = 0;
    const { memory, injector, router, navigate } = navigatingApp([
      { path: 'closed', canActivate: [() => false], children: [] },
      { path: 'moved', canActivate: [() => router.parseUrl('/')], children: [] },
      { path: 'ping', canActivate: [() => (++redirects < 50 ? router.parseUrl('/pong') : false)], children: [] },
      { path: 'pong', canActivate: [() => router.parseUrl('/ping')], children: [] },
      { path: 'a', redirectTo: '/b' },
      { path: 'b', redirectTo: '/a' },
    ]);
    await navigate('/');
    assert.equal(await navigate('/closed'), false);
    await navigate('/moved');
    await navigate('/ping');
    assert.equal(redirects, 50);
    await navigate('/a');
    assert.deepEqual(
      memory.events.map((e) => [e.renderMessage().split('\n')[0], e.properties.TargetRoute]),
      [["Navigation to /a failed: NG04016: Detected possible infinite redirect when redirecting from '/b' to '/a'.", '/a']],
    );
    injector.destroy();
  });

  // Angular's own messages quote the URL a navigation failed for: NG04002 the segments no route
  // matched, matrix parameters and all (in production too, as `NG04002: 'reset;token=…/x'`), and
  // so may a guard's (`state.url`, query and fragment included). TargetRoute left them out, and the
  // message and the exception logged them beside it.
  void it('keeps the query, fragment and matrix parameters of the URL out of the messages that quote it', async () => {
    const { memory, injector, navigate } = navigatingApp([
      {
        path: 'admin',
        canActivate: [(_: unknown, state: { url: string }) => Promise.reject(new Error(`No access to ${state.url}`))],
        children: [],
      },
    ]);
    await navigate('/');
    await navigate('/reset;token=matrix-secret/x;k=1');
    await navigate('/admin;pin=matrix-secret?token=query-secret#fragment-secret');
    assert.deepEqual(
      memory.events.map((e) => [e.renderMessage(), e.properties.TargetRoute]),
      [
        ["Navigation to /reset/x failed: NG04002: Cannot match any routes. URL Segment: 'reset/x'", '/reset/x'],
        ['Navigation to /admin failed: No access to /admin', '/admin'],
      ],
    );
    for (const event of memory.events) {
      assert.doesNotMatch(JSON.stringify(event.properties), /secret/);
      // The exception too: a copy, its message and stack without them, of the Error's class.
      assert.equal(event.exception?.message, event.properties.ErrorMessage);
      assert.equal(event.exception?.stack?.startsWith(`Error: ${String(event.properties.ErrorMessage)}\n    at `), true);
      assert.doesNotMatch(String(event.exception?.stack), /secret/);
      assert.ok(event.exception instanceof Error);
    }
    injector.destroy();
  });

  // Angular hands uncaught errors to the root injector's ErrorHandler only; a lazy route's own
  // withErrorHandler() is never called by it. withRouterContext() in that route handed each failed
  // navigation of the whole app to the route's handler, which logged it into the route's logger: with
  // the root's withRouterContext() each failure was logged twice, and without it once as a navigation
  // (route) and once as an uncaught error (root).
  void it("logs a failed navigation once, to the root's logger, when a lazy route gives both features too", async () => {
    const rootMemory = new MemorySink();
    const routeMemory = new MemorySink();
    const routes: Routes = [
      { path: '', children: [] },
      {
        path: 'admin',
        providers: [provideRxlog((c) => c.writeTo.sink(routeMemory), withErrorHandler({ console: false }), withRouterContext())],
        loadChildren: () => Promise.resolve([{ path: '', children: [] }]),
      },
      { path: 'orders/:id', loadComponent: () => Promise.reject(chunkError()) },
    ];
    for (const rootFeatures of [
      [withErrorHandler({ console: false }), withRouterContext()],
      [withErrorHandler({ console: false })],
    ]) {
      rootMemory.events.length = 0;
      routeMemory.events.length = 0;
      const injector = testInjector([
        provideZonelessChangeDetection(),
        provideRouter(routes.map((route) => ({ ...route }))),
        provideRxlog((c) => c.writeTo.sink(rootMemory), ...rootFeatures),
        provideLocationMocks(),
        { provide: DOCUMENT, useValue: { title: '' } },
      ]);
      const router = injector.get(Router);
      const reportError = injector.get(INTERNAL_APPLICATION_ERROR_HANDLER);
      const navigate = (url: string) => router.navigateByUrl(url).catch((error: unknown) => reportError(error));
      await navigate('/');
      await navigate('/admin');
      await navigate('/orders/7');
      const root = `root features: ${rootFeatures.map((feature) => feature.kind).join(', ')}`;
      assert.deepEqual(
        rootMemory.events.map((e) => e.renderMessage().split(':')[0]),
        ['Navigation to /orders/7 failed'],
        root,
      );
      assert.deepEqual(
        routeMemory.events.map((e) => e.renderMessage()),
        [],
        root,
      );
      injector.destroy();
    }
  });

  // A guard or a resolver that returns a RedirectCommand, and a withNavigationErrorHandler() that
  // turns an error into one, redirect: the Router cancels the navigation (NavigationCancel, no
  // NavigationError) and hands nothing to the ErrorHandler, so nothing is logged. A
  // withNavigationErrorHandler() that returns nothing leaves the error a NavigationError: logged once.
  void it('logs no RedirectCommand of a guard, a resolver or withNavigationErrorHandler, and an error that handler keeps once', async () => {
    const seen: string[] = [];
    let redirectErrors = true;
    const { memory, injector, router, navigate } = navigatingApp(
      [
        { path: 'login', children: [] },
        { path: 'admin', canActivate: [() => new RedirectCommand(router.parseUrl('/login'))], children: [] },
        { path: 'orders/:id', resolve: { order: () => new RedirectCommand(router.parseUrl('/login')) }, children: [] },
        {
          path: 'invoices/:id',
          resolve: {
            invoice: () => {
              throw new Error('the invoice could not be loaded');
            },
          },
          children: [],
        },
      ],
      {},
      false,
      [
        withNavigationErrorHandler((error: NavigationError) => {
          seen.push(String(error.url));
          return redirectErrors ? new RedirectCommand(router.parseUrl('/login')) : undefined;
        }),
      ],
    );
    const cancelled: string[] = [];
    const subscription = router.events.subscribe((event) => {
      if (event instanceof NavigationCancel) cancelled.push(event.url);
    });
    await navigate('/');
    await navigate('/admin');
    assert.equal(router.url, '/login');
    await navigate('/orders/7');
    assert.equal(router.url, '/login');
    await navigate('/invoices/9');
    assert.equal(router.url, '/login');
    assert.deepEqual(cancelled, ['/admin', '/orders/7', '/invoices/9']);
    assert.deepEqual(memory.events.map(navigationSummary), []);
    redirectErrors = false;
    await navigate('/invoices/10');
    assert.deepEqual(seen, ['/invoices/9', '/invoices/10']);
    assert.deepEqual(memory.events.map(navigationSummary), [
      ['error', 'Navigation to /invoices/10 failed: the invoice could not be loaded', '/login', '/invoices/10', 'ErrorHandler'],
    ]);
    subscription.unsubscribe();
    injector.destroy();
  });
});
