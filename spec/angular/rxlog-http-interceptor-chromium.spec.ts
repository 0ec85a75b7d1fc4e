// Real Chromium, both of HttpClient's backends (XMLHttpRequest, and fetch with withFetch()): what
// rxlogHttpInterceptor logs of requests a page makes under hostile use, checked against what
// docs/angular.md says (withHttpLogging): a timeout, a refused connection, a switchMap and RxJS's
// timeout() cancelling, a 10 MB answer with progress events, failures whose 10 MB body is read as a
// Blob, an ArrayBuffer and text, and posts to the HttpSink's own endpoint however the app writes
// its URL, on a page with a <base href>; and requests in flight when the page is left, which the
// browser fails as it leaves. The Node specs have no XMLHttpRequest.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { bundleAppScript, ingested, started } from '../helpers/angular-chromium';
import { CHROMIUM, freshChromium } from '../helpers/chromium';
import { startTestServer } from '../helpers/http-test-server';

const hasChromium = existsSync(CHROMIUM);
/** Each test ends, passed or failed, within a minute (a server waited for never answers). */
const bounded = { timeout: 60_000 };

/**
 * An app whose HttpClient has rxlogHttpInterceptor (after withFetch() when `fetch`), logging to a
 * MemorySink and to an HttpSink posting to `ingest?k=1` (relative to the page's <base href>, with a
 * batch that waits a minute: it posts nothing while the test runs). `window.app.run()` makes the
 * requests one after another and returns the events' levels and messages.
 */
function appScript(fetch: boolean): Promise<string> {
  return bundleAppScript(`
import '@angular/compiler';
import { Component } from '@angular/core';
import { HttpClient, provideHttpClient, withFetch, withInterceptors } from '@angular/common/http';
import { bootstrapApplication } from '@angular/platform-browser';
import { firstValueFrom, lastValueFrom, of, switchMap, tap, timeout } from 'rxjs';
import { HttpSink, MemorySink } from '../index';
import { provideRxlog, rxlogHttpInterceptor } from './index';
const memory = new MemorySink();
const app = { started: false };
window.app = app;
class App {}
Component({ selector: 'app-root', template: '' })(App);
bootstrapApplication(App, { providers: [
  provideHttpClient(${fetch ? 'withFetch(), ' : ''}withInterceptors([rxlogHttpInterceptor])),
  provideRxlog((c) => c.writeTo.sink(memory).writeTo.sink(new HttpSink({ url: 'ingest?k=1' }), { batch: { size: 100, maxDelayMs: 60000 } })),
] }).then((appRef) => { app.http = appRef.injector.get(HttpClient); app.started = true; }, (e) => { app.failed = String(e); });
app.run = async (closedPort) => {
  const http = app.http;
  const settle = (observable) => lastValueFrom(observable).catch(() => undefined);
  await settle(http.get('/hang', { timeout: 200 }));
  await settle(http.get('http://127.0.0.1:' + closedPort + '/refused'));
  // The first request is cancelled at once by the second, which RxJS's timeout() gives up on.
  await settle(of(1, 2).pipe(switchMap((i) => http.get('/hang?i=' + i).pipe(timeout(200)))));
  app.progress = 0;
  await settle(http.get('/big', { reportProgress: true, observe: 'events', responseType: 'arraybuffer' }).pipe(tap(() => app.progress++)));
  for (const responseType of ['blob', 'arraybuffer', 'text']) await settle(http.get('/fail?as=' + responseType, { responseType }));
  for (const url of ['/app/ingest?k=1', 'ingest?z=2&k=1', location.origin + '/app/ingest?k=1', '/app/./ingest?k=1#x', '/app/ingest?k=2'])
    await settle(http.post(url, 'x'));
  return memory.events.map((e) => e.level + ' ' + e.renderMessage());
};
`);
}

