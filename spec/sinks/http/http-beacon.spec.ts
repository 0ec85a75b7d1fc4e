import { existsSync } from 'node:fs';
import { HttpBeacon } from '../../../lib/sinks/http/http-beacon';
import { CHROMIUM, freshChromium } from '../../helpers/chromium';
import { installFakePage } from '../../helpers/fake-page';
import { bundleRxlogForBrowser, startPageServer } from '../../helpers/browser-bundle';
import { startTestServer } from '../../helpers/http-test-server';

describe('HttpBeacon', () => {
  let page: ReturnType<typeof installFakePage>;

  beforeEach(() => {
    page = installFakePage();
  });

  afterEach(() => page.restore());

  it('is detected only where addEventListener and navigator.sendBeacon exist', () => {
    const beacon = HttpBeacon.detect('http://h/', 'text/plain');
    expect(beacon).toBeInstanceOf(HttpBeacon);
    beacon?.close();
    page.restore();
    expect(HttpBeacon.detect('http://h/', 'text/plain')).toBeUndefined();
  });

  it('knows the page is hiding after pagehide, while hidden, and inside whileHiding', () => {
    const beacon = HttpBeacon.detect('http://h/', 'text/plain');
    expect(beacon?.hiding).toBe(false);
    page.hide();
    expect(beacon?.hiding).toBe(true);
    page.show();
    expect(beacon?.hiding).toBe(false);
    page.setVisibility('hidden');
    expect(beacon?.hiding).toBe(true);
    page.setVisibility('visible');
    let inside: boolean | undefined;
    HttpBeacon.whileHiding(() => (inside = beacon?.hiding));
    expect(inside).toBe(true);
    expect(beacon?.hiding).toBe(false);
    beacon?.close();
  });

  it('sends a body as a Blob of its content type and reports whether the browser took it', async () => {
    const beacon = HttpBeacon.detect('http://h/in', 'application/json');
    expect(beacon?.send('{"a":1}')).toBe(true);
    page.accept = () => false;
    expect(beacon?.send('{"a":2}')).toBe(false);
    await page.settled();
    expect(page.beacons).toEqual([{ url: 'http://h/in', body: '{"a":1}', type: 'application/json' }]);
    beacon?.close();
  });
});

const PAGE = `<!doctype html><script src="/rxlog.js"></script><script>
  window.beacons = 0;
  const sendBeacon = navigator.sendBeacon.bind(navigator);
  navigator.sendBeacon = (url, data) => (window.beacons++, sendBeacon(url, data));
  window.log = new rxlog.LoggerConfiguration()
    .writeTo.sink(new rxlog.HttpSink({ url: '/ingest' }), { batch: { size: 100, maxDelayMs: 600000 } })
    .createLogger();
  // The app's own listener, added before installPageHideFlush's: what it logs on a restore goes by fetch.
  addEventListener('pageshow', (e) => e.persisted && log.information('Restored {N}', 5));
  rxlog.installPageHideFlush(log);
  addEventListener('pageshow', (e) => (window.restored = e.persisted));
  window.ready = true;
</script>`;

interface BfcacheWindow {
  ready?: boolean;
  restored?: boolean;
  beacons: number;
  log: { information(template: string, n: number): void; flush(): Promise<unknown> };
}

describe('HttpBeacon in Chromium', () => {
  (existsSync(CHROMIUM) ? it : it.skip)(
    'lets a page restored from the back/forward cache keep logging and shipping with fetch, and by beacon when it is left again, each event once',
    async () => {
      const server = await startPageServer(PAGE, (request) => {
        if (request.url === '/ingest') return { status: 204 };
        return { status: 200, headers: { 'Content-Type': 'text/html' }, body: '<!doctype html>elsewhere' };
      });
      // Playwright turns the back/forward cache off by default; this test needs it on.
      const { browser, close: closeBrowser } = await freshChromium({ ignoreDefaultArgs: ['--disable-back-forward-cache'] });
      const ingested = (): number[] =>
        server.requests
          .filter((r) => r.url === '/ingest')
          .flatMap((r) => r.body.split('\n').map((line) => (JSON.parse(line) as { N: number }).N));
      try {
        const page = browser.pages()[0] ?? (await browser.newPage());
        await page.goto(`${server.url}/`);
        await page.waitForFunction(() => (window as unknown as BfcacheWindow).ready === true);
        await page.evaluate(() => {
          for (let n = 0; n < 3; n++) (window as unknown as BfcacheWindow).log.information('Before {N}', n);
        });
        await page.goto(`${server.url}/elsewhere`);
        await server.received(1, (r) => r.url === '/ingest');
        // A restore fires pageshow, not load.
        await page.goBack({ waitUntil: 'commit' });
        await page.waitForFunction(() => (window as unknown as BfcacheWindow).restored !== undefined);
        expect(await page.evaluate(() => (window as unknown as BfcacheWindow).restored)).toBe(true);
        expect(await page.evaluate(() => (window as unknown as BfcacheWindow).beacons)).toBe(1);

        await page.evaluate(async () => {
          const w = window as unknown as BfcacheWindow;
          for (let n = 10; n < 13; n++) w.log.information('After {N}', n);
          await w.log.flush();
        });
        // Sent by fetch (the page is visible again), not by another beacon.
        expect(await page.evaluate(() => (window as unknown as BfcacheWindow).beacons)).toBe(1);
        expect(ingested()).toEqual([0, 1, 2, 5, 10, 11, 12]);

        // Left a second time: what it logged since the restore leaves by beacon (the sink and the
        // page-hide listeners are not spent by the first pagehide).
        await page.evaluate(() => {
          for (let n = 20; n < 23; n++) (window as unknown as BfcacheWindow).log.information('Again {N}', n);
        });
        await page.goto(`${server.url}/elsewhere`);
        await server.received(3, (r) => r.url === '/ingest');
        expect(ingested()).toEqual([0, 1, 2, 5, 10, 11, 12, 20, 21, 22]);
      } finally {
        await closeBrowser();
        await server.close();
      }
    },
    30_000,
  );
});

