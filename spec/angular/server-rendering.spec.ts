import '@angular/compiler'; // first: Angular's JIT compiler, for the component below
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HttpClient, httpResource, provideHttpClient, withFetch, withInterceptors } from '@angular/common/http';
import {
  Component,
  DestroyRef,
  ErrorHandler,
  inject,
  Injectable,
  InjectionToken,
  provideZonelessChangeDetection,
  signal,
} from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';
import { provideServerRendering, renderApplication } from '@angular/platform-server';
import { forkJoin } from 'rxjs';
import { ConfigurationError, HttpSink, type LogEvent, MemorySink, type Sink } from '../../lib/index';
import { injectLogger, provideRxlog, rxlogHttpInterceptor, withErrorHandler, withHttpLogging } from '../../lib/angular/index';
import { exceptionText } from '../../lib/core/exception-text';
import { startTestServer } from '../helpers/http-test-server';

// A real server render with @angular/platform-server's renderApplication: the same app, rendered
// for two URLs on two origins, each render with the providers an SSR app has.

/** The two origins' URLs (each a real HTTP server on 127.0.0.1), given to the component per render. */
const ORIGINS = new InjectionToken<{ first: string; second: string }>('origins');

/** Fetches one relative and two absolute URLs while rendering, and logs when they are in. */
class OrdersPage {
  readonly state = signal('loading');
  constructor() {
    const { first, second } = inject(ORIGINS);
    const http = inject(HttpClient);
    const log = injectLogger();
    forkJoin([http.get('/api/a'), http.get(`${first}/api/b`), http.get(`${second}/api/c`)]).subscribe(() => {
      log.information('Orders rendered');
      this.state.set('ready');
    });
  }
}
Component({ selector: 'app-root', template: '<p>{{ state() }}</p>' })(OrdersPage);

/** A sink that keeps what it gets and says when its logger closed it. */
function recordingSink(): Sink & { events: LogEvent[]; closed: Promise<void> } {
  const events: LogEvent[] = [];
  let closed!: () => void;
  return {
    kind: 'recording',
    events,
    closed: new Promise<void>((resolve) => (closed = resolve)),
    emit: (batch) => void events.push(...batch),
    close: () => closed(),
  };
}

/** Renders `url`; with `browserSink`, the app's logger writes to the sink it makes instead of a recording one. */
async function render(url: string, origins: { first: string; second: string }, browserSink?: () => Sink) {
  const sink = recordingSink();
  const html = await renderApplication(
    (context) =>
      bootstrapApplication(
        OrdersPage,
        {
          providers: [
            provideServerRendering(),
            provideZonelessChangeDetection(),
            provideHttpClient(withFetch(), withInterceptors([rxlogHttpInterceptor])),
            provideRxlog(
              (c) => c.writeTo.sink(browserSink === undefined ? sink : browserSink()),
              withHttpLogging({ correlation: 'traceparent' }),
            ),
            { provide: ORIGINS, useValue: origins },
          ],
        },
        context,
      ),
    { document: '<html><body><app-root></app-root></body></html>', url, allowedHosts: ['127.0.0.1'] },
  );
  return { html, sink };
}

/** A root service that logs when the render's injector is destroyed, as per-request services do. */
class RenderTimer {
  constructor() {
    const log = injectLogger('RenderTimer');
    inject(DestroyRef).onDestroy(() => log.information('Render ended'));
  }
}
Injectable({ providedIn: 'root' })(RenderTimer);

class TimedPage {
  constructor() {
    inject(RenderTimer);
  }
}
Component({ selector: 'app-root', template: 'timed' })(TimedPage);

const ORDERS_URL = new InjectionToken<string>('orders URL');

/** Reads an httpResource's value in its template, without a hasValue() guard. */
class ResourcePage {
  private readonly url = inject(ORDERS_URL);
  readonly orders = httpResource(() => this.url);
}
Component({ selector: 'app-root', template: '<p>{{ orders.value() }}</p>' })(ResourcePage);

/** A page that cannot be made: the render fails. */
class BrokenPage {
  constructor() {
    injectLogger().information('Making the page');
    throw new Error('the page failed');
  }
}
Component({ selector: 'app-root', template: 'broken' })(BrokenPage);

/** A page whose making reports more uncaught errors than a second's allowance. */
class NoisyPage {
  constructor() {
    const handler = inject(ErrorHandler);
    for (let i = 1; i <= 12; i += 1) handler.handleError(new Error(`failure ${i}`));
  }
}
Component({ selector: 'app-root', template: 'noisy' })(NoisyPage);

