import { existsSync } from 'node:fs';
import { LoggerConfiguration } from '../../../lib/configuration/logger-configuration';
import { HttpSink } from '../../../lib/sinks/http/http-sink';
import { OtlpSink } from '../../../lib/sinks/http/otlp-sink';
import type { Logger } from '../../../lib/pipeline/logger';
import { MemorySink } from '../../../lib/sinks/memory-sink';
import { installPageHideFlush } from '../../../lib/sinks/http/http-page-hide';
import { SelfLog } from '../../../lib/core/self-log';
import { makeEvents } from '../../helpers/events';
import { installFakePage } from '../../helpers/fake-page';
import { startTestServer } from '../../helpers/http-test-server';
import type { BrowserContext, Page } from 'playwright-core';
import { CHROMIUM, freshChromium } from '../../helpers/chromium';
import { bundleRxlogForBrowser, startPageServer } from '../../helpers/browser-bundle';

/** Runs `test` in a fresh Chromium against `server`, and closes both, whatever the test does. */
async function inChromium(server: { close(): Promise<void> }, test: (browser: BrowserContext) => Promise<void>): Promise<void> {
  const { browser, close } = await freshChromium();
  try {
    await test(browser);
  } finally {
    await close();
    await server.close();
  }
}

/**
 * An HttpSink that keeps each request's body in `bodies`: its first `cancelled` requests fail
 * without an answer, as the browser's cancelled ones do, the rest are answered 204.
 */
function cancellingSink(bodies: string[], cancelled: number): HttpSink {
  return new HttpSink({
    url: 'http://127.0.0.1:1/ingest',
    fetch: (_url, init) => {
      bodies.push(init?.body as string);
      return bodies.length <= cancelled
        ? Promise.reject(new TypeError('Failed to fetch'))
        : Promise.resolve(new Response(null, { status: 204 }));
    },
  });
}

