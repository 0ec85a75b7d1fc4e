import { existsSync } from 'node:fs';
import { HttpSink } from '../../../lib/sinks/http/http-sink';
import { isHttpUrlHere, pageHref, urlSchemeHere } from '../../../lib/sinks/http/page-url';
import { CHROMIUM, freshChromium } from '../../helpers/chromium';
import { startPageServer } from '../../helpers/browser-bundle';

/** Puts `location` and `document` on globalThis for the test; returns a function that takes them off. */
function fakeDocument(href: string, baseURI?: string): () => void {
  const global = globalThis as { location?: unknown; document?: unknown };
  global.location = { href };
  if (baseURI !== undefined) global.document = { baseURI };
  return () => {
    delete global.location;
    delete global.document;
  };
}

describe('pageHref', () => {
  it('is undefined where there is no page', () => {
    expect(pageHref()).toBeUndefined();
    expect(urlSchemeHere('/api/logs')).toBeUndefined();
    expect(isHttpUrlHere('localhost:5341')).toBe(false);
  });

  it("is the page's address where the document has no other base", () => {
    const remove = fakeDocument('https://shop.example/app/');
    try {
      expect(pageHref()).toBe('https://shop.example/app/');
      expect(isHttpUrlHere('api/logs')).toBe(true);
    } finally {
      remove();
    }
  });

  // fetch and sendBeacon resolve a relative URL against the document's base URL: in a srcdoc or
  // about:blank frame the parent's, with <base href> that one. Against location.href
  // ('about:srcdoc') a relative URL does not resolve, and HttpSink refused '/api/logs' there.
  it("is the document's base URL, which fetch resolves against, in a srcdoc frame", () => {
    const remove = fakeDocument('about:srcdoc', 'https://shop.example/app/');
    try {
      expect(pageHref()).toBe('https://shop.example/app/');
      expect(urlSchemeHere('/api/logs')).toBe('https:');
      expect(() => new HttpSink({ url: '/api/logs', fetch: () => Promise.reject(new Error('unused')) }).close()).not.toThrow();
    } finally {
      remove();
    }
  });
});

describe('HttpSink in a srcdoc frame, in Chromium', () => {
  (existsSync(CHROMIUM) ? it : it.skip)(
    "sends to a relative URL, resolved against the parent's address as fetch resolves it",
    async () => {
      const inner = `<script src="/rxlog.js"></script><script>
        try {
          const log = new rxlog.LoggerConfiguration().writeTo.sink(new rxlog.HttpSink({ url: '/ingest' })).createLogger();
          log.information('Framed {N}', 1);
          log.close().then((report) => parent.postMessage({ report: report.sinks.http }, '*'));
        } catch (error) {
          parent.postMessage({ threw: String(error) }, '*');
        }
      </script>`;
      const html = `<!doctype html><script>addEventListener('message', (e) => { window.result = e.data; });</script><iframe srcdoc="${inner.replace(/"/g, '&quot;')}"></iframe>`;
      const server = await startPageServer(html);
      const { browser, close } = await freshChromium();
      try {
        const page = browser.pages()[0] ?? (await browser.newPage());
        await page.goto(`${server.url}/`);
        await page.waitForFunction(() => (window as unknown as { result?: unknown }).result !== undefined, undefined, {
          timeout: 30_000,
        });
        expect(await page.evaluate(() => (window as unknown as { result: unknown }).result)).toEqual({
          report: { delivered: 1, dropped: 0, failed: 0, undelivered: 0 },
        });
        expect(server.requests.filter((r) => r.url === '/ingest').map((r) => JSON.parse(r.body) as { N: number })).toMatchObject([
          { N: 1 },
        ]);
      } finally {
        await close();
        await server.close();
      }
    },
    // Starting Chromium on a busy machine took most of the 15 s this test had.
    60_000,
  );
});
