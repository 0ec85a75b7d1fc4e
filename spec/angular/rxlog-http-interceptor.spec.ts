import { testInjector } from './test-injector'; // first: loads Angular's JIT compiler
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import {
  HttpClient,
  HttpContext,
  HttpContextToken,
  type HttpRequest,
  provideHttpClient,
  withFetch,
  withInterceptors,
  withJsonpSupport,
  withRequestsMadeViaParent,
  ɵwithHttpTransferCache as withHttpTransferCache,
} from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { PlatformLocation } from '@angular/common';
import {
  createEnvironmentInjector,
  DOCUMENT,
  type EnvironmentProviders,
  inject,
  InjectionToken,
  PLATFORM_ID,
  type Provider,
  provideZonelessChangeDetection,
} from '@angular/core';
import { EMPTY, firstValueFrom, lastValueFrom, retry, throwError, timeout } from 'rxjs';
import { HttpSink, LevelSwitch, type LogEvent, LoggerConfiguration, MemorySink, SelfLog } from '../../lib/index';
import { type HttpLoggingOptions, provideRxlog, rxlogHttpInterceptor, withHttpLogging } from '../../lib/angular/index';
import { RXLOG_HTTP_LOGGING_OPTIONS } from '../../lib/angular/index';
import { RXLOG_LOGGER } from '../../lib/angular/rxlog-tokens';
import { installFakePage } from '../helpers/fake-page';
import { startTestServer } from '../helpers/http-test-server';
import { toOtlpLogRecord } from '../../lib/sinks/http/otlp-log-record';

function setup(
  options?: HttpLoggingOptions,
  extra: (Provider | EnvironmentProviders)[] = [],
  level: 'debug' | 'information' = 'information',
) {
  const memory = new MemorySink();
  const http = new HttpSink({ url: 'http://localhost/ingest', fetch: () => Promise.resolve(new Response('')) });
  const injector = testInjector([
    provideZonelessChangeDetection(),
    provideHttpClient(withInterceptors([rxlogHttpInterceptor])),
    provideHttpClientTesting(),
    provideRxlog(
      (c) => c.minimumLevel.is(level).writeTo.sink(memory).writeTo.sink(http),
      ...(options === undefined ? [] : [withHttpLogging(options)]),
    ),
    ...extra,
  ]);
  return { memory, injector, client: injector.get(HttpClient), backend: injector.get(HttpTestingController) };
}

const props = (e: LogEvent): Record<string, unknown> => ({ level: e.level, ...e.properties });