describe('installPageHideFlush', () => {
  let page: ReturnType<typeof installFakePage>;

  /** A logger whose HTTP sink never answers a fetch, flushed by installPageHideFlush on the stand-in page; `sent()`: each beacon's `N`s so far. */
  function beaconedLogger(): { log: Logger; uninstall: () => void; sent: () => Promise<number[][]> } {
    const sink = new HttpSink({ url: 'http://127.0.0.1:1/ingest', fetch: () => new Promise(() => undefined) });
    const log = new LoggerConfiguration().writeTo.sink(sink, { batch: { size: 100, maxDelayMs: 600_000 } }).createLogger();
    const uninstall = installPageHideFlush(log, page.target);
    const sent = async (): Promise<number[][]> => {
      await Promise.resolve();
      await page.settled();
      return page.beacons.map((b) => b.body.split('\n').map((line) => (JSON.parse(line) as { N: number }).N));
    };
    return { log, uninstall, sent };
  }

  beforeEach(() => {
    page = installFakePage();
  });

  afterEach(() => page.restore());

  it('calls flushSync on pagehide and when the page becomes hidden, until uninstalled', () => {
    const log = { flushSync: jest.fn() };
    const uninstall = installPageHideFlush(log, page.target);
    page.hide();
    page.setVisibility('visible');
    expect(log.flushSync).toHaveBeenCalledTimes(1);
    page.setVisibility('hidden');
    expect(log.flushSync).toHaveBeenCalledTimes(2);
    uninstall();
    page.hide();
    expect(log.flushSync).toHaveBeenCalledTimes(2);
  });

  it('does nothing where there are no page events', () => {
    const log = { flushSync: jest.fn() };
    expect(() => installPageHideFlush(log, {} as never)()).not.toThrow();
  });

  it('never throws into the page when the flush fails', () => {
    const uninstall = installPageHideFlush(
      {
        flushSync: () => {
          throw new Error('boom');
        },
      },
      page.target,
    );
    expect(() => page.hide()).not.toThrow();
    uninstall();
  });

  it('gets every queued event of a logger out by beacon on pagehide', async () => {
    const fetched: unknown[] = [];
    const sink = new HttpSink({
      url: 'http://127.0.0.1:1/ingest',
      fetch: (...args: unknown[]) => (fetched.push(args), new Promise(() => undefined)),
    });
    const log = new LoggerConfiguration().writeTo.sink(sink, { batch: { size: 100, maxDelayMs: 60_000 } }).createLogger();
    const uninstall = installPageHideFlush(log, page.target);
    for (let n = 0; n < 5; n++) log.information('Item {N}', n);
    expect(page.calls).toBe(0);

    page.hide();
    await page.settled();
    expect(fetched).toHaveLength(0);
    expect(page.beacons).toHaveLength(1);
    expect(page.beacons[0].body.split('\n').map((line) => (JSON.parse(line) as { N: number }).N)).toEqual([0, 1, 2, 3, 4]);
    expect(log.metrics().sinks.http).toMatchObject({ received: 5, delivered: 5, queueDepth: 0 });
    uninstall();
    await log.close({ strategy: 'immediate', timeoutMs: 0 });
  });

  // Beacons were cut at 60 KiB whatever maxRequestBytes said: a server that takes at most 4 KB got
  // one 27 KB beacon at page hide, which it refused unseen while the events counted delivered.
  it('cuts page-hide beacons at a maxRequestBytes below 60 KiB, an event larger than it sent alone as by fetch', async () => {
    const sink = new HttpSink({
      url: 'http://127.0.0.1:1/ingest',
      maxRequestBytes: 4_000,
      fetch: () => new Promise(() => undefined),
    });
    const log = new LoggerConfiguration().writeTo.sink(sink, { batch: { size: 100, maxDelayMs: 600_000 } }).createLogger();
    const uninstall = installPageHideFlush(log, page.target);
    for (let n = 0; n < 30; n++) log.information('Item {N} {Pad}', n, 'x'.repeat(n === 12 ? 9_000 : 800));
    page.hide();
    await page.settled();
    const sent = page.beacons.map((b) => b.body.split('\n').map((line) => (JSON.parse(line) as { N: number }).N));
    expect(sent.flat()).toEqual(Array.from({ length: 30 }, (_, n) => n));
    expect(sent).toContainEqual([12]);
    for (const beacon of page.beacons)
      if (!beacon.body.includes('"N":12,')) expect(Buffer.byteLength(beacon.body)).toBeLessThanOrEqual(4_000);
    expect(log.metrics().sinks.http).toMatchObject({ received: 30, delivered: 30, queueDepth: 0 });
    uninstall();
    await log.close({ strategy: 'immediate', timeoutMs: 0 });
  });

  it('sends no beacon of an OtlpSink event over maxRequestBytes, which OTLP fails unsent: it stays pending', async () => {
    const sink = new OtlpSink({
      endpoint: 'http://127.0.0.1:1/v1/logs',
      maxRequestBytes: 4_000,
      fetch: () => new Promise(() => undefined),
    });
    const log = new LoggerConfiguration().writeTo.sink(sink, { batch: { size: 100, maxDelayMs: 600_000 } }).createLogger();
    const uninstall = installPageHideFlush(log, page.target);
    log.information('Item {N} {Pad}', 0, 'x'.repeat(100));
    log.information('Item {N} {Pad}', 1, 'x'.repeat(9_000));
    page.hide();
    await page.settled();
    expect(page.beacons).toHaveLength(1);
    expect(page.beacons[0].body).toContain('"Item 0 ');
    expect(page.beacons.every((b) => Buffer.byteLength(b.body) <= 4_000)).toBe(true);
    expect(log.metrics().sinks.otlp).toMatchObject({ received: 2, delivered: 1 });
    uninstall();
    await log.close({ strategy: 'immediate', timeoutMs: 0 });
  });

  it('sends a batch that has not aged by beacon when the page becomes hidden, and nothing after uninstall', async () => {
    const sink = new HttpSink({ url: 'http://127.0.0.1:1/ingest', fetch: () => new Promise(() => undefined) });
    const log = new LoggerConfiguration().writeTo.sink(sink, { batch: { size: 100, maxDelayMs: 600_000 } }).createLogger();
    const uninstall = installPageHideFlush(log, page.target);
    log.information('Item {N}', 0);
    log.information('Item {N}', 1);
    page.setVisibility('hidden');
    await page.settled();
    expect(page.beacons.map((b) => b.body.split('\n').length)).toEqual([2]);
    page.setVisibility('visible');
    uninstall();
    log.information('Item {N}', 2);
    page.setVisibility('hidden');
    expect(page.calls).toBe(1);
    await log.close({ strategy: 'immediate', timeoutMs: 0 });
  });

  // Chromium cancels a page's requests as it navigates away, before pagehide: the logger then holds
  // the batch for a retry that never comes (see the Chromium tests below).
  it('hands a batch whose request the browser cancelled to beacons at page hide; a page that lives on sends only the rest (fake timers)', async () => {
    jest.useFakeTimers();
    const bodies: string[] = [];
    const sink = cancellingSink(bodies, 1);
    const log = new LoggerConfiguration().writeTo
      .sink(sink, {
        batch: { size: 10, maxDelayMs: 60_000 },
        retry: { attempts: 2, initialDelayMs: 1_000, maxDelayMs: 1_000, jitter: 0 },
      })
      .createLogger();
    const uninstall = installPageHideFlush(log, page.target);
    try {
      // Ten events of 10 KB: one beacon carries 6 of them, and the quota refuses a second.
      page.accept = (index) => index === 0;
      for (let n = 0; n < 10; n++) log.information('Item {N} {Pad}', n, 'x'.repeat(10_000));
      await jest.advanceTimersByTimeAsync(0);
      expect(bodies).toHaveLength(1);
      expect(log.metrics().sinks.http).toMatchObject({ delivered: 0, pending: 10 });

      page.hide();
      await page.settled();
      const numbers = (body: string): number[] => body.split('\n').map((line) => (JSON.parse(line) as { N: number }).N);
      expect(page.beacons.map((b) => numbers(b.body))).toEqual([[0, 1, 2, 3, 4, 5]]);

      // Back from the back/forward cache: the retry sends the four the quota refused, not the six again.
      page.show();
      await jest.advanceTimersByTimeAsync(1_000);
      expect(bodies.slice(1).map(numbers)).toEqual([[6, 7, 8, 9]]);
      expect(log.metrics().sinks.http).toMatchObject({ delivered: 10, failed: 0, pending: 0 });
    } finally {
      uninstall();
      await log.close({ strategy: 'immediate', timeoutMs: 0 });
      jest.useRealTimers();
    }
  });

  // Found by review: the sink kept one such batch. Shared by a second logger (through the wrapper of
  // docs/sinks.md, "One logger owns its sinks"), the second logger's batch was forgotten when the
  // first's request failed too, or when the first sent any batch, and went with the page.
  it('hands over at page hide the cancelled batches of two loggers sharing the sink, each once (fake timers)', async () => {
    jest.useFakeTimers();
    const bodies: string[] = [];
    // Cancelled: both tries of each batch (with keepalive, then without).
    const sink = cancellingSink(bodies, 4);
    const options = {
      batch: { size: 2, maxDelayMs: 60_000 },
      retry: { attempts: 2, initialDelayMs: 1_000, maxDelayMs: 1_000, jitter: 0 },
    };
    const log = new LoggerConfiguration().writeTo.sink(sink, options).createLogger();
    const other = new LoggerConfiguration().writeTo.sink({ emit: (events) => sink.emit(events) }, options).createLogger();
    const uninstall = installPageHideFlush(log, page.target);
    try {
      other.information('Item {N}', 10);
      other.information('Item {N}', 11);
      await jest.advanceTimersByTimeAsync(0);
      log.information('Item {N}', 0);
      log.information('Item {N}', 1);
      await jest.advanceTimersByTimeAsync(0);
      expect(bodies).toHaveLength(4);

      page.hide();
      await page.settled();
      const numbers = (body: string): number[] => body.split('\n').map((line) => (JSON.parse(line) as { N: number }).N);
      expect(page.beacons.map((b) => numbers(b.body))).toEqual([
        [10, 11],
        [0, 1],
      ]);

      // Back from the back/forward cache: the retries send nothing the beacons carried.
      page.show();
      await jest.advanceTimersByTimeAsync(1_000);
      expect(bodies).toHaveLength(4);
      expect(log.metrics().sinks.http).toMatchObject({ delivered: 2, failed: 0, pending: 0 });
      expect(other.metrics().sinks.sink).toMatchObject({ delivered: 2, failed: 0, pending: 0 });
    } finally {
      uninstall();
      await log.close({ strategy: 'immediate', timeoutMs: 0 });
      await other.close({ strategy: 'immediate', timeoutMs: 0 });
      jest.useRealTimers();
    }
  });

  // A listener of the app's, added after installPageHideFlush's, logs after the flush: that event
  // waited in the open batch and went with the page (see the Chromium test below).
  it('sends by beacon what a later listener logs while the page goes away, and only while it does', async () => {
    jest.useFakeTimers({ doNotFake: ['queueMicrotask', 'nextTick'] });
    try {
      const { log, uninstall, sent } = beaconedLogger();
      page.target.addEventListener('pagehide', () => log.information('Item {N}', 1));
      page.target.addEventListener('visibilitychange', () => log.information('Item {N}', 3));
      log.information('Item {N}', 0);
      page.hide();
      expect(await sent()).toEqual([[0], [1]]);
      page.show();
      log.information('Item {N}', 2);
      expect(await sent()).toEqual([[0], [1]]);
      page.setVisibility('hidden');
      expect(await sent()).toEqual([[0], [1], [2], [3]]);
      // The page's next task: a hidden page that lives on batches again.
      jest.advanceTimersByTime(0);
      log.information('Item {N}', 4);
      expect(await sent()).toEqual([[0], [1], [2], [3]]);
      expect(log.metrics().sinks.http).toMatchObject({ received: 5, delivered: 4, pending: 1 });
      uninstall();
      await log.close({ strategy: 'immediate', timeoutMs: 0 });
    } finally {
      jest.useRealTimers();
    }
  });

  // The Page Lifecycle API's freeze (a background tab after some minutes) may be followed by a
  // discard with no further event. What a hidden page logged in a later task sat in the open batch
  // and went with the page. `freeze` and `resume` are fired at the document without bubbling: the
  // stand-in window gets them at its capture phase as a real one does.
  it('sends by beacon on freeze what a hidden page logged since, and batches again from resume', async () => {
    jest.useFakeTimers({ doNotFake: ['queueMicrotask', 'nextTick'] });
    try {
      const { log, uninstall, sent } = beaconedLogger();
      page.target.addEventListener('freeze', () => log.information('Item {N}', 3));
      page.target.addEventListener('resume', () => log.information('Item {N}', 4));
      log.information('Item {N}', 0);
      page.setVisibility('hidden');
      expect(await sent()).toEqual([[0]]);
      // A later task of the hidden page: its events wait for the batch.
      jest.advanceTimersByTime(0);
      log.information('Item {N}', 1);
      log.information('Item {N}', 2);
      expect(await sent()).toEqual([[0]]);
      page.target.dispatchEvent(new Event('freeze'));
      expect(await sent()).toEqual([[0], [1, 2], [3]]);
      // A frozen page runs no task until it resumes: no timer has run since the freeze.
      page.target.dispatchEvent(new Event('resume'));
      expect(await sent()).toEqual([[0], [1, 2], [3]]);
      expect(log.metrics().sinks.http).toMatchObject({ received: 5, delivered: 4, pending: 1 });
      uninstall();
      page.target.dispatchEvent(new Event('freeze'));
      expect(await sent()).toEqual([[0], [1, 2], [3]]);
      await log.close({ strategy: 'immediate', timeoutMs: 0 });
    } finally {
      jest.useRealTimers();
    }
  });

  // Each flush the browser refuses writes to SelfLog; an app that logs its SelfLog lines on a later
  // microtask made each line flush again: on microtasks alone, the page never finished hiding.
  it('stops flushing what is logged while the page hides after a bounded number of flushes', async () => {
    page.accept = () => false;
    const sink = new HttpSink({ url: 'http://127.0.0.1:1/ingest', fetch: () => new Promise(() => undefined) });
    const log = new LoggerConfiguration().writeTo.sink(sink, { batch: { size: 100, maxDelayMs: 600_000 } }).createLogger();
    const lines: string[] = [];
    // Bounded here too, so that a failing test ends.
    SelfLog.enable((line) => {
      lines.push(line);
      if (lines.length < 5_000) queueMicrotask(() => log.warning('SelfLog: {Line}', line));
    });
    try {
      const uninstall = installPageHideFlush(log, page.target);
      page.target.addEventListener('pagehide', () => log.information('Item {N}', 1));
      page.hide();
      for (let turn = 0; turn < 5_000; turn++) await Promise.resolve();
      expect(lines.length).toBeLessThan(1_000);
      expect(lines.some((line) => line.includes('64 flushes while the page hides'))).toBe(true);
      uninstall();
    } finally {
      SelfLog.disable();
    }
    await log.close({ strategy: 'immediate', timeoutMs: 0 });
  });

  it('flushes by beacon even when its listener runs before the sink has seen pagehide', () => {
    let written: ReturnType<NonNullable<HttpSink['emitSync']>> | undefined;
    const uninstall = installPageHideFlush({ flushSync: () => (written = sink.emitSync?.(makeEvents(1))) }, page.target);
    // Created after the listener is installed; the listener only reads it once the page hides.
    const sink = new HttpSink({ url: 'http://127.0.0.1:1/', fetch: () => new Promise(() => undefined) });
    page.hide();
    expect(written).toBe(true);
    expect(page.calls).toBe(1);
    uninstall();
    sink.close();
  });
});