describe('HttpBeacon to another origin, in Chromium', () => {
  // Documents a browser behaviour (docs/browser.md, beacons to another origin): beacons are sent
  // with credentials (cookies), so one whose type needs CORS preflight (the CLEF default, OTLP's
  // JSON) is dropped by the browser after a preflight answered with `Access-Control-Allow-Origin: *`,
  // which fetch accepts; sendBeacon returned true, so its events count delivered.
  (existsSync(CHROMIUM) ? it : it.skip)(
    'sends a preflighted beacon to another origin only when the preflight allows credentials; "*" drops it, counted delivered',
    async () => {
      const credentialed = { value: false };
      const other = await startTestServer((request) => ({
        status: 204,
        headers: {
          'Access-Control-Allow-Origin': credentialed.value ? String(request.headers.origin) : '*',
          ...(credentialed.value ? { 'Access-Control-Allow-Credentials': 'true' } : {}),
          'Access-Control-Allow-Headers': 'Content-Type',
        },
      }));
      const page = (contentType: string): string => `<!doctype html><script src="/rxlog.js"></script><script>
        window.log = new rxlog.LoggerConfiguration()
          .writeTo.sink(new rxlog.HttpSink({ url: '${other.url}/ingest?key=s3cret', beaconContentType: '${contentType}' }), {
            batch: { size: 100, maxDelayMs: 600000 },
          })
          .createLogger();
        rxlog.installPageHideFlush(log);
        window.ready = true;
      </script>`;
      const script = await bundleRxlogForBrowser();
      const server = await startTestServer((request) => {
        if (request.url === '/rxlog.js') return { status: 200, headers: { 'Content-Type': 'text/javascript' }, body: script };
        const type = request.url === '/plain' ? 'text/plain' : 'application/vnd.serilog.clef';
        return { status: 200, headers: { 'Content-Type': 'text/html' }, body: page(type) };
      });
      const { browser, close: closeBrowser } = await freshChromium();
      type Win = {
        ready?: boolean;
        log: { information(t: string, n: number): void; metrics(): { sinks: { http: { delivered: number } } } };
      };
      /** Logs one event on a fresh page, hides it, and returns what the sink counted delivered. */
      const hideWith = async (path: string): Promise<number> => {
        const tab = await browser.newPage();
        await tab.goto(`${server.url}${path}`);
        await tab.waitForFunction(() => (window as unknown as Win).ready === true);
        const said = await tab.evaluate(() => {
          const w = window as unknown as Win;
          w.log.information('Hidden {N}', 1);
          window.dispatchEvent(new Event('pagehide'));
          return w.log.metrics().sinks.http.delivered;
        });
        return said;
      };
      try {
        // A "*" preflight answer: the beacon counts delivered, and the browser sends no POST.
        expect(await hideWith('/clef')).toBe(1);
        await other.received(1, (r) => r.method === 'OPTIONS');
        // With the page's origin and credentials allowed, the beacon arrives.
        credentialed.value = true;
        expect(await hideWith('/clef')).toBe(1);
        await other.received(1, (r) => r.method === 'POST');
        // text/plain needs no preflight: it arrives whatever the CORS answer.
        credentialed.value = false;
        expect(await hideWith('/plain')).toBe(1);
        await other.received(2, (r) => r.method === 'POST');
        expect(other.requests.map((r) => `${r.method} ${String(r.headers['content-type'])}`)).toEqual([
          'OPTIONS undefined',
          'OPTIONS undefined',
          'POST application/vnd.serilog.clef',
          'POST text/plain',
        ]);
      } finally {
        await closeBrowser();
        await server.close();
        await other.close();
      }
    },
    30_000,
  );
});