void describe('rxlogHttpInterceptor in Chromium', { skip: !hasChromium }, () => {
  for (const fetch of [false, true])
    void it(
      `logs each request once, bounded, and never its own sink's (${fetch ? 'withFetch()' : 'XMLHttpRequest'})`,
      bounded,
      async () => {
        const script = await appScript(fetch);
        const tenMegabytes = 'y'.repeat(10_000_000);
        const closed = await startTestServer();
        const closedPort = new URL(closed.url).port;
        await closed.close();
        const page = await startTestServer((request) => {
          if (request.url === '/app.js') return { status: 200, headers: { 'Content-Type': 'text/javascript' }, body: script };
          if (request.url.startsWith('/hang')) return 'hang';
          if (request.url === '/big') return { status: 200, body: tenMegabytes };
          if (request.url.startsWith('/fail')) return { status: 500, body: tenMegabytes };
          if (request.url.startsWith('/app/ingest')) return { status: 204 };
          return {
            status: 200,
            headers: { 'Content-Type': 'text/html' },
            body: '<!doctype html><base href="/app/"><app-root></app-root><script src="/app.js"></script>',
          };
        });
        const chromium = await freshChromium();
        try {
          const tab = await chromium.browser.newPage();
          await tab.goto(`${page.url}/`);
          await started(tab);
          const logged = await tab.evaluate(
            (port) => (window as unknown as { app: { run(port: string): Promise<string[]> } }).app.run(port),
            closedPort,
          );
          const lines = logged.map((line) =>
            line
              .split(page.url)
              .join('')
              .replace(/[\d.]+ ms/, 'N ms'),
          );
          const noAnswer = fetch
            ? '0 undefined (TimeoutError: signal timed out)'
            : '0 Request timeout (TimeoutError: Request timed out)';
          const refused = fetch ? '0 undefined (TypeError: Failed to fetch)' : '0 Unknown Error';
          // The body, 10 MB read as each type, is not in the event.
          const failed =
            'error HTTP GET /fail?as=*** failed with 500 in N ms: Http failure response for /fail?as=***: 500 Internal Server Error';
          assert.deepEqual(lines, [
            `error HTTP GET /hang failed with 0 in N ms: Http failure response for /hang: ${noAnswer}`,
            `error HTTP GET http://127.0.0.1:${closedPort}/refused failed with 0 in N ms: Http failure response for http://127.0.0.1:${closedPort}/refused: ${refused}`,
            'information HTTP GET /hang?i=*** cancelled after N ms',
            'information HTTP GET /hang?i=*** cancelled after N ms',
            'information HTTP GET /big responded 200 in N ms',
            failed,
            failed,
            failed,
            // The sink's endpoint with another value of its query parameter is another URL.
            'information HTTP POST /app/ingest?k=*** responded 204 in N ms',
          ]);
          // The answer came in parts, each a progress event the app saw, and was logged once.
          assert.ok((await tab.evaluate(() => (window as unknown as { app: { progress: number } }).app.progress)) > 3);
        } finally {
          await chromium.close();
          await page.close();
        }
      },
    );

  // Chromium fails every request of the fetch backend in flight as the page is left (once the next
  // page has answered, after beforeunload, just before pagehide), with status 0 as a network failure
  // has: each was an error, shipped by beacon with the page. (The XMLHttpRequest backend's requests
  // end without an event then: HttpClient settles them never, and nothing is logged.)
  void it('logs the requests in flight when the page is left as cancelled, by beacon, not as failures', bounded, async () => {
    const script = await bundleAppScript(`
import '@angular/compiler';
import { Component } from '@angular/core';
import { HttpClient, provideHttpClient, withFetch, withInterceptors } from '@angular/common/http';
import { bootstrapApplication } from '@angular/platform-browser';
import { HttpSink } from '../index';
import { provideRxlog, rxlogHttpInterceptor } from './index';
const app = { started: false };
window.app = app;
class App {}
Component({ selector: 'app-root', template: '' })(App);
bootstrapApplication(App, { providers: [
  provideHttpClient(withFetch(), withInterceptors([rxlogHttpInterceptor])),
  provideRxlog((c) => c.writeTo.sink(new HttpSink({ url: '/ingest', beaconContentType: 'text/plain' }), { batch: { size: 100, maxDelayMs: 60000 } })),
] }).then((appRef) => { app.http = appRef.injector.get(HttpClient); app.started = true; }, (e) => { app.failed = String(e); });
app.start = () => {
  app.http.get('/hang?token=secret').subscribe({ error: () => undefined });
  app.http.get('/hang?poll=1').subscribe({ error: () => undefined });
};
`);
    const page = await startTestServer((request) => {
      if (request.url === '/app.js') return { status: 200, headers: { 'Content-Type': 'text/javascript' }, body: script };
      if (request.url.startsWith('/hang')) return 'hang';
      if (request.url === '/ingest') return { status: 204 };
      if (request.url === '/other') return { status: 200, headers: { 'Content-Type': 'text/html' }, body: '<p>another page' };
      return {
        status: 200,
        headers: { 'Content-Type': 'text/html' },
        body: '<!doctype html><app-root></app-root><script src="/app.js"></script>',
      };
    });
    const chromium = await freshChromium();
    try {
      const tab = await chromium.browser.newPage();
      await tab.goto(`${page.url}/`);
      await started(tab);
      await tab.evaluate(() => (window as unknown as { app: { start(): void } }).app.start());
      await page.received(2, (request) => request.url.startsWith('/hang'));
      // Left by a link, as a user leaves it.
      await tab.evaluate(() => (location.href = '/other'));
      await page.received(1, (request) => request.url === '/ingest');
      const events = ingested(page).map(
        (event) =>
          `${typeof event['@l'] === 'string' ? event['@l'] : 'Information'} ${String(event['@mt'])} ${String(event.Url)}`,
      );
      const cancelled = 'Information HTTP {Method} {Url} cancelled after {ElapsedMs} ms: the page was left';
      assert.deepEqual(events.sort(), [`${cancelled} /hang?poll=***`, `${cancelled} /hang?token=***`]);
    } finally {
      await chromium.close();
      await page.close();
    }
  });
});