const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`installPageHideFlush in Chromium: skipped, ${CHROMIUM} is missing`);

/** Rejects when `promise` has not settled within `ms`, so a missing request fails the test and the browser still closes. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not arrive within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, limit]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A page whose logger sends to `/ingest` (batches of 100, `maxDelayMs` as given) with
 * installPageHideFlush, and whose visibility is emulated, as headless Chromium never hides a page:
 * `hideTab()` makes `visibilityState` read 'hidden' and fires `visibilitychange`. Then `script` runs.
 */
const hiddenTabPage = (maxDelayMs: number, script: string): string => `<!doctype html><script src="/rxlog.js"></script><script>
  window.log = new rxlog.LoggerConfiguration()
    .writeTo.sink(new rxlog.HttpSink({ url: '/ingest' }), { batch: { size: 100, maxDelayMs: ${maxDelayMs} } })
    .createLogger();
  rxlog.installPageHideFlush(log);
  let state = 'visible';
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => state });
  window.hideTab = () => { state = 'hidden'; document.dispatchEvent(new Event('visibilitychange', { bubbles: true })); };
  ${script}
  window.ready = true;
</script>`;

const PAGE = `<!doctype html><script src="/rxlog.js"></script><script>
  const log = new rxlog.LoggerConfiguration()
    .writeTo.sink(new rxlog.HttpSink({ url: '/ingest' }), { batch: { size: 100, maxDelayMs: 600000 } })
    .createLogger();
  rxlog.installPageHideFlush(log);
  for (let n = 0; n < 3; n++) log.information('Browser event {N}', n);
  window.logged = true;
</script>`;

