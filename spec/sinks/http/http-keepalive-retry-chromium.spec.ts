import { existsSync } from 'node:fs';
import { CHROMIUM, freshChromium } from '../../helpers/chromium';
import { startPageServer } from '../../helpers/browser-bundle';

// docs/browser.md, the CORS section. HttpSink sends a keepalive request that fails while the page
// is not hiding again at once without keepalive: Chromium refuses one while the page's 64 KiB
// keepalive quota is held by other uploads, with the same TypeError as a CORS refusal or a network
// error, at once or (another sink's upload holding the quota) only after the page's next tasks, as
// they come, so nothing in the page tells a refusal from them (pinned by "sends a batch again without
// keepalive when another sink's upload holds the page's keepalive quota", http-page-hide.spec.ts).
// The price: a request without preflight (a text/plain body) to a server on another origin that
// answers no Access-Control-Allow-Origin reaches it twice per try, and the server writes the batch
// each time, while the page counts it failed.
/** Runs where Chromium is installed. */
const chromiumIt = existsSync(CHROMIUM) ? it : it.skip;

describe('HttpSink to another origin that answers no CORS, in Chromium', () => {
  interface Win {
    ready?: boolean;
    log: {
      information(template: string, n: number): void;
      metrics(): { sinks: { http: { delivered: number; failed: number; pending: number } } };
    };
  }

  chromiumIt(
    'sends a text/plain batch twice per try, and counts it failed, though the server took it each time',
    async () => {
      let ingestUrl = '';
      const html = (): string => `<!doctype html><script src="/rxlog.js"></script><script>
        window.log = new rxlog.LoggerConfiguration()
          .writeTo.sink(new rxlog.HttpSink({ url: '${ingestUrl}', contentType: 'text/plain' }), {
            batch: { size: 3, maxDelayMs: 600000 },
            retry: { attempts: 3, initialDelayMs: 10, maxDelayMs: 10, jitter: 0 },
          })
          .createLogger();
        window.ready = true;
      </script>`;
      // Page and endpoint on one server, two origins: 127.0.0.1 for the page, localhost for the sink.
      const server = await startPageServer('', (request) =>
        request.url === '/page'
          ? { status: 200, headers: { 'Content-Type': 'text/html' }, body: html() }
          : // The batch is written, but the answer has no Access-Control-Allow-Origin.
            { status: 200, body: '{"accepted":3,"rejected":0}' },
      );
      ingestUrl = `${server.url.replace('127.0.0.1', 'localhost')}/ingest`;
      const { browser, close } = await freshChromium();
      try {
        const page = browser.pages()[0] ?? (await browser.newPage());
        await page.goto(`${server.url}/page`);
        await page.waitForFunction(() => (window as unknown as Win).ready === true);
        await page.evaluate(() => {
          const { log } = window as unknown as Win;
          for (let n = 0; n < 3; n++) log.information('Event {N}', n);
        });
        await page.waitForFunction(() => (window as unknown as Win).log.metrics().sinks.http.failed === 3, undefined, {
          timeout: 20_000,
        });
        const metrics = await page.evaluate(() => (window as unknown as Win).log.metrics().sinks.http);
        expect(metrics).toMatchObject({ delivered: 0, failed: 3, pending: 0 });
        const sent = server.requests.filter((r) => r.url === '/ingest');
        expect(sent.map((r) => `${r.method} ${r.body.split('\n').length}`)).toEqual(Array.from({ length: 6 }, () => 'POST 3'));
      } finally {
        await close();
        await server.close();
      }
    },
    60_000,
  );
});