void describe('rxlogHttpInterceptor', () => {
  void it('logs a completed request with method, redacted URL, status and elapsed ms', async () => {
    const { memory, injector, client, backend } = setup();
    const answer = firstValueFrom(client.get('/api/orders', { params: { token: 'secret', page: '2' } }));
    backend.expectOne('/api/orders?token=secret&page=2').flush({ ok: true });
    await answer;
    assert.equal(memory.events.length, 1);
    const event = props(memory.events[0]);
    assert.equal(event.level, 'information');
    assert.equal(event.Method, 'GET');
    assert.equal(event.Url, '/api/orders?token=***&page=***');
    assert.equal(event.StatusCode, 200);
    assert.equal(event.SourceContext, 'HttpClient');
    assert.equal(typeof event.ElapsedMs, 'number');
    assert.ok((event.ElapsedMs as number) >= 0);
    assert.equal(memory.events[0].renderMessage().startsWith('HTTP GET /api/orders?token=***&page=*** responded 200 in '), true);
    injector.destroy();
  });

  void it('chooses the level by outcome: 5xx and network errors error, 4xx warning', async () => {
    const { memory, injector, client, backend } = setup();
    const calls = ['/a', '/b', '/c'].map((url) => firstValueFrom(client.get(url)).catch(() => undefined));
    backend.expectOne('/a').flush('no', { status: 503, statusText: 'Unavailable' });
    backend.expectOne('/b').flush('no', { status: 404, statusText: 'Not Found' });
    backend.expectOne('/c').error(new Event('error') as unknown as ProgressEvent);
    await Promise.all(calls);
    assert.deepEqual(
      memory.events.map((e) => [e.properties.Url, e.properties.StatusCode, e.level]),
      [
        ['/a', 503, 'error'],
        ['/b', 404, 'warning'],
        ['/c', 0, 'error'],
      ],
    );
    assert.match(memory.events[0].renderMessage(), /^HTTP GET \/a failed with 503 in [\d.]+ ms: /);
    injector.destroy();
  });

  void it('logs a failure with a 2xx status (a body HttpClient could not parse) as an error, not as information', async () => {
    const server = await startTestServer(() => ({
      status: 200,
      headers: { 'Content-Type': 'text/html' },
      body: '<!doctype html>',
    }));
    const memory = new MemorySink();
    const injector = testInjector([
      provideZonelessChangeDetection(),
      provideHttpClient(withFetch(), withInterceptors([rxlogHttpInterceptor])),
      provideRxlog((c) => c.writeTo.sink(memory)),
    ]);
    try {
      await firstValueFrom(injector.get(HttpClient).get(`${server.url}/api/orders`)).catch(() => undefined);
      assert.deepEqual(
        memory.events.map((e) => [e.properties.StatusCode, e.level]),
        [[200, 'error']],
      );
      assert.match(memory.events[0].renderMessage(), /^HTTP GET \S+ failed with 200 in [\d.]+ ms: Http failure during parsing/);
    } finally {
      injector.destroy();
      await server.close();
    }
  });

  void it('keeps query values out of the error message too', async () => {
    const { memory, injector, client, backend } = setup();
    const call = firstValueFrom(client.get('/fail', { params: { token: 'secret' } })).catch(() => undefined);
    backend.expectOne('/fail?token=secret').flush('no', { status: 500, statusText: 'Error' });
    await call;
    assert.doesNotMatch(JSON.stringify(memory.events[0].properties), /secret/);
    assert.doesNotMatch(memory.events[0].renderMessage(), /secret/);
    injector.destroy();
  });

  void it('keeps credentials in the URL (user:password@) out of Url and the error message, even with query values kept', async () => {
    for (const options of [undefined, { redactQueryValues: false }]) {
      const { memory, injector, client, backend } = setup(options);
      const url = 'https://ann:s3cret-pw@api.example.com/orders';
      const calls = [firstValueFrom(client.get(url)), firstValueFrom(client.get(`${url}/1`)).catch(() => undefined)];
      backend.expectOne(url).flush([]);
      backend.expectOne(`${url}/1`).flush('no', { status: 500, statusText: 'Error' });
      await Promise.all(calls);
      assert.deepEqual(
        memory.events.map((e) => e.properties.Url),
        ['https://***@api.example.com/orders', 'https://***@api.example.com/orders/1'],
      );
      assert.equal(
        memory.events[1].properties.ErrorMessage,
        'Http failure response for https://***@api.example.com/orders/1: 500 Error',
      );
      for (const event of memory.events)
        assert.doesNotMatch(`${JSON.stringify(event.properties)} ${event.renderMessage()}`, /s3cret|ann:/);
      injector.destroy();
    }
  });

  // XMLHttpRequest sends credentials written in the forms the WHATWG URL parser accepts besides
  // scheme://user:pw@ (a leading space, no slashes), and they reached Url and ErrorMessage.
  void it('keeps credentials out of Url and the error message however the URL writes them', async () => {
    for (const options of [undefined, { redactQueryValues: false }]) {
      const { memory, injector, client, backend } = setup(options);
      const urls = [' https://ann:s3cret-pw@api.example.com/orders', 'https:ann:s3cret-pw@api.example.com/orders'];
      const calls = urls.map((url) => firstValueFrom(client.get(url)).catch(() => undefined));
      for (const url of urls) backend.expectOne(url).flush('no', { status: 500, statusText: 'Error' });
      await Promise.all(calls);
      assert.deepEqual(
        memory.events.map((e) => [e.properties.Url, e.properties.ErrorMessage]),
        urls.map(() => [
          'https://***@api.example.com/orders',
          'Http failure response for https://***@api.example.com/orders: 500 Error',
        ]),
      );
      for (const event of memory.events)
        assert.doesNotMatch(`${JSON.stringify(event.properties)} ${event.renderMessage()}`, /s3cret|ann:/);
      injector.destroy();
    }
  });

  void it('keeps query values out of the error message when the answer came from another URL (fetch, redirects)', async () => {
    const server = await startTestServer((request) =>
      request.url.startsWith('/old')
        ? { status: 302, headers: { Location: '/new?token=moved-secret' } }
        : request.url === '/report?id=1'
          ? // A redirect that adds to the query: the answer's URL holds the request's whole.
            { status: 302, headers: { Location: '/report?id=1&sig=signed-secret' } }
          : { status: 500 },
    );
    const memory = new MemorySink();
    const injector = testInjector([
      provideZonelessChangeDetection(),
      provideHttpClient(withFetch(), withInterceptors([rxlogHttpInterceptor])),
      provideRxlog((c) => c.writeTo.sink(memory)),
    ]);
    try {
      const client = injector.get(HttpClient);
      // fetch percent-encodes the space, so the answer's URL is not the request's text.
      await firstValueFrom(client.get(`${server.url}/plain?token=first secret`)).catch(() => undefined);
      await firstValueFrom(client.get(`${server.url}/old?token=old-secret`)).catch(() => undefined);
      await firstValueFrom(client.get(`${server.url}/report`, { params: { id: 1 } })).catch(() => undefined);
      assert.equal(memory.events.length, 3);
      for (const event of memory.events) assert.doesNotMatch(String(event.properties.ErrorMessage), /secret/);
      assert.equal(
        memory.events[1].properties.ErrorMessage,
        `Http failure response for ${server.url}/new?token=***: 500 Internal Server Error`,
      );
      assert.equal(
        memory.events[2].properties.ErrorMessage,
        `Http failure response for ${server.url}/report?id=***&sig=***: 500 Internal Server Error`,
      );
    } finally {
      injector.destroy();
      await server.close();
    }
  });

  // HttpClient's fetch backend fails a request that got no answer with status 0 and statusText
  // undefined: a timeout (the `timeout` option) and a refused connection were both logged as
  // "…: 0 undefined", and what happened, the failure HttpClient keeps in `error`, was lost.
  void it('says why a request got no answer: the failure HttpClient keeps, its URL redacted', async () => {
    const failures: Record<string, Error> = {
      '/api/slow?token=secret': new DOMException('signal timed out', 'TimeoutError'),
      '/api/down': new TypeError('Failed to fetch'),
      '/api/odd?token=secret': new TypeError('Failed to parse URL from /api/odd?token=secret'),
    };
    const realFetch = globalThis.fetch;
    globalThis.fetch = ((url: string) => Promise.reject(failures[url])) as typeof fetch;
    const memory = new MemorySink();
    const injector = testInjector([
      provideZonelessChangeDetection(),
      provideHttpClient(withFetch(), withInterceptors([rxlogHttpInterceptor])),
      provideRxlog((c) => c.writeTo.sink(memory)),
    ]);
    try {
      const client = injector.get(HttpClient);
      for (const url of Object.keys(failures)) await firstValueFrom(client.get(url)).catch(() => undefined);
      assert.deepEqual(
        memory.events.map((e) => [e.level, e.properties.StatusCode, e.properties.ErrorMessage]),
        [
          ['error', 0, 'Http failure response for /api/slow?token=***: 0 undefined (TimeoutError: signal timed out)'],
          ['error', 0, 'Http failure response for /api/down: 0 undefined (TypeError: Failed to fetch)'],
          [
            'error',
            0,
            'Http failure response for /api/odd?token=***: 0 undefined (TypeError: Failed to parse URL from /api/odd?token=***)',
          ],
        ],
      );
    } finally {
      globalThis.fetch = realFetch;
      injector.destroy();
    }
  });

  void it('takes a level function and full URLs when asked', async () => {
    const { memory, injector, client, backend } = setup(
      { level: (status) => (status === 404 ? 'debug' : 'fatal'), redactQueryValues: false },
      [],
      'debug',
    );
    const call = firstValueFrom(client.get('/x', { params: { q: 'v' } })).catch(() => undefined);
    backend.expectOne('/x?q=v').flush('', { status: 404, statusText: 'Not Found' });
    await call;
    assert.deepEqual([memory.events[0].level, memory.events[0].properties.Url], ['debug', '/x?q=v']);
    injector.destroy();
  });

  void it('adds a traceparent to same-origin requests and logs its ids', async () => {
    const { memory, injector, client, backend } = setup({ correlation: 'traceparent' });
    const call = firstValueFrom(client.get('/traced'));
    const request = backend.expectOne('/traced');
    const header = request.request.headers.get('traceparent') ?? '';
    assert.match(header, /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    request.flush('');
    await call;
    assert.equal(header, `00-${String(memory.events[0].properties.TraceId)}-${String(memory.events[0].properties.SpanId)}-01`);
    const crossOrigin = firstValueFrom(client.get('https://other.example.com/api'));
    const other = backend.expectOne('https://other.example.com/api');
    assert.equal(other.request.headers.has('traceparent'), false, 'no CORS preflight caused by the logger');
    other.flush('');
    await crossOrigin;
    injector.destroy();
  });

  // The events carried TraceId and SpanId but no TraceFlags, so OtlpSink sent them without flags
  // (not sampled) though the request said sampled; and the app's own traceparent was read by a
  // regex that took version ff and all-zero ids and gave no ids for a later version's header.
  void it('logs the flags of the traceparent sent, keeping a valid one and replacing an invalid one', async () => {
    const { memory, injector, client, backend } = setup({ correlation: 'traceparent' });
    const trace = '4bf92f3577b34da6a3ce929d0e0e4736';
    const cases: [string | undefined, 'kept' | 'new'][] = [
      [undefined, 'new'],
      [`00-${trace}-00f067aa0ba902b7-03`, 'kept'],
      [`00-${trace}-00f067aa0ba902b7-00`, 'kept'],
      [`01-${trace}-00f067aa0ba902b7-09-more`, 'kept'],
      [`ff-${trace}-00f067aa0ba902b7-01`, 'new'],
      [`00-${'0'.repeat(32)}-00f067aa0ba902b7-01`, 'new'],
      [`00-${trace}-${'0'.repeat(16)}-01`, 'new'],
      [`00-${trace}-00f067aa0ba902b7-01-more`, 'new'],
    ];
    const sent: { traceparent: string | null; tracestate: string | null }[] = [];
    for (const [index, [header, expected]] of cases.entries()) {
      const headers: Record<string, string> = header === undefined ? {} : { traceparent: header, tracestate: 'k=v' };
      const call = firstValueFrom(client.get(`/traced/${index}`, { headers }));
      const request = backend.expectOne(`/traced/${index}`);
      sent.push({
        traceparent: request.request.headers.get('traceparent'),
        tracestate: request.request.headers.get('tracestate'),
      });
      request.flush('');
      await call;
      const { TraceId, SpanId, TraceFlags } = memory.events[index].properties;
      const traceparent = sent[index].traceparent ?? '';
      if (expected === 'kept') {
        assert.deepEqual(sent[index], { traceparent: header, tracestate: 'k=v' }, String(header));
        assert.deepEqual([TraceId, SpanId, TraceFlags], [trace, '00f067aa0ba902b7', parseInt(header!.slice(53, 55), 16)]);
      } else {
        assert.match(traceparent, /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/, String(header));
        assert.notEqual(traceparent.slice(3, 35), trace);
        assert.equal(sent[index].tracestate, null, 'the tracestate of an invalid traceparent goes with it');
        assert.equal(traceparent, `00-${String(TraceId)}-${String(SpanId)}-01`);
        assert.equal(TraceFlags, 1);
      }
    }
    // What OtlpSink sends: the request's sampled flag, not an unsampled record.
    assert.equal(toOtlpLogRecord(memory.events[0]).flags, 1);
    assert.equal(toOtlpLogRecord(memory.events[1]).flags, 3);
    injector.destroy();
  });

  // On the server there is no page: same-origin was judged against a global `location` (which an
  // SSR setup may leave from an earlier render) or http://localhost/, so the render's own API got
  // no traceparent and another host could get one. Each render's PlatformLocation.href says where.
  void it("judges same-origin on the server by each render's PlatformLocation.href, else by a host under .invalid", async () => {
    const stale = Object.getOwnPropertyDescriptor(globalThis, 'location');
    Object.defineProperty(globalThis, 'location', { value: { href: 'https://earlier.example/page' }, configurable: true });
    try {
      const traced: Record<string, boolean>[] = [];
      for (const href of ['https://shop.example/orders/7', '/', undefined]) {
        const platformLocation = href === undefined ? [] : [{ provide: PlatformLocation, useValue: { href } }];
        const { injector, client, backend } = setup({ correlation: 'traceparent' }, [
          { provide: PLATFORM_ID, useValue: 'server' },
          ...platformLocation,
        ]);
        const seen: Record<string, boolean> = {};
        for (const url of ['/api/a', 'https://shop.example/api/b', 'https://earlier.example/api/c']) {
          const call = firstValueFrom(client.get(url));
          const request = backend.expectOne(url);
          seen[url] = request.request.headers.has('traceparent');
          request.flush('');
          await call;
        }
        traced.push(seen);
        injector.destroy();
      }
      const unknownOrigin = { '/api/a': true, 'https://shop.example/api/b': false, 'https://earlier.example/api/c': false };
      assert.deepEqual(traced, [
        { '/api/a': true, 'https://shop.example/api/b': true, 'https://earlier.example/api/c': false },
        unknownOrigin,
        unknownOrigin,
      ]);
    } finally {
      if (stale === undefined) delete (globalThis as { location?: unknown }).location;
      else Object.defineProperty(globalThis, 'location', stale);
    }
  });

  // Relative URLs were resolved against location.href, where the browser (and Angular's server)
  // resolves them against the document's <base href>: on /app/shop/orders/42 under <base href="/app/">
  // a sink on 'ingest' posts to /app/ingest, which was logged; and with a base on another origin a
  // relative request, cross-origin in fact, got a traceparent and so a CORS preflight.
  void it("resolves relative URLs against the document's base URL, as the browser does", async () => {
    const scope = globalThis as { location?: unknown; document?: unknown };
    const saved = [scope.location, scope.document] as const;
    try {
      scope.location = { href: 'http://localhost/app/shop/orders/42' };
      scope.document = { baseURI: 'http://localhost/app/' };
      const memory = new MemorySink();
      const http = new HttpSink({ url: 'ingest', fetch: () => Promise.resolve(new Response('')) });
      const injector = testInjector([
        provideZonelessChangeDetection(),
        provideHttpClient(withInterceptors([rxlogHttpInterceptor])),
        provideHttpClientTesting(),
        provideRxlog((c) => c.writeTo.sink(memory).writeTo.sink(http), withHttpLogging({ excludeUrls: ['api/health'] })),
      ]);
      const client = injector.get(HttpClient);
      const backend = injector.get(HttpTestingController);
      const urls = ['http://localhost/app/ingest', '/app/api/health', 'api/health', '/app/shop/orders/ingest'];
      const calls = urls.map((url) => firstValueFrom(client.get(url)));
      for (const url of urls) backend.expectOne(url).flush('');
      await Promise.all(calls);
      assert.deepEqual(
        memory.events.map((e) => e.properties.Url),
        ['/app/shop/orders/ingest'],
      );
      injector.destroy();

      scope.document = { baseURI: 'https://cdn.example/app/' };
      const other = setup({ correlation: 'traceparent' });
      const sent = ['api/x', 'http://localhost/api/y'].map((url) => firstValueFrom(other.client.get(url)));
      const headers = ['api/x', 'http://localhost/api/y'].map((url) => {
        const request = other.backend.expectOne(url);
        request.flush('');
        return request.request.headers.has('traceparent');
      });
      await Promise.all(sent);
      assert.deepEqual(headers, [false, true], 'only the request to the page origin gets a traceparent');
      other.injector.destroy();
    } finally {
      [scope.location, scope.document] = saved;
    }
  });

  void it("resolves relative URLs on the server against the render's <base href>, as Angular's server does", async () => {
    const location = { href: 'https://shop.example/app/orders/7', getBaseHrefFromDOM: () => '/app/' };
    const { memory, injector, client, backend } = setup({ excludeUrls: ['api/health'] }, [
      { provide: PLATFORM_ID, useValue: 'server' },
      { provide: PlatformLocation, useValue: location },
    ]);
    const urls = ['https://shop.example/app/api/health', 'https://shop.example/app/orders/api/health'];
    const calls = urls.map((url) => firstValueFrom(client.get(url)));
    for (const url of urls) backend.expectOne(url).flush('');
    await Promise.all(calls);
    assert.deepEqual(
      memory.events.map((e) => e.properties.Url),
      ['https://shop.example/app/orders/api/health'],
    );
    injector.destroy();
  });

  void it('adds a request id header, keeping one the request already has', async () => {
    const { memory, injector, client, backend } = setup({ correlation: 'request-id', requestIdHeader: 'X-Correlation-Id' });
    const first = firstValueFrom(client.get('/one'));
    const one = backend.expectOne('/one');
    const id = one.request.headers.get('X-Correlation-Id');
    assert.match(id ?? '', /^[0-9a-f]{32}$/);
    one.flush('');
    const second = firstValueFrom(client.get('/two', { headers: { 'X-Correlation-Id': 'mine' } }));
    backend.expectOne('/two').flush('');
    await Promise.all([first, second]);
    assert.deepEqual(
      memory.events.map((e) => e.properties.RequestId),
      [id, 'mine'],
    );
    injector.destroy();
  });

  void it("leaves requests to the logger's own endpoints alone", async () => {
    const { memory, injector, client, backend } = setup({ correlation: 'traceparent' });
    const call = firstValueFrom(client.post('http://localhost/ingest', 'x'));
    const request = backend.expectOne('http://localhost/ingest');
    assert.equal(request.request.headers.has('traceparent'), false);
    request.flush('');
    await call;
    assert.equal(memory.events.length, 0);
    injector.destroy();
  });

  // The endpoints were gathered in one list per provideRxlog call, shared by every injector made from
  // those providers (each server render): a render left alone the requests to another render's
  // sink, and the list grew with every render.
  void it("leaves alone only its own injector's sink endpoints when apps share one configuration", async () => {
    const INGEST = new InjectionToken<string>('ingest URL');
    const memory = new MemorySink();
    const fetch = () => Promise.resolve(new Response(''));
    const shared = [
      provideZonelessChangeDetection(),
      provideHttpClient(withInterceptors([rxlogHttpInterceptor])),
      provideHttpClientTesting(),
      provideRxlog((c) => c.writeTo.sink(memory).writeTo.sink(new HttpSink({ url: inject(INGEST), fetch }))),
    ];
    const apps = ['http://a.example/ingest', 'http://b.example/ingest'].map((url) =>
      testInjector([...shared, { provide: INGEST, useValue: url }]),
    );
    const [first] = apps;
    const client = first.get(HttpClient);
    const backend = first.get(HttpTestingController);
    const calls = ['http://a.example/ingest', 'http://b.example/ingest'].map((url) => firstValueFrom(client.post(url, '')));
    for (const url of ['http://a.example/ingest', 'http://b.example/ingest']) backend.expectOne(url).flush('');
    await Promise.all(calls);
    assert.deepEqual(
      memory.events.map((e) => e.properties.Url),
      ['http://b.example/ingest'],
    );
    for (const app of apps) app.destroy();
  });

  // excludeUrls replaced the sink endpoints: with excludeUrls: ['/health'], a sink posting with the
  // app's HttpClient after an await (the offline store's replay, a token fetched first) logged its
  // own request, whose event it posted again, for ever.
  void it('excludes the URL prefixes given as well as the sink endpoints', async () => {
    const { memory, injector, client, backend } = setup({ excludeUrls: ['/health'] });
    const urls = ['/health/live', 'http://localhost/ingest', '/api/orders'];
    const calls = urls.map((url) => firstValueFrom(client.get(url)));
    for (const url of urls) backend.expectOne(url).flush('');
    await Promise.all(calls);
    assert.deepEqual(
      memory.events.map((e) => e.properties.Url),
      ['/api/orders'],
    );
    injector.destroy();
  });

  // A sink URL with a query (an API key, Seq's ?clef) was excluded only when the request's URL began
  // with that very text: the same endpoint with its query given as HttpClient params, in another
  // order or with one more parameter was logged, and its event posted again.
  void it('leaves alone requests to a sink endpoint with a query, however the request writes that query', async () => {
    const memory = new MemorySink();
    const http = new HttpSink({ url: 'http://localhost/ingest?clef&apiKey=k', fetch: () => Promise.resolve(new Response('')) });
    const injector = testInjector([
      provideZonelessChangeDetection(),
      provideHttpClient(withInterceptors([rxlogHttpInterceptor])),
      provideHttpClientTesting(),
      provideRxlog((c) => c.writeTo.sink(memory).writeTo.sink(http)),
    ]);
    const client = injector.get(HttpClient);
    const backend = injector.get(HttpTestingController);
    const excluded: [string, Record<string, string>?][] = [
      ['http://localhost/ingest?clef&apiKey=k'],
      ['/ingest?clef&apiKey=k'],
      ['http://localhost/ingest', { clef: '', apiKey: 'k' }],
      ['/ingest?apiKey=k&clef'],
      ['/ingest?clef=&apiKey=k&batch=2'],
    ];
    const logged: [string, Record<string, string>?][] = [
      ['/ingest'],
      ['/ingest?clef&apiKey=other'],
      ['/ingestion?clef&apiKey=k'],
    ];
    for (const [url, params] of [...excluded, ...logged]) {
      const call = firstValueFrom(client.post(url, '', { params }));
      for (const request of backend.match(() => true)) request.flush('');
      await call;
    }
    assert.deepEqual(
      memory.events.map((e) => e.properties.Url),
      ['/ingest', '/ingest?clef=***&apiKey=***', '/ingestion?clef=***&apiKey=***'],
    );
    injector.destroy();
  });

  // A prefix with a trailing slash (a sink on /ingest/, excludeUrls: ['/api/logs/']) did not cover
  // the same path without it, so requests to /ingest were logged.
  void it('covers a path with or without its trailing slash', async () => {
    const memory = new MemorySink();
    const http = new HttpSink({ url: 'http://localhost/ingest/', fetch: () => Promise.resolve(new Response('')) });
    const injector = testInjector([
      provideZonelessChangeDetection(),
      provideHttpClient(withInterceptors([rxlogHttpInterceptor])),
      provideHttpClientTesting(),
      provideRxlog((c) => c.writeTo.sink(memory).writeTo.sink(http), withHttpLogging({ excludeUrls: ['/api/logs/', '/x//'] })),
    ]);
    const client = injector.get(HttpClient);
    const backend = injector.get(HttpTestingController);
    const excluded = [
      'http://localhost/ingest',
      '/ingest',
      '/ingest/',
      '/ingest/v2',
      '/ingest?x=1',
      '/api/logs',
      '/api/logs?x=1',
      '/api/logs/a',
      '/x',
    ];
    const logged = ['/ingestion', '/api/logsx', '/xy'];
    const calls = [...excluded, ...logged].map((url) => firstValueFrom(client.get(url)));
    for (const url of [...excluded, ...logged]) backend.expectOne(url).flush('');
    await Promise.all(calls);
    assert.deepEqual(
      memory.events.map((e) => e.properties.Url),
      logged,
    );
    injector.destroy();
  });

  // A prefix matched any URL that began with its text: with the sink on /ingest, the app's own
  // requests to /ingestion-report were never logged, and excludeUrls: ['/health'] hid /healthy.
  void it('excludes whole path segments only: the app requests next to an excluded URL are logged', async () => {
    for (const [options, excluded, logged] of [
      [
        undefined,
        ['http://localhost/ingest', 'http://localhost/ingest?x=1', 'http://localhost/ingest/v2'],
        ['http://localhost/ingestion-report', 'http://localhost/ingest2'],
      ],
      [
        { excludeUrls: ['/health', '/api/'] },
        ['/health', '/health/live', '/health?full=1', '/health#x', '/api/orders'],
        ['/healthy', '/health-report', '/apix'],
      ],
    ] as const) {
      const { memory, injector, client, backend } = setup(options);
      const calls = [...excluded, ...logged].map((url) => firstValueFrom(client.get(url)));
      for (const url of [...excluded, ...logged]) backend.expectOne(url).flush('');
      await Promise.all(calls);
      assert.deepEqual(
        memory.events.map((e) => e.properties.Url),
        logged.map((url) => url.replace(/=.*$/, '=***')),
      );
      injector.destroy();
    }
  });

  void it('logs a request cancelled before its answer', () => {
    const { memory, injector, client, backend } = setup();
    const subscription = client.get('/slow').subscribe();
    const request = backend.expectOne('/slow');
    subscription.unsubscribe();
    assert.equal(request.cancelled, true);
    assert.match(memory.events[0].renderMessage(), /^HTTP GET \/slow cancelled after [\d.]+ ms$/);
    injector.destroy();
  });

  // A real server that never answers (or stalls after the headers), through the fetch backend: the
  // `timeout` option fails the request, RxJS's timeout() and an unsubscribe cancel it; each once.
  void it("logs a real request that times out or is cancelled once, with the backend's abort unlogged", async () => {
    const server = createServer((request, response) => {
      if (request.url === '/stalled') response.writeHead(200, { 'content-type': 'application/json' }).write('{"a":');
    });
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const memory = new MemorySink();
    const injector = testInjector([
      provideZonelessChangeDetection(),
      provideHttpClient(withFetch(), withInterceptors([rxlogHttpInterceptor])),
      provideRxlog((c) => c.writeTo.sink(memory)),
    ]);
    const settled = () => new Promise((done) => setTimeout(done, 200));
    try {
      const client = injector.get(HttpClient);
      await firstValueFrom(client.get(`${url}/silent`, { timeout: 50 })).catch(() => undefined);
      await firstValueFrom(client.get(`${url}/stalled`, { timeout: 50 })).catch(() => undefined);
      await firstValueFrom(client.get(`${url}/silent`).pipe(timeout(50))).catch(() => undefined);
      const subscription = client.get(`${url}/silent`).subscribe();
      await settled();
      subscription.unsubscribe();
      await settled();
      const lines = memory.events.map((e) => `${e.level} ${e.renderMessage().split(url).join('')}`);
      const patterns = [
        /^error HTTP GET \/silent failed with 0 in [\d.]+ ms: Http failure response for \/silent: 0 undefined \(TimeoutError: signal timed out\)$/,
        // Angular's message for a body cut short names no URL nor status; why it was cut says which.
        /^error HTTP GET \/stalled failed with 0 in [\d.]+ ms: Http failure response for .*\(TimeoutError: signal timed out\)$/,
        /^information HTTP GET \/silent cancelled after [\d.]+ ms$/,
        /^information HTTP GET \/silent cancelled after [\d.]+ ms$/,
      ];
      assert.equal(lines.length, patterns.length, lines.join('\n'));
      lines.forEach((line, i) => assert.match(line, patterns[i]));
    } finally {
      injector.destroy();
      server.closeAllConnections();
      server.close();
    }
  });

  // A browser fails every request in flight when the page is left, with status 0 as a network
  // failure has (Chromium after beforeunload, just before pagehide): each was logged as an error, and
  // shipped by beacon at every page left with a request in flight.
  void it('logs a request the browser fails as the page is left as cancelled, and a failure while the page stays as failed', (context) => {
    context.mock.timers.enable({ apis: ['setTimeout'] });
    const page = installFakePage();
    const { memory, injector, client, backend } = setup();
    const lines = (): string[] => memory.events.map((e) => `${e.level} ${e.renderMessage().replace(/[\d.]+ ms/, 'N ms')}`);
    const start = (url: string): void => void client.get(url).subscribe({ error: () => undefined });
    const noAnswer = (url: string): void => backend.expectOne(url).error(new Event('error') as unknown as ProgressEvent);
    const failed = (url: string): string => `error HTTP GET ${url} failed with 0 in N ms: Http failure response for ${url}: 0 `;
    try {
      start('/orders?page=2');
      start('/stock');
      page.target.dispatchEvent(new Event('beforeunload'));
      noAnswer('/orders?page=2');
      backend.expectOne('/stock').flush('no', { status: 503, statusText: 'Service Unavailable' });
      // An answer is logged as it comes; no answer waits for pagehide.
      assert.deepEqual(lines(), [
        'error HTTP GET /stock failed with 503 in N ms: Http failure response for /stock: 503 Service Unavailable',
      ]);
      page.hide();
      assert.deepEqual(lines().slice(1), ['information HTTP GET /orders?page=*** cancelled after N ms: the page was left']);
      // Back from the back/forward cache: a request without an answer failed.
      page.show();
      start('/a');
      noAnswer('/a');
      assert.deepEqual(lines().slice(2), [failed('/a')]);
      // A leave that never comes (a download, a beforeunload prompt cancelled): a second, then a
      // failure as it is; the next one at once.
      start('/b');
      page.target.dispatchEvent(new Event('beforeunload'));
      noAnswer('/b');
      context.mock.timers.tick(999);
      assert.deepEqual(lines().slice(3), []);
      context.mock.timers.tick(1);
      start('/c');
      noAnswer('/c');
      assert.deepEqual(lines().slice(3), [failed('/b'), failed('/c')]);
      // beforeunload is listened to only while a request is in flight: none is now.
      page.target.dispatchEvent(new Event('beforeunload'));
      start('/d');
      noAnswer('/d');
      page.hide();
      assert.deepEqual(lines().slice(5), [failed('/d')]);
    } finally {
      injector.destroy();
      page.restore();
    }
  });

  // An interceptor after rxlog's may answer with no response at all (EMPTY: a request it blocks or
  // serves elsewhere). HttpClient's caller sees its Observable complete; the log said nothing.
  void it('logs a request that a later interceptor ended without a response', async () => {
    const memory = new MemorySink();
    const injector = testInjector([
      provideZonelessChangeDetection(),
      provideHttpClient(withInterceptors([rxlogHttpInterceptor, () => EMPTY])),
      provideHttpClientTesting(),
      provideRxlog((c) => c.writeTo.sink(memory)),
    ]);
    const answer = await lastValueFrom(injector.get(HttpClient).get('/blocked?token=secret'), { defaultValue: 'none' });
    assert.equal(answer, 'none');
    assert.equal(memory.events.length, 1);
    assert.equal(memory.events[0].level, 'warning');
    assert.match(memory.events[0].renderMessage(), /^HTTP GET \/blocked\?token=\*\*\* ended without a response after [\d.]+ ms$/);
    injector.destroy();
  });

  // An interceptor after rxlog's (the app's own) may fail a request with any value. rxlog's tap
  // read it with String(value), which throws for an object without a prototype or a throwing
  // toString: the app's subscriber then got rxlog's TypeError instead of its own error.
  void it('hands the app the very value a later interceptor failed with, whatever it is, and logs the failure', async () => {
    const hostile: unknown[] = [
      Object.create(null),
      {
        toString: () => {
          throw new Error('no text');
        },
      },
      new Proxy(
        {},
        {
          get: () => {
            throw new Error('no property');
          },
        },
      ),
    ];
    const memory = new MemorySink();
    const injector = testInjector([
      provideZonelessChangeDetection(),
      provideHttpClient(
        withInterceptors([rxlogHttpInterceptor, (request) => throwError(() => hostile[Number(request.url.slice(1))])]),
      ),
      provideHttpClientTesting(),
      provideRxlog((c) => c.writeTo.sink(memory)),
    ]);
    const client = injector.get(HttpClient);
    for (let i = 0; i < hostile.length; i++) {
      const failure = await firstValueFrom(client.get(`/${i}`)).then(
        () => ['no failure'],
        (error: unknown) => [error], // in an array: awaiting the Proxy itself would read its `then`
      );
      assert.equal(failure[0], hostile[i]);
    }
    assert.deepEqual(
      memory.events.map((e) => [e.level, e.properties.Url, e.properties.StatusCode]),
      [
        ['error', '/0', 0],
        ['error', '/1', 0],
        ['error', '/2', 0],
      ],
    );
    injector.destroy();
  });

  // An interceptor before rxlog's that retries (next(request).pipe(retry(1)), a common way to retry
  // every call) subscribes again to what rxlog's returned: each attempt went out with the first
  // one's traceparent and was timed from the first one's start, so the answer was logged with the
  // time of every attempt together, and two attempts shared one span id.
  void it('times, correlates and logs each attempt of a request retried by an earlier interceptor on its own', async (context) => {
    let clock = 1_000;
    context.mock.method(performance, 'now', () => clock);
    const memory = new MemorySink();
    const injector = testInjector([
      provideZonelessChangeDetection(),
      provideHttpClient(withInterceptors([(request, next) => next(request).pipe(retry(1)), rxlogHttpInterceptor])),
      provideHttpClientTesting(),
      provideRxlog((c) => c.writeTo.sink(memory), withHttpLogging({ correlation: 'traceparent' })),
    ]);
    const backend = injector.get(HttpTestingController);
    const call = firstValueFrom(injector.get(HttpClient).get('/flaky'));
    clock += 100;
    const first = backend.expectOne('/flaky');
    first.flush('', { status: 503, statusText: 'Unavailable' });
    clock += 30;
    const second = backend.expectOne('/flaky');
    second.flush('ok');
    assert.equal(await call, 'ok');
    const headers = [first, second].map((request) => request.request.headers.get('traceparent'));
    assert.notEqual(headers[0], headers[1]);
    assert.deepEqual(
      memory.events.map((e) => [
        e.properties.StatusCode,
        e.properties.ElapsedMs,
        `00-${String(e.properties.TraceId)}-${String(e.properties.SpanId)}-01`,
      ]),
      [
        [503, 100, headers[0]],
        [200, 30, headers[1]],
      ],
    );
    injector.destroy();
  });

  // An interceptor after rxlog's that throws instead of returning an Observable failed the request
  // before rxlog's tap was in place: the app got the error, the log had no trace of the request.
  void it('logs a request whose later interceptor throws synchronously, and hands the app that very error', async () => {
    const thrown = new Error('no token');
    const memory = new MemorySink();
    const injector = testInjector([
      provideZonelessChangeDetection(),
      provideHttpClient(
        withInterceptors([
          rxlogHttpInterceptor,
          () => {
            throw thrown;
          },
        ]),
      ),
      provideHttpClientTesting(),
      provideRxlog((c) => c.writeTo.sink(memory)),
    ]);
    const failure = await firstValueFrom(injector.get(HttpClient).get('/api/me')).then(
      () => 'no failure',
      (error: unknown) => error,
    );
    assert.equal(failure, thrown);
    assert.deepEqual(
      memory.events.map((e) => [e.level, e.properties.Url, e.properties.StatusCode, e.properties.ErrorMessage]),
      [['error', '/api/me', 0, 'no token']],
    );
    injector.destroy();
  });

  // A level set from the server (configure subscribes to a request whose answer sets a LevelSwitch)
  // is a request made while the logger is being built: the interceptor's inject(RXLOG_LOGGER) was
  // a circular dependency (NG0200), and the app's request failed with it.
  void it('logs a request made while configure builds the logger, instead of failing it', async () => {
    const memory = new MemorySink();
    const level = new LevelSwitch('information');
    const failures: unknown[] = [];
    const injector = testInjector([
      provideZonelessChangeDetection(),
      provideHttpClient(withInterceptors([rxlogHttpInterceptor])),
      provideHttpClientTesting(),
      provideRxlog((c) => {
        inject(HttpClient)
          .get<{ level: 'debug' }>('/api/log-level')
          .subscribe({ next: (answer) => (level.level = answer.level), error: (error: unknown) => failures.push(error) });
        return c.minimumLevel.controlledBy(level).writeTo.sink(memory);
      }),
    ]);
    injector.get(HttpTestingController).expectOne('/api/log-level').flush({ level: 'debug' });
    assert.deepEqual(failures, []);
    assert.equal(level.level, 'debug');
    assert.deepEqual(
      memory.events.map((e) => e.renderMessage().replace(/ in [\d.]+ ms$/, '')),
      ['HTTP GET /api/log-level responded 200'],
    );
    injector.destroy();
  });

  void it("logs to an RXLOG_LOGGER provided without provideRxlog, or over provideRxlog's (a test's)", async () => {
    for (const withProvideRxlog of [false, true]) {
      const memory = new MemorySink();
      const logger = new LoggerConfiguration().writeTo.sink(memory).createLogger();
      const injector = testInjector([
        provideZonelessChangeDetection(),
        provideHttpClient(withInterceptors([rxlogHttpInterceptor])),
        provideHttpClientTesting(),
        ...(withProvideRxlog ? [provideRxlog((c) => c)] : []),
        { provide: RXLOG_LOGGER, useValue: logger },
      ]);
      const call = firstValueFrom(injector.get(HttpClient).get('/plain'));
      injector.get(HttpTestingController).expectOne('/plain').flush('ok');
      await call;
      assert.equal(memory.events.length, 1, `with provideRxlog: ${withProvideRxlog}`);
      injector.destroy();
    }
  });

  // Hydrating a server-rendered page, HttpClient answers the requests the server made from the
  // transfer cache (provideClientHydration's withHttpTransferCache, an interceptor that runs after
  // the app's), and no request leaves the browser. rxlog logged each as "responded 200 in 0.1 ms"
  // at information, with a traceparent sent nowhere: the server had logged the real request, so
  // every request of the first page reached the log server twice, once with a latency of ~0.
  // withHttpTransferCache is Angular's private export that provideClientHydration uses (the rest
  // of hydration needs a browser's DOM); the cache, its keys and its interceptor are Angular's own.
  void it('logs a response the SSR transfer cache answers, with no request, at debug as such, not as a request', async () => {
    const scope = globalThis as { ngServerMode?: boolean };
    const { memory, injector, client, backend } = setup({ correlation: 'traceparent' }, [withHttpTransferCache({})], 'debug');
    try {
      // The server's render: the request goes out, and its answer is put in the transfer state.
      scope.ngServerMode = true;
      const onServer = firstValueFrom(client.get('/api/orders'));
      backend.expectOne('/api/orders').flush([{ id: 7 }]);
      await onServer;
      // The browser's hydration: the same request is answered from that state.
      scope.ngServerMode = false;
      assert.deepEqual(await firstValueFrom(client.get('/api/orders')), [{ id: 7 }]);
      backend.verify(); // no request left the browser
    } finally {
      delete scope.ngServerMode;
    }
    assert.deepEqual(
      memory.events.map((e) => [e.level, e.renderMessage().replace(/ in [\d.]+ ms$/, ''), 'TraceId' in e.properties]),
      [
        ['information', 'HTTP GET /api/orders responded 200', true],
        ['debug', 'HTTP GET /api/orders answered 200 without a network request', false],
      ],
    );
    injector.destroy();
  });

  void it('passes requests through without provideRxlog', async () => {
    const injector = testInjector([
      provideZonelessChangeDetection(),
      provideHttpClient(withInterceptors([rxlogHttpInterceptor])),
      provideHttpClientTesting(),
    ]);
    const call = firstValueFrom(injector.get(HttpClient).get('/plain'));
    injector.get(HttpTestingController).expectOne('/plain').flush('ok');
    assert.equal(await call, 'ok');
    injector.destroy();
  });

  void it('leaves alone the requests a sink makes with HttpClient, so logging never feeds itself', async () => {
    const memory = new MemorySink();
    // A sink that posts each batch with the app's own HttpClient: synchronously (on the logging call's
    // turn) and batched (emitted later, by flush or the batch timer).
    const postWith = (client: HttpClient, url: string) => ({
      emit(events: readonly LogEvent[]): void {
        client
          .post(
            url,
            events.map((e) => e.renderMessage()),
          )
          .subscribe({ error: () => undefined });
      },
    });
    const injector = testInjector([
      provideZonelessChangeDetection(),
      provideHttpClient(withInterceptors([rxlogHttpInterceptor])),
      provideHttpClientTesting(),
      provideRxlog((c) => {
        const client = inject(HttpClient);
        return c.writeTo
          .sink(memory)
          .writeTo.sink(postWith(client, '/logs/sync'))
          .writeTo.sink(postWith(client, '/logs/batched'), { batch: { size: 100, maxDelayMs: 60_000 } });
      }),
    ]);
    const client = injector.get(HttpClient);
    const backend = injector.get(HttpTestingController);
    const call = firstValueFrom(client.get('/api/orders'));
    backend.expectOne('/api/orders').flush([]);
    await call;
    await injector.get(RXLOG_LOGGER).flush();
    for (let round = 0; round < 3; round++) {
      for (const request of backend.match((r) => r.url.startsWith('/logs/'))) request.flush('');
      await injector.get(RXLOG_LOGGER).flush();
    }
    assert.deepEqual(
      memory.events.map((e) => e.renderMessage().split(' responded')[0]),
      ['HTTP GET /api/orders'],
    );
    assert.equal(backend.match((r) => r.url.startsWith('/logs/')).length, 0);
    injector.destroy();
  });

  // A child injector whose HttpClient hands its requests to the parent's
  // (provideHttpClient(withInterceptors([rxlogHttpInterceptor]), withRequestsMadeViaParent())) runs
  // the child's interceptors, then the parent's: both chains had rxlog's, and every request was
  // logged twice, once with the child's options and once with the parent's.
  void it('logs a request made via the parent once, by the first chain to see it, with its options', async () => {
    const { memory, injector, backend } = setup();
    const lazyMemory = new MemorySink();
    const plain = createEnvironmentInjector(
      [provideHttpClient(withInterceptors([rxlogHttpInterceptor]), withRequestsMadeViaParent())],
      injector,
    );
    // A lazy route with a logger and options of its own.
    const lazy = createEnvironmentInjector(
      [
        provideHttpClient(withInterceptors([rxlogHttpInterceptor]), withRequestsMadeViaParent()),
        provideRxlog(
          (c) => c.writeTo.sink(lazyMemory),
          withHttpLogging({ sourceContext: 'Lazy', correlation: 'request-id', excludeUrls: ['/poll'] }),
        ),
      ],
      injector,
    );
    const calls = [
      firstValueFrom(plain.get(HttpClient).get('/api/plain')),
      firstValueFrom(lazy.get(HttpClient).get('/api/lazy')),
      firstValueFrom(lazy.get(HttpClient).get('/poll')),
    ];
    backend.expectOne('/api/plain').flush('ok');
    const request = backend.expectOne('/api/lazy');
    request.flush('ok');
    backend.expectOne('/poll').flush('ok');
    await Promise.all(calls);
    assert.deepEqual(
      memory.events.map((e) => [e.properties.Url, e.properties.SourceContext]),
      [['/api/plain', 'HttpClient']],
    );
    assert.deepEqual(
      lazyMemory.events.map((e) => [e.properties.Url, e.properties.SourceContext, e.properties.RequestId]),
      [['/api/lazy', 'Lazy', request.request.headers.get('X-Request-Id')]],
    );
    for (const child of [plain, lazy]) child.destroy();
    injector.destroy();
  });

  // HttpClient runs its interceptors in the injector that provides it: a route that provided only
  // RXLOG_HTTP_LOGGING_OPTIONS, as docs/angular.md told it to, had its requests go through the
  // root's HttpClient, whose interceptor read the root's options; its own HttpClient, made via the
  // parent, reads the route's options and logs to the app's logger.
  void it("applies a route's RXLOG_HTTP_LOGGING_OPTIONS to the requests of the route's own HttpClient only", async () => {
    const { memory, injector, backend } = setup();
    const options = { provide: RXLOG_HTTP_LOGGING_OPTIONS, useValue: { sourceContext: 'Orders' } };
    const alone = createEnvironmentInjector([options], injector);
    const withClient = createEnvironmentInjector(
      [provideHttpClient(withInterceptors([rxlogHttpInterceptor]), withRequestsMadeViaParent()), options],
      injector,
    );
    const calls = [
      firstValueFrom(alone.get(HttpClient).get('/api/alone')),
      firstValueFrom(withClient.get(HttpClient).get('/api/own-client')),
    ];
    backend.expectOne('/api/alone').flush('ok');
    backend.expectOne('/api/own-client').flush('ok');
    await Promise.all(calls);
    assert.deepEqual(
      memory.events.map((e) => [e.properties.Url, e.properties.SourceContext]),
      [
        ['/api/alone', 'HttpClient'],
        ['/api/own-client', 'Orders'],
      ],
    );
    for (const child of [alone, withClient]) child.destroy();
    injector.destroy();
  });

  // RXLOG_HTTP_LOGGING_OPTIONS is exported, and a route may provide it without withHttpLogging's
  // checks: `excludeUrls: null` threw a TypeError out of the interceptor, failing every request of
  // the app, and a misspelt option silently meant its default.
  void it('checks options provided without withHttpLogging: a bad one is reported and the defaults apply', async () => {
    const diagnostics: string[] = [];
    const subscription = SelfLog.events$.subscribe((event) => diagnostics.push(event.message));
    try {
      for (const given of [{ excludeUrls: null }, { excludeUrl: ['/api'] }, 'nope']) {
        const memory = new MemorySink();
        const injector = testInjector([
          provideZonelessChangeDetection(),
          provideHttpClient(withInterceptors([rxlogHttpInterceptor])),
          provideHttpClientTesting(),
          provideRxlog((c) => c.writeTo.sink(memory)),
          { provide: RXLOG_HTTP_LOGGING_OPTIONS, useValue: given },
        ]);
        for (let i = 0; i < 2; i++) {
          const call = firstValueFrom(injector.get(HttpClient).get('/api/orders'));
          injector.get(HttpTestingController).expectOne('/api/orders').flush('ok');
          assert.equal(await call, 'ok');
        }
        assert.deepEqual(
          memory.events.map((e) => [e.properties.Url, e.properties.SourceContext]),
          [
            ['/api/orders', 'HttpClient'],
            ['/api/orders', 'HttpClient'],
          ],
        );
        injector.destroy();
      }
    } finally {
      subscription.unsubscribe();
    }
    const reports = diagnostics.filter((message) => message.includes('RXLOG_HTTP_LOGGING_OPTIONS'));
    assert.equal(reports.length, 3, diagnostics.join('\n'));
    assert.match(reports[0], /excludeUrls: expected an array of URL prefixes, got null/);
    assert.match(reports[1], /unknown option "excludeUrl"/);
    assert.match(reports[2], /expected an options object, got "nope"/);
  });

  // The mark stays on the request an interceptor after rxlog's hands on: one that keeps it to send
  // it again later (an offline queue replaying what failed) made a request no chain logged.
  void it('logs a request object sent again after its first sending settled', async () => {
    const memory = new MemorySink();
    const kept: HttpRequest<unknown>[] = [];
    const injector = testInjector([
      provideZonelessChangeDetection(),
      provideHttpClient(
        withInterceptors([
          rxlogHttpInterceptor,
          (request, next) => {
            kept.push(request);
            return next(request);
          },
        ]),
      ),
      provideHttpClientTesting(),
      provideRxlog((c) => c.writeTo.sink(memory)),
    ]);
    const client = injector.get(HttpClient);
    const backend = injector.get(HttpTestingController);
    const first = firstValueFrom(client.post('/api/orders', { id: 1 })).catch(() => undefined);
    backend.expectOne('/api/orders').error(new Event('error') as unknown as ProgressEvent);
    await first;
    const replay = lastValueFrom(client.request(kept[0]));
    backend.expectOne('/api/orders').flush('ok');
    await replay;
    assert.deepEqual(
      memory.events.map((e) => [e.properties.Url, e.properties.StatusCode]),
      [
        ['/api/orders', 0],
        ['/api/orders', 200],
      ],
    );
    injector.destroy();
  });

  // The request is marked as seen on a copy of its HttpContext: an app that gives one HttpContext
  // to several requests (a constant with its own tokens) still has each of them logged.
  void it("marks a request without changing the app's HttpContext, which later requests share", async () => {
    const { memory, injector, client, backend } = setup();
    const APP_TOKEN = new HttpContextToken<string>(() => 'default');
    const context = new HttpContext().set(APP_TOKEN, 'mine');
    const seen: string[] = [];
    const child = createEnvironmentInjector(
      [
        provideHttpClient(
          withInterceptors([
            rxlogHttpInterceptor,
            (request, next) => {
              seen.push(request.context.get(APP_TOKEN));
              return next(request);
            },
          ]),
          withRequestsMadeViaParent(),
        ),
      ],
      injector,
    );
    const keys = [...context.keys()];
    for (const http of [child.get(HttpClient), client, child.get(HttpClient)]) {
      const call = firstValueFrom(http.get('/api/shared', { context }));
      backend.expectOne('/api/shared').flush('ok');
      await call;
    }
    assert.deepEqual([...context.keys()], keys);
    assert.deepEqual(seen, ['mine', 'mine']);
    assert.equal(memory.events.length, 3);
    child.destroy();
    injector.destroy();
  });

  // Angular's JSONP backend refuses a request with any header (NG02812, "JSONP requests do not
  // support headers"): with correlation on, a same-origin JSONP request got its correlation
  // header and failed before it was made.
  void it('adds no correlation header to a JSONP request, which cannot carry one, and logs it', async () => {
    const scripts: { src: string; listeners: Map<string, () => void> }[] = [];
    const document = {
      createElement: () => {
        const listeners = new Map<string, () => void>();
        const node = {
          src: '',
          listeners,
          setAttribute: () => undefined,
          addEventListener: (type: string, listener: () => void) => listeners.set(type, listener),
          removeEventListener: (type: string) => listeners.delete(type),
          remove: () => undefined,
        };
        return node;
      },
      body: { appendChild: (node: (typeof scripts)[number]) => scripts.push(node), querySelector: () => null },
      implementation: { createHTMLDocument: () => ({ adoptNode: () => undefined }) },
    };
    for (const correlation of ['traceparent', 'request-id'] as const) {
      scripts.length = 0;
      const memory = new MemorySink();
      const injector = testInjector([
        provideZonelessChangeDetection(),
        provideHttpClient(withInterceptors([rxlogHttpInterceptor]), withJsonpSupport()),
        provideHttpClientTesting(),
        { provide: DOCUMENT, useValue: document },
        provideRxlog((c) => c.writeTo.sink(memory), withHttpLogging({ correlation })),
      ]);
      const call = firstValueFrom(injector.get(HttpClient).jsonp('http://localhost/api/jsonp?key=secret', 'callback')).catch(
        (error: unknown) => error,
      );
      assert.equal(scripts.length, 1, correlation);
      assert.match(scripts[0].src, /^http:\/\/localhost\/api\/jsonp\?key=secret&callback=ng_jsonp_callback_\d+$/);
      scripts[0].listeners.get('error')?.();
      await call;
      assert.deepEqual(
        memory.events.map((e) => [
          e.properties.Method,
          e.properties.Url,
          e.properties.StatusCode,
          e.properties.TraceId,
          e.properties.RequestId,
        ]),
        [['JSONP', 'http://localhost/api/jsonp?key=***&callback=***', 0, undefined, undefined]],
      );
      assert.doesNotMatch(memory.events[0].renderMessage(), /secret|ng_jsonp_callback/);
      injector.destroy();
    }
  });
});