/** Renders the page with a recording sink and withErrorHandler; what the render gave (or its error) and the sink. */
async function renderWithErrors(page: new () => unknown) {
  const sink = recordingSink();
  const html = await renderApplication(
    (context) =>
      bootstrapApplication(
        page,
        {
          providers: [
            provideServerRendering(),
            provideZonelessChangeDetection(),
            provideRxlog((c) => c.writeTo.sink(sink), withErrorHandler({ console: false })),
          ],
        },
        context,
      ),
    { document: '<html><body><app-root></app-root></body></html>', url: 'http://127.0.0.1/', allowedHosts: ['127.0.0.1'] },
  ).catch((error: unknown) => error);
  return { html, sink };
}

void describe('server-side rendering (real @angular/platform-server)', () => {
  void it('logs why a render failed and closes its logger with the platform', { timeout: 30000 }, async () => {
    const { html, sink } = await renderWithErrors(BrokenPage);
    assert.ok(html instanceof Error && html.message === 'the page failed', String(html));
    await sink.closed;
    assert.deepEqual(
      sink.events.map((e) => e.renderMessage()),
      ['Making the page', 'Uncaught error: the page failed'],
    );
  });

  // The summary of the skipped errors waits for the end of their second on a timer; the render's
  // end logs it at once and leaves no timer behind to fire into a closed logger.
  void it(
    'logs the errors a render skipped over maxErrorsPerSecond when it ends, before its logger closes',
    { timeout: 30000 },
    async () => {
      const { html, sink } = await renderWithErrors(NoisyPage);
      assert.match(String(html), /noisy/);
      await sink.closed;
      assert.deepEqual(
        sink.events.slice(-2).map((e) => e.renderMessage()),
        ['Uncaught error: failure 10', 'Skipped 2 uncaught errors: more than 10 a second'],
      );
      assert.equal(sink.events.length, 11);
    },
  );

  // The render's end destroys its injector; provideRxlog closed the logger from its destroy
  // callback, registered before any service's, and what a service logged from its own was refused.
  void it("delivers what a service logs from DestroyRef.onDestroy at the render's end", { timeout: 30000 }, async () => {
    const memory = new MemorySink();
    await renderApplication(
      (context) =>
        bootstrapApplication(
          TimedPage,
          {
            providers: [provideServerRendering(), provideZonelessChangeDetection(), provideRxlog((c) => c.writeTo.sink(memory))],
          },
          context,
        ),
      { document: '<html><body><app-root></app-root></body></html>', url: 'http://127.0.0.1/', allowedHosts: ['127.0.0.1'] },
    );
    await new Promise((done) => setTimeout(done, 0));
    assert.deepEqual(
      memory.events.map((e) => e.renderMessage()),
      ['Render ended'],
    );
  });

  void it(
    "judges same-origin by each render's own URL, and closes each render's logger at its end",
    { timeout: 30000 },
    async () => {
      const answer = () => ({ status: 200, headers: { 'content-type': 'application/json' }, body: '{}' });
      const first = await startTestServer(answer);
      const second = await startTestServer(answer);
      const origins = { first: first.url, second: second.url };
      const traced = () =>
        [
          ...first.requests.map((r) => [r.url, 'first', 'traceparent' in r.headers]),
          ...second.requests.map((r) => [r.url, 'second', 'traceparent' in r.headers]),
        ].sort((x, y) => String(x[0]).localeCompare(String(y[0])));
      try {
        const one = await render(`${first.url}/orders/7`, origins);
        assert.match(one.html, /<p>ready<\/p>/, 'the render waited for its requests');
        // Rendered at the first origin: its relative and absolute URLs are same-origin, the second's not.
        assert.deepEqual(traced(), [
          ['/api/a', 'first', true],
          ['/api/b', 'first', true],
          ['/api/c', 'second', false],
        ]);
        await one.sink.closed;

        first.requests.length = 0;
        second.requests.length = 0;
        const two = await render(`${second.url}/orders/8`, origins);
        assert.match(two.html, /<p>ready<\/p>/);
        // Rendered at the second origin: '/api/a' now goes to the second server, and the first is another origin.
        assert.deepEqual(traced(), [
          ['/api/a', 'second', true],
          ['/api/b', 'first', false],
          ['/api/c', 'second', true],
        ]);
        await two.sink.closed;

        // Each render logged to its own logger: its three requests and the page's line, nothing of the other's.
        for (const [sink, origin] of [
          [one.sink, first.url],
          [two.sink, second.url],
        ] as const) {
          const lines = sink.events.map((e) => e.renderMessage().replace(/ in \d+(\.\d+)? ?ms$/, ''));
          assert.equal(lines.length, 4, lines.join('\n'));
          assert.equal(lines.at(-1), 'Orders rendered');
          assert.ok(
            lines.slice(0, 3).every((line) => /^HTTP GET .* responded 200/.test(line)),
            lines.join('\n'),
          );
          assert.ok(
            lines.some((line) => line.includes('/api/a')),
            `${origin}: ${lines.join('\n')}`,
          );
        }
      } finally {
        await first.close();
        await second.close();
      }
    },
  );

  // Angular's ResourceValueError, thrown where the template read the value of the failed request,
  // quotes HttpClient's message and holds the HttpErrorResponse as its cause: the event carried
  // the URL's query values, and the response body as the cause's JSON.
  void it(
    "logs a template's read of a failed httpResource without the URL's query values or the body",
    { timeout: 30000 },
    async () => {
      const server = await startTestServer(() => ({
        status: 500,
        headers: { 'content-type': 'application/json' },
        body: '{"detail":"card 4111 declined"}',
      }));
      const memory = new MemorySink();
      try {
        await renderApplication(
          (context) =>
            bootstrapApplication(
              ResourcePage,
              {
                providers: [
                  provideServerRendering(),
                  provideZonelessChangeDetection(),
                  provideHttpClient(withFetch()),
                  provideRxlog((c) => c.writeTo.sink(memory), withErrorHandler({ console: false })),
                  { provide: ORDERS_URL, useValue: `${server.url}/api/orders?token=s3cret` },
                ],
              },
              context,
            ),
          { document: '<html><body><app-root></app-root></body></html>', url: 'http://127.0.0.1/', allowedHosts: ['127.0.0.1'] },
        );
      } finally {
        await server.close();
      }
      const http = `Http failure response for ${server.url}/api/orders?token=***: 500 Internal Server Error`;
      assert.deepEqual(
        memory.events.map((e) => [e.renderMessage(), e.properties.StatusCode, e.properties.Url]),
        [
          [
            `Uncaught error: Resource is currently in an error state (see Error.cause for details): ${http}`,
            500,
            `${server.url}/api/orders?token=***`,
          ],
        ],
      );
      const text = exceptionText(memory.events[0].exception);
      assert.ok(text.endsWith(`\ncaused by: HttpErrorResponse: ${http}`), text);
      assert.doesNotMatch(`${JSON.stringify(memory.events)} ${text}`, /s3cret|4111/);
    },
  );

  // Zoneless, only PendingTasks hold a render: rxlog adds none, so neither an open batch (its timer)
  // nor the fetch that ships it keeps the render (or ApplicationRef.whenStable) waiting.
  void it('never holds a render for an open batch; the batch is shipped when the render ends', { timeout: 30000 }, async () => {
    const server = await startTestServer(() => ({ status: 200 }));
    try {
      const started = Date.now();
      await renderApplication(
        (context) =>
          bootstrapApplication(
            TimedPage,
            {
              providers: [
                provideServerRendering(),
                provideZonelessChangeDetection(),
                provideRxlog((c) =>
                  c.writeTo.sink(new HttpSink({ url: `${server.url}/ingest` }), { batch: { size: 100, maxDelayMs: 60_000 } }),
                ),
              ],
            },
            context,
          ),
        { document: '<html><body><app-root></app-root></body></html>', url: 'http://127.0.0.1/', allowedHosts: ['127.0.0.1'] },
      );
      assert.ok(Date.now() - started < 20_000, 'the render waited for the batch');
      await server.received(1);
      assert.match(server.requests[0].body, /"@mt":"Render ended"/);
    } finally {
      await server.close();
    }
  });

  // docs/angular.md: a sink sending to a relative URL cannot work on a server, and says so.
  void it('fails the render with a ConfigurationError for an HttpSink with a relative URL', { timeout: 30000 }, async () => {
    const origins = { first: 'http://127.0.0.1:9/', second: 'http://127.0.0.1:9/' };
    await assert.rejects(
      render('http://127.0.0.1/', origins, () => new HttpSink({ url: '/ingest' })),
      (error: unknown) => {
        assert.ok(error instanceof ConfigurationError, String(error));
        assert.match(error.message, /\/ingest/);
        return true;
      },
    );
  });

  // docs/angular.md: an absolute URL is not enough for a sink with `offline`, whose default store
  // is the browser's localStorage; the server has none, and says so.
  void it(
    'fails the render with a ConfigurationError for an HttpSink with offline and no store',
    { timeout: 30000 },
    async () => {
      const origins = { first: 'http://127.0.0.1:9/', second: 'http://127.0.0.1:9/' };
      const offlineSink = () => new HttpSink({ url: 'http://127.0.0.1:9/ingest', offline: {} });
      await assert.rejects(render('http://127.0.0.1/', origins, offlineSink), (error: unknown) => {
        assert.ok(error instanceof ConfigurationError, String(error));
        assert.match(error.message, /offline\.store: .*no localStorage/);
        return true;
      });
    },
  );
});