describe('installPageHideFlush in Chromium', () => {
  (hasChromium ? it : it.skip)(
    'sends the queued events by beacon when the page is left',
    async () => {
      const server = await startPageServer(PAGE, (request) => {
        return {
          status: request.method === 'POST' ? 204 : 200,
          headers: { 'Content-Type': 'text/html' },
          body: request.method === 'POST' ? '' : '<!doctype html>bye',
        };
      });
      await inChromium(server, async (browser) => {
        const page = browser.pages()[0] ?? (await browser.newPage());
        await page.goto(`${server.url}/`);
        await page.waitForFunction(() => (window as unknown as { logged?: boolean }).logged === true);
        expect(server.requests.filter((r) => r.url === '/ingest')).toHaveLength(0);

        await page.goto(`${server.url}/elsewhere`);
        await within(
          server.received(1, (r) => r.url === '/ingest'),
          20_000,
          'the beacon',
        );
        const beacons = server.requests.filter((r) => r.url === '/ingest');
        expect(beacons).toHaveLength(1);
        expect(beacons[0].method).toBe('POST');
        expect(beacons[0].headers['content-type']).toBe('application/vnd.serilog.clef');
        expect(
          beacons[0].body
            .split('\n')
            .map((line) => JSON.parse(line) as { N: number })
            .map((e) => e.N),
        ).toEqual([0, 1, 2]);
      });
    },
    60_000,
  );

  // docs/browser.md: a beacon has no answer the page can read. The server refuses the beacon (a body
  // over its limit, its rate limit, an outage): the sink counts its events delivered, as sendBeacon
  // took them, and never sends them again; a batch sent later by fetch goes on as usual.
  (hasChromium ? it.each : it.skip.each)([413, 429, 503])(
    'counts a beacon the server answers %s as delivered and sends it no more, as its answer cannot be read',
    async (status) => {
      const html = hiddenTabPage(600_000, "for (let n = 0; n < 3; n++) log.information('Browser event {N}', n);");
      const server = await startPageServer(html, (request) => ({
        status: request.url !== '/ingest' ? 200 : request.body.includes('"N":0') ? status : 204,
        headers: { 'Content-Type': 'text/html', 'Retry-After': '1' },
        body: request.url === '/ingest' ? '' : '<!doctype html>bye',
      }));
      await inChromium(server, async (browser) => {
        const page = browser.pages()[0] ?? (await browser.newPage());
        await page.goto(`${server.url}/`);
        await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
        type Metrics = { delivered: number; failed: number; retried: number; pending: number };
        type Win = {
          log: { information(t: string, n: number): void; flush(): Promise<unknown>; metrics(): { sinks: { http: Metrics } } };
        };
        // Hidden and back from the back/forward cache in one task; the page stays, its real sendBeacon.
        const atHide = await page.evaluate(() => {
          window.dispatchEvent(new Event('pagehide'));
          window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true }));
          return (window as unknown as Win).log.metrics().sinks.http;
        });
        expect(atHide).toMatchObject({ delivered: 3, failed: 0, pending: 0 });
        await within(
          server.received(1, (r) => r.url === '/ingest'),
          20_000,
          'the beacon',
        );
        // Then a batch by fetch: the logger holds no retry of the beacon (flush would wait for it).
        const after = await page.evaluate(async () => {
          const w = window as unknown as Win;
          w.log.information('Browser event {N}', 3);
          await w.log.flush();
          return w.log.metrics().sinks.http;
        });
        expect(after).toMatchObject({ delivered: 4, failed: 0, retried: 0, pending: 0 });
        expect(server.requests.filter((r) => r.url === '/ingest').map((r) => r.body.split('\n').length)).toEqual([3, 1]);
      });
    },
    60_000,
  );

  // An app's own pagehide listener, added after installPageHideFlush's, logs after the flush ran
  // ('Page left', analytics). A page in front also gets visibilitychange at unload, which flushed
  // that event by luck; a tab already hidden (in the background, or minimised) gets none, and the
  // event stayed in the open batch and went with the page, counted nowhere. Headless Chromium
  // never hides a page by itself, so the page emulates only its visibility: visibilityState reads
  // 'hidden', and the visibilitychange Chromium fires at unload (which a hidden tab does not get)
  // is stopped. The pagehide, the unload, sendBeacon and the server are real.
  (hasChromium ? it : it.skip)(
    'sends by beacon what the app logs in its own pagehide listener, after the flush, when the tab was hidden already',
    async () => {
      const html = hiddenTabPage(
        600_000,
        `window.addEventListener('pagehide', (e) => log.information('Page left {N}', 99));
        window.addEventListener('visibilitychange', (e) => { if (e.isTrusted) e.stopImmediatePropagation(); }, true);
        for (let n = 0; n < 3; n++) log.information('Browser event {N}', n);`,
      );
      const server = await startPageServer(html);
      await inChromium(server, async (browser) => {
        const page = browser.pages()[0] ?? (await browser.newPage());
        await page.goto(`${server.url}/`);
        await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
        await page.evaluate(() => (window as unknown as { hideTab(): void }).hideTab());
        await within(
          server.received(1, (r) => r.url === '/ingest'),
          20_000,
          'the beacon at hiding',
        );
        await page.close({ runBeforeUnload: true });
        await within(
          server.received(2, (r) => r.url === '/ingest'),
          20_000,
          "the app's 'Page left' event",
        );
        expect(ingested(server.requests)).toEqual([0, 1, 2, 99]);
      });
    },
    30_000,
  );

  // A tab in the background is hidden, not gone: it lives on for minutes or hours, and the Page
  // Lifecycle API's hidden state is no unload. Every batch such a page sent after the flush at
  // hiding went by beacon, for as long as it stayed hidden: a 5xx answer went unseen, the batch
  // counted delivered and was never retried. Visibility is emulated as above; sendBeacon, fetch,
  // the 503 and the retry are real.
  (hasChromium ? it : it.skip)(
    'sends the batches of a page that stays hidden by fetch, retried after a 5xx, not by beacon',
    async () => {
      const html = hiddenTabPage(50, `log.information('Browser event {N}', 0); hideTab();`);
      const answers: number[] = [];
      const server = await startPageServer(html, (request) => {
        // The first request that carries the event logged while hidden fails, as a busy server's would.
        const later = request.body.includes('"N":1');
        const status = later && !answers.includes(503) ? 503 : 204;
        if (request.url === '/ingest') answers.push(status);
        return { status };
      });
      await inChromium(server, async (browser) => {
        const page = browser.pages()[0] ?? (await browser.newPage());
        await page.goto(`${server.url}/`);
        await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
        await within(
          server.received(1, (r) => r.url === '/ingest'),
          20_000,
          'the beacon at hiding',
        );
        // A later task of the hidden page: the tab lives on in the background.
        await page.evaluate(() =>
          (window as unknown as { log: { information(t: string, n: number): void } }).log.information('Hidden {N}', 1),
        );
        await within(
          server.received(3, (r) => r.url === '/ingest'),
          10_000,
          'the retry after the 503',
        );
        expect(answers).toEqual([204, 503, 204]);
        expect(ingested(server.requests)).toEqual([0, 1, 1]);
        type Metrics = { log: { metrics(): { sinks: { http: { retried: number; delivered: number } } } } };
        // Counted once the page has read the retry's answer.
        await page.waitForFunction(() => (window as unknown as Metrics).log.metrics().sinks.http.delivered === 2, undefined, {
          timeout: 10_000,
        });
        expect(await page.evaluate(() => (window as unknown as Metrics).log.metrics().sinks.http.retried)).toBe(1);
      });
    },
    30_000,
  );

  // A hidden page is frozen after some minutes in the background (and on entering the back/forward
  // cache), and a frozen page may be discarded with no further event: what it logged since it was
  // hidden sat in the open batch and went with it. Headless Chromium never freezes a page by itself
  // (CDP's Page.setWebLifecycleState 'frozen' reaches no listener either), so the page dispatches
  // the `freeze` event itself, at the document as Chromium does, and emulates its visibility as
  // above; the listeners, sendBeacon and the server are real.
  (hasChromium ? it : it.skip)(
    'sends by beacon on freeze what a hidden page logged since it was hidden',
    async () => {
      const html = hiddenTabPage(
        600_000,
        `document.addEventListener('freeze', () => log.information('Frozen {N}', 99));
        const sendBeacon = navigator.sendBeacon.bind(navigator);
        window.beacons = 0;
        navigator.sendBeacon = (url, data) => (window.beacons++, sendBeacon(url, data));
        hideTab();`,
      );
      const server = await startPageServer(html);
      await inChromium(server, async (browser) => {
        const page = browser.pages()[0] ?? (await browser.newPage());
        await page.goto(`${server.url}/`);
        await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
        type Hidden = { log: { information(t: string, n: number): void }; beacons: number };
        // A later task of the hidden page: its events wait in the batch.
        await page.evaluate(() => {
          for (let n = 0; n < 3; n++) (window as unknown as Hidden).log.information('Hidden {N}', n);
        });
        await page.evaluate(() => document.dispatchEvent(new Event('freeze')));
        await within(
          server.received(2, (r) => r.url === '/ingest'),
          10_000,
          'the beacons at freeze',
        );
        expect(ingested(server.requests)).toEqual([0, 1, 2, 99]);
        expect(await page.evaluate(() => (window as unknown as Hidden).beacons)).toBe(2);
      });
    },
    30_000,
  );

  /** A page whose logger holds 400 events of about 1 KB (about 390 KiB, six times the beacon quota) in one open batch. */
  const quotaPage = (offline: boolean): string => `<!doctype html><script src="/rxlog.js"></script><script>
    window.sink = new rxlog.HttpSink({ url: '/ingest'${offline ? ', offline: { maxBytes: 2000000 }' : ''} });
    window.log = new rxlog.LoggerConfiguration()
      .writeTo.sink(sink, { batch: { size: 1000, maxDelayMs: 600000 } })
      .createLogger();
    rxlog.installPageHideFlush(log);
    const count = Number(new URLSearchParams(location.search).get('n') ?? 400);
    if (!location.search.includes('quiet')) for (let n = 0; n < count; n++) log.information('Event {N} {Pad}', n, 'x'.repeat(900));
    window.ready = true;
  </script>`;
  type QuotaWindow = {
    ready?: boolean;
    log: { metrics(): { sinks: { http: { delivered: number; pending: number; failed: number } } } };
    sink: { offline?: { replayed: number; pending: number } };
  };

  /** Serves the bundle, the two pages and a `/bye` page; answers `/ingest` with 204. */
  async function quotaServer() {
    const script = await bundleRxlogForBrowser();
    return startTestServer((request) => {
      const path = request.url.split('?')[0];
      if (path === '/rxlog.js') return { status: 200, headers: { 'Content-Type': 'text/javascript' }, body: script };
      if (path === '/' || path === '/stored')
        return { status: 200, headers: { 'Content-Type': 'text/html' }, body: quotaPage(path === '/stored') };
      if (path === '/ingest') return { status: 204 };
      return { status: 200, headers: { 'Content-Type': 'text/html' }, body: '<!doctype html>bye' };
    });
  }
  const ingested = (requests: readonly { url: string; body: string }[]): number[] =>
    requests
      .filter((r) => r.url === '/ingest')
      .flatMap((r) => r.body.split('\n').map((line) => (JSON.parse(line) as { N: number }).N));

  (hasChromium ? it : it.skip)(
    'counts what the beacon quota refuses as pending, not delivered, and sends it with fetch while the page lives on',
    async () => {
      const server = await quotaServer();
      await inChromium(server, async (browser) => {
        const page = browser.pages()[0] ?? (await browser.newPage());
        await page.goto(`${server.url}/`);
        await page.waitForFunction(() => (window as unknown as QuotaWindow).ready === true);
        // The page fires pagehide but stays (as when it is hidden): Chromium's real sendBeacon and quota.
        const atHide = await page.evaluate(() => {
          window.dispatchEvent(new Event('pagehide'));
          return (window as unknown as QuotaWindow).log.metrics().sinks.http;
        });
        expect(atHide.delivered).toBeGreaterThan(0);
        expect(atHide.delivered).toBeLessThan(100);
        expect(atHide.pending).toBe(400 - atHide.delivered);
        await page.waitForFunction(
          () => (window as unknown as QuotaWindow).log.metrics().sinks.http.delivered === 400,
          undefined,
          {
            timeout: 10_000,
          },
        );
        await within(
          server.received(2, (r) => r.url === '/ingest'),
          20_000,
          'the rest',
        );
        expect(ingested(server.requests)).toEqual(Array.from({ length: 400 }, (_, n) => n));
      });
    },
    60_000,
  );

  // Beacon bodies are cut by UTF-8 bytes, at event boundaries: events of CJK, emoji and a lone
  // surrogate take about 2.4 bytes per UTF-16 unit, so a body cut at 60 Ki units would be about
  // 150 KiB, refused by Chromium's 64 KiB quota. What leaves by beacon fits it, every line is whole
  // JSON with its text intact (the lone surrogate as U+FFFD, which capture writes), each event once.
  (hasChromium ? it : it.skip)(
    'cuts page-hide beacons of multi-byte events by their UTF-8 bytes, each body whole NDJSON within the quota, each event once',
    async () => {
      const html = `<!doctype html><meta charset="utf-8"><script src="/rxlog.js"></script><script>
        window.log = new rxlog.LoggerConfiguration()
          .writeTo.sink(new rxlog.HttpSink({ url: '/ingest' }), { batch: { size: 1000, maxDelayMs: 600000 } })
          .createLogger();
        rxlog.installPageHideFlush(log);
        for (let n = 0; n < 100; n++) log.information('Event {N} {Pad}', n, '漢字😀é\\ud800'.repeat(150));
        window.ready = true;
      </script>`;
      const server = await startPageServer(html);
      await inChromium(server, async (browser) => {
        const page = browser.pages()[0] ?? (await browser.newPage());
        await page.goto(`${server.url}/`);
        await page.waitForFunction(() => (window as unknown as QuotaWindow).ready === true);
        // The page fires pagehide and stays: Chromium's real sendBeacon and quota, the rest by fetch.
        const atHide = await page.evaluate(() => {
          window.dispatchEvent(new Event('pagehide'));
          return (window as unknown as QuotaWindow).log.metrics().sinks.http;
        });
        expect(atHide.delivered).toBeGreaterThan(0);
        expect(atHide.pending).toBe(100 - atHide.delivered);
        await page.evaluate(() => window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true })));
        await page.waitForFunction(
          () => (window as unknown as QuotaWindow).log.metrics().sinks.http.delivered === 100,
          undefined,
          {
            timeout: 20_000,
          },
        );
        const requests = server.requests.filter((r) => r.url === '/ingest');
        const lines = requests.map((r) => r.body.split('\n').map((line) => JSON.parse(line) as { N: number; Pad: string }));
        expect(lines.flat().map((e) => e.N)).toEqual(Array.from({ length: 100 }, (_, n) => n));
        expect(new Set(lines.flat().map((e) => e.Pad))).toEqual(new Set(['漢字😀é\ufffd'.repeat(150)]));
        // The beacons: the requests of the events delivered at hiding.
        let events = 0;
        const beacons = requests.filter((_, i) => (events += lines[i].length) <= atHide.delivered);
        const sizes = beacons.map((r) => Buffer.byteLength(r.body));
        // The first filled up to 60 KiB of bytes (about 26 events), none past it.
        expect(sizes[0]).toBeGreaterThan(56 * 1024);
        expect(sizes.every((bytes) => bytes <= 60 * 1024)).toBe(true);
        expect(beacons.reduce((sum, r) => sum + Buffer.byteLength(r.body), 0)).toBeLessThanOrEqual(64 * 1024);
      });
    },
    60_000,
  );

  // The quota is the page's: a request of the app's still uploading at page hide (a keepalive fetch,
  // its own beacon) holds part of it. The sink stopped at the first refusal, so a full 60 KiB body
  // refused there sent nothing, though a smaller one fitted in what was left.
  (hasChromium ? it : it.skip)(
    'fills what is left of the beacon quota when another upload holds part of it, with smaller bodies',
    async () => {
      const server = await quotaServer();
      await inChromium(server, async (browser) => {
        let release = (): void => undefined;
        const held = new Promise<void>((resolve) => (release = resolve));
        try {
          const page = browser.pages()[0] ?? (await browser.newPage());
          // The app's 36 KiB beacon is held, as on a slow uplink: its bytes count against the quota.
          await page.route('**/app', async (route) => {
            await held;
            await route.continue();
          });
          await page.goto(`${server.url}/?n=60`);
          await page.waitForFunction(() => (window as unknown as QuotaWindow).ready === true);
          // The page is hidden, then back from the back/forward cache (pageshow), in one task: what
          // the beacons could not take is sent with fetch once the page is back. A page that stayed
          // hidden would send it as keepalive requests, which the held upload's bytes refuse until
          // it ends: whether it ends before the retries run out is the network's timing, not the sink's.
          const atHide = await page.evaluate(() => {
            const took = navigator.sendBeacon('/app', 'a'.repeat(36 * 1024));
            window.dispatchEvent(new Event('pagehide'));
            const metrics = (window as unknown as QuotaWindow).log.metrics().sinks.http;
            window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true }));
            return { took, ...metrics };
          });
          expect(atHide.took).toBe(true);
          // About 28 KiB of the quota was left: 28 events of about 1 KB fit, in bodies that took it.
          expect(atHide.delivered).toBeGreaterThan(20);
          expect(atHide.pending).toBe(60 - atHide.delivered);
          release();
          await page.waitForFunction(
            () => (window as unknown as QuotaWindow).log.metrics().sinks.http.delivered === 60,
            undefined,
            { timeout: 20_000 },
          );
          await within(
            server.received(atHide.delivered > 0 ? 2 : 1, (r) => r.url === '/ingest'),
            20_000,
            'the events',
          );
          expect(ingested(server.requests).sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, n) => n));
        } finally {
          release();
        }
      });
    },
    60_000,
  );

  // Chromium rejects a keepalive fetch ("Failed to fetch") while the page's beacons fill the 64 KiB
  // quota: HttpSink sends such a request again without keepalive (before, every try failed and 38
  // events a plain fetch would deliver were counted failed).
  (hasChromium ? it : it.skip)(
    'sends what the beacon quota refused with fetch once the page is back, while the beacons are still in flight',
    async () => {
      const server = await quotaServer();
      const { browser, close: closeBrowser } = await freshChromium();
      // The beacon's upload is held, as on a slow network (a mobile uplink, a far server's
      // handshakes): until it has left, its bytes count against the page's keepalive quota.
      let release = (): void => undefined;
      const held = new Promise<void>((resolve) => (release = resolve));
      try {
        const page = browser.pages()[0] ?? (await browser.newPage());
        let posts = 0;
        await page.route('**/ingest', async (route) => {
          if (posts++ === 0) await held;
          await route.continue();
        });
        await page.goto(`${server.url}/?n=100`);
        await page.waitForFunction(() => (window as unknown as QuotaWindow).ready === true);
        const metrics = await page.evaluate(async () => {
          const w = window as unknown as QuotaWindow & { log: { flush(): Promise<unknown> } };
          window.dispatchEvent(new Event('pagehide'));
          // Back from the back/forward cache (or shown again) while the beacon is in flight.
          window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true }));
          await w.log.flush();
          return w.log.metrics().sinks.http;
        });
        expect(metrics).toMatchObject({ delivered: 100, failed: 0, pending: 0 });
        release();
        await within(
          server.received(1, (r) => r.url === '/ingest' && r.body.startsWith('{') && ingested([r])[0] === 0),
          20_000,
          'the held beacon',
        );
        expect(ingested(server.requests).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, n) => n));
      } finally {
        release();
        await closeBrowser();
        await server.close();
      }
    },
    60_000,
  );

  // The 64 KiB keepalive quota is the page's, not the sink's: another sink's batch (or the app's
  // own keepalive request) still uploading holds its part. Chromium then refused this sink's
  // keepalive request ("Failed to fetch"), every retry too while the other upload lasted, and the
  // batch was counted failed though a plain fetch would have delivered it.
  // A sink that sends no beacons (`beacon: false`, and the default of LokiSink and OtlpSink with
  // headers, of a URL with credentials) followed no page lifecycle without the offline store, so it
  // could not tell the page was not hiding, and never sent a refused keepalive request again: every
  // retry was refused too while the other upload lasted, and the batch counted failed.
  (hasChromium ? it.each : it.skip.each)(['', ', beacon: false'])(
    "sends a batch again without keepalive when another sink's upload holds the page's keepalive quota (options%s)",
    async (options) => {
      const html = `<!doctype html><script src="/rxlog.js"></script><script>
        const sink = (url, name) => [new rxlog.HttpSink({ url${options} }), { name, batch: { size: 60, maxDelayMs: 600000 } }];
        window.log = new rxlog.LoggerConfiguration()
          .writeTo.sink(...sink('/a', 'a'))
          .writeTo.sink(...sink('/b', 'b'))
          .createLogger();
        window.ready = true;
      </script>`;
      const server = await startPageServer(html);
      await inChromium(server, async (browser) => {
        let release = (): void => undefined;
        const held = new Promise<void>((resolve) => (release = resolve));
        try {
          const page = browser.pages()[0] ?? (await browser.newPage());
          // Sink a's upload is held, as on a slow uplink.
          await page.route('**/a', async (route) => {
            await held;
            await route.continue();
          });
          await page.goto(`${server.url}/`);
          await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
          const b = await page.evaluate(async () => {
            type Log = {
              information(t: string, n: number, p: string): void;
              metrics(): { sinks: Record<string, { delivered: number; failed: number; pending: number }> };
            };
            const log = (window as unknown as { log: Log }).log;
            // 60 events of about 640 bytes: a body of about 38 KiB for each sink, 76 KiB together.
            for (let n = 0; n < 60; n++) log.information('Event {N} {Pad}', n, 'x'.repeat(600));
            const end = Date.now() + 5_000;
            while (log.metrics().sinks.b.pending > 0 && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 20));
            return log.metrics().sinks.b;
          });
          expect(b).toMatchObject({ delivered: 60, failed: 0, pending: 0 });
          expect(server.requests.filter((r) => r.url === '/b')).toHaveLength(1);
        } finally {
          release();
        }
      });
    },
    60_000,
  );

  // docs/browser.md, "The batch in flight". On a slow uplink, a batch over 64 KiB (sent without
  // keepalive) is still uploading when the page is left: Chromium cancels its request before
  // `pagehide`, and the logger holds it for a retry that never comes. Before, its events were lost
  // without the offline store; now page hide hands them to beacons (the store already kept them,
  // the cancelled request being a network error).
  describe('a batch in flight over 64 KiB on a slow uplink', () => {
    const page = (offline: boolean): string => `<!doctype html><script src="/rxlog.js"></script><script>
      window.sink = new rxlog.HttpSink({ url: '/ingest'${offline ? ', offline: { maxBytes: 2000000 }' : ''} });
      window.log = new rxlog.LoggerConfiguration()
        .writeTo.sink(sink, { batch: { size: 100, maxDelayMs: 600000 } })
        .createLogger();
      rxlog.installPageHideFlush(log);
      if (!location.search.includes('quiet')) for (let n = 0; n < 100; n++) log.information('Event {N} {Pad}', n, 'x'.repeat(900));
      window.ready = true;
    </script>`;

    /** Serves the pages (`/plain`, `/stored` with the offline store) and answers `/ingest` with 204. */
    async function slowServer() {
      const script = await bundleRxlogForBrowser();
      return startTestServer((request) => {
        const path = request.url.split('?')[0];
        if (path === '/rxlog.js') return { status: 200, headers: { 'Content-Type': 'text/javascript' }, body: script };
        if (path === '/ingest') return { status: 204 };
        const body = path === '/plain' || path === '/stored' ? page(path === '/stored') : 'bye';
        return { status: 200, headers: { 'Content-Type': 'text/html' }, body };
      });
    }

    /** A tab whose uploads go at 32 KiB/s: the 95 KiB batch takes 3 s. */
    /** A tab on a 32 KiB/s uplink, at `url` once its page is ready. */
    async function slowTab(browser: BrowserContext, url: string): Promise<Page> {
      const tab = await browser.newPage();
      const cdp = await browser.newCDPSession(tab);
      await cdp.send('Network.emulateNetworkConditions', {
        offline: false,
        latency: 0,
        downloadThroughput: -1,
        uploadThroughput: 32 * 1024,
      });
      await tab.goto(url);
      await tab.waitForFunction(() => (window as unknown as QuotaWindow).ready === true);
      return tab;
    }

    /** Waits until whatever the browser still sends for `server` has arrived: a request from a fresh page, answered after it. */
    async function probe(browser: BrowserContext, url: string): Promise<void> {
      const tab = await browser.newPage();
      await tab.goto(`${url}/probe`);
      await tab.close();
    }

    (hasChromium ? it : it.skip)(
      'hands the batch to beacons when the page is left: as much as the 64 KiB quota takes, in order, once',
      async () => {
        const server = await slowServer();
        await inChromium(server, async (browser) => {
          const tab = await slowTab(browser, `${server.url}/plain`);
          expect(await tab.evaluate(() => (window as unknown as QuotaWindow).log.metrics().sinks.http)).toMatchObject({
            delivered: 0,
            pending: 100,
          });
          await tab.goto(`${server.url}/bye`);
          await within(
            server.received(1, (r) => r.url === '/ingest'),
            20_000,
            'the beacon',
          );
          await probe(browser, server.url);
          const events = ingested(server.requests);
          // A beacon of at most 60 KiB, then a smaller one in what is left of the quota; the
          // cancelled request delivered nothing.
          expect(server.requests.filter((r) => r.url === '/ingest').length).toBeLessThanOrEqual(2);
          expect(events.length).toBeGreaterThan(62);
          expect(events).toEqual(Array.from({ length: events.length }, (_, n) => n));
        });
      },
      60_000,
    );

    (hasChromium ? it : it.skip)(
      'with the offline store, keeps the batch when the page is left, and the next page load sends it once',
      async () => {
        const server = await slowServer();
        await inChromium(server, async (browser) => {
          const tab = await slowTab(browser, `${server.url}/stored`);
          await tab.goto(`${server.url}/bye`);
          await tab.goto(`${server.url}/stored?quiet`);
          await tab.waitForFunction(
            () => {
              const offline = (window as unknown as QuotaWindow).sink.offline;
              return offline !== undefined && offline.pending === 0 && offline.replayed > 0;
            },
            undefined,
            { timeout: 20_000 },
          );
          await probe(browser, server.url);
          expect(ingested(server.requests)).toEqual(Array.from({ length: 100 }, (_, n) => n));
        });
      },
      60_000,
    );

    // Page hide leaves a request still in flight alone (taking it over would abort it, and beacons
    // carry 64 KiB at most): closing the tab does not cancel it in Chromium.
    (hasChromium ? it : it.skip)(
      'leaves the request alone when the tab is closed: Chromium finishes it, and every event arrives once',
      async () => {
        const server = await slowServer();
        await inChromium(server, async (browser) => {
          const tab = await slowTab(browser, `${server.url}/plain`);
          await tab.close({ runBeforeUnload: true });
          await within(
            server.received(1, (r) => r.url === '/ingest'),
            20_000,
            'the batch',
          );
          await probe(browser, server.url);
          expect(ingested(server.requests)).toEqual(Array.from({ length: 100 }, (_, n) => n));
        });
      },
      60_000,
    );
  });

  (hasChromium ? it : it.skip)(
    'with the offline store, keeps what the beacon quota refuses when the page is left, and the next page load sends it once',
    async () => {
      const server = await quotaServer();
      await inChromium(server, async (browser) => {
        const page = browser.pages()[0] ?? (await browser.newPage());
        await page.goto(`${server.url}/stored`);
        await page.waitForFunction(() => (window as unknown as QuotaWindow).ready === true);
        await page.goto(`${server.url}/bye`);
        await within(
          server.received(1, (r) => r.url === '/ingest'),
          20_000,
          'the beacon',
        );
        const beaconed = ingested(server.requests);
        expect(beaconed.length).toBeGreaterThan(0);
        expect(beaconed.length).toBeLessThan(100);

        await page.goto(`${server.url}/stored?quiet`);
        await page.waitForFunction(
          () => {
            const offline = (window as unknown as QuotaWindow).sink.offline;
            return offline !== undefined && offline.pending === 0 && offline.replayed > 0;
          },
          undefined,
          { timeout: 20_000 },
        );
        expect(ingested(server.requests)).toEqual(Array.from({ length: 400 }, (_, n) => n));
      });
    },
    60_000,
  );
});

