import { testInjector, within } from './test-injector'; // first: loads Angular's JIT compiler
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DOCUMENT } from '@angular/common';
import { provideLocationMocks } from '@angular/common/testing';
import { provideRouter, Router } from '@angular/router';
import { ConfigurationError, MemorySink } from '../../lib/index';
import { injectLogger, provideRxlog, withRouterContext } from '../../lib/angular/index';

const routes = [
  { path: '', children: [] },
  { path: 'shop', children: [{ path: 'orders/:id', children: [] }] },
];

void describe('withRouterContext', () => {
  void it('adds the current route and its pattern to every event', async () => {
    const memory = new MemorySink();
    const injector = testInjector([
      provideRouter(routes),
      provideLocationMocks(),
      { provide: DOCUMENT, useValue: { title: '' } },
      provideRxlog((c) => c.writeTo.sink(memory), withRouterContext()),
    ]);
    const log = within(injector, () => injectLogger());
    log.information('before any navigation');
    const router = injector.get(Router);
    assert.ok(await router.navigateByUrl('/shop/orders/42?token=secret#x'));
    log.information('on an order');
    assert.ok(await router.navigateByUrl('/'));
    log.information('home');
    assert.deepEqual(
      memory.events.map((e) => [e.properties.Route, e.properties.RoutePattern]),
      [
        [undefined, undefined],
        ['/shop/orders/42', '/shop/orders/:id'],
        ['/', '/'],
      ],
    );
    injector.destroy();
  });

  // Angular's optional route parameters are matrix parameters in the URL (angular.dev, "Routing",
  // optional parameters; @angular/router url_tree.ts serializeMatrixParams): `/orders/42;token=x`.
  // Route is the URL without its query, yet it carried them, values and all, on every event.
  void it('keeps matrix parameters (optional route parameters) out of Route, as it keeps the query', async () => {
    const memory = new MemorySink();
    const injector = testInjector([
      provideRouter([...routes, { path: 'popup', outlet: 'aux', children: [] }]),
      provideLocationMocks(),
      { provide: DOCUMENT, useValue: { title: '' } },
      provideRxlog((c) => c.writeTo.sink(memory), withRouterContext()),
    ]);
    const log = within(injector, () => injectLogger());
    const router = injector.get(Router);
    assert.ok(await router.navigate(['/shop', { token: 'secret' }, 'orders', '42', { pin: '1234', q: 'a;b' }]));
    assert.match(router.url, /token=secret/);
    log.information('on an order');
    assert.ok(await router.navigateByUrl('/shop/orders/7(aux:popup;key=hidden)'));
    log.information('with a popup');
    assert.deepEqual(
      memory.events.map((e) => [e.properties.Route, e.properties.RoutePattern]),
      [
        ['/shop/orders/42', '/shop/orders/:id'],
        ['/shop/orders/7(aux:popup)', '/shop/orders/:id'],
      ],
    );
    injector.destroy();
  });

  // The Router's URL is '/' until the first navigation sets its state, whatever page was loaded:
  // an event logged while the app starts on /shop/orders/42 said Route '/'.
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