// A batch whose request failed without an answer is kept aside for page hide (the logger holds it
// for a retry). Once the logger gives up on it (failed for good, or taken by the fallback), a
// beacon at page hide sent it all the same: events counted failed reached the server, or reached
// it twice with a fallback.
describe('a batch the logger gave up on', () => {
  let page: ReturnType<typeof installFakePage>;
  beforeEach(() => {
    page = installFakePage();
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
    page.restore();
  });

  /** An HttpSink whose every request fails without an answer, as a cancelled one does. */
  const unanswering = (): HttpSink =>
    new HttpSink({ url: 'http://127.0.0.1:1/ingest', fetch: () => Promise.reject(new TypeError('Failed to fetch')) });

  /**
   * Logs three events, lets their batch's request fail, runs `check`, then hides the page (its
   * beacons in `page.beacons`). The logger is closed after.
   */
  async function hideAfterThree(log: Logger, check: () => void): Promise<void> {
    const uninstall = installPageHideFlush(log, page.target);
    try {
      for (let n = 0; n < 3; n++) log.information('Item {N}', n);
      await jest.advanceTimersByTimeAsync(100);
      check();
      page.hide();
      await page.settled();
    } finally {
      uninstall();
      await log.close({ strategy: 'immediate', timeoutMs: 0 });
    }
  }

  it.each([
    ['failed for good', undefined],
    ['taken by the fallback', new MemorySink()],
  ] as const)('is not sent again by beacon at page hide (%s)', async (_, fallback) => {
    const log = new LoggerConfiguration().writeTo
      .sink(unanswering(), {
        batch: { size: 3, maxDelayMs: 0 },
        retry: { attempts: 2, initialDelayMs: 1, jitter: 0 },
        ...(fallback === undefined ? {} : { fallback }),
      })
      .createLogger();
    await hideAfterThree(log, () =>
      expect(log.metrics().sinks.http).toMatchObject({
        pending: 0,
        delivered: fallback === undefined ? 0 : 3,
        failed: fallback === undefined ? 3 : 0,
      }),
    );
    expect(page.beacons).toHaveLength(0);
  });

  // A sink that holds each lane's failed batch for page hide must hear that the fallback's failure
  // ended it: a fallback is tried once, so no retry comes to let it go.
  it('is not sent by beacon at page hide when it failed as the fallback of two sinks', async () => {
    const broken = (): { emit(): never } => ({
      emit: () => {
        throw new Error('down');
      },
    });
    const options = { batch: { size: 3, maxDelayMs: 0 }, retry: { attempts: 1 }, fallback: unanswering() };
    const log = new LoggerConfiguration().writeTo
      .sink(broken(), { ...options, name: 'a' })
      .writeTo.sink(broken(), { ...options, name: 'b' })
      .createLogger();
    await hideAfterThree(log, () => {
      expect(log.metrics().sinks.a).toMatchObject({ pending: 0, failed: 3 });
      expect(log.metrics().sinks.b).toMatchObject({ pending: 0, failed: 3 });
    });
    expect(page.beacons).toHaveLength(0);
  });

  // Through a wrapper, the sink never hears that a lane gave a batch up: what it holds for page
  // hide is bounded, or a page offline for hours would keep every failed batch.
  it('holds at most 16 batches for page hide when a logger reaches it through a wrapper', async () => {
    const http = unanswering();
    const log = new LoggerConfiguration().writeTo
      .sink(
        { emit: (events) => http.emit(events) },
        { batch: { size: 1, maxDelayMs: 0 }, retry: { attempts: 1 }, circuitBreaker: false },
      )
      .createLogger();
    try {
      for (let n = 0; n < 40; n++) {
        log.information('Item {N}', n);
        await jest.advanceTimersByTimeAsync(10);
      }
      expect(log.metrics().sinks.sink).toMatchObject({ pending: 0, failed: 40 });
      page.hide();
      http.flushSync?.();
      await page.settled();
      expect(page.beacons.map((b) => (JSON.parse(b.body) as { N: number }).N)).toEqual(
        Array.from({ length: 16 }, (_, i) => 24 + i),
      );
    } finally {
      await log.close({ strategy: 'immediate', timeoutMs: 0 });
      http.close();
    }
  });

  it('is still handed over at page hide while the logger holds it for a retry', async () => {
    const log = new LoggerConfiguration().writeTo
      .sink(unanswering(), { batch: { size: 3, maxDelayMs: 0 }, retry: { attempts: 2, initialDelayMs: 60_000, jitter: 0 } })
      .createLogger();
    await hideAfterThree(log, () => expect(log.metrics().sinks.http).toMatchObject({ pending: 3, failed: 0 }));
    expect(page.beacons).toHaveLength(1);
  });
});
