import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { LoggerConfiguration } from '../../../lib/configuration/logger-configuration';
import { createIngestHandler } from '../../../lib/node/ingest/create-ingest-handler';
import { MemorySink } from '../../../lib/sinks/memory-sink';
import { bundleRxlogForBrowser } from '../../helpers/browser-bundle';
import { CHROMIUM, freshChromium } from '../../helpers/chromium';
import { startTestServer } from '../../helpers/http-test-server';
import { listen } from '../../helpers/node-http';

// A page served from one origin (an app's dev server) shipping its logs to createIngestHandler on
// another (the API's port), in real Chromium: the CLEF fetch is preflighted, the beacon at page
// hide carries cookies, and both need the handler's CORS answers for the page's listed origin.
// The same page loaded as http://localhost:… is another origin, not listed: nothing of it arrives.
describe('createIngestHandler with allowedOrigins, from a page on another origin, in Chromium', () => {
  (existsSync(CHROMIUM) ? it : it.skip)(
    "takes the page's fetch and its page-hide beacon when its origin is listed, and nothing from an origin that is not",
    async () => {
      const memory = new MemorySink();
      const log = new LoggerConfiguration().writeTo.sink(memory).createLogger();
      const script = await bundleRxlogForBrowser();
      let ingestUrl = '';
      const pages = await startTestServer((request) => {
        if (request.url === '/rxlog.js') return { status: 200, headers: { 'Content-Type': 'text/javascript' }, body: script };
        const body = `<!doctype html><script src="/rxlog.js"></script><script>
          window.log = new rxlog.LoggerConfiguration()
            .writeTo.sink(new rxlog.HttpSink({ url: '${ingestUrl}' }), { batch: { size: 2, maxDelayMs: 600000 }, retry: { attempts: 1 } })
            .createLogger();
          rxlog.installPageHideFlush(log);
          window.ready = true;
        </script>`;
        return { status: 200, headers: { 'Content-Type': 'text/html' }, body };
      });
      const ingest = createIngestHandler(log, { allowedOrigins: [pages.url] });
      const api = await listen(
        createServer((req, res) => (req.url === '/ingest' ? ingest(req, res) : void res.writeHead(404).end())),
      );
      ingestUrl = `${api.url}/ingest`;
      const { browser, close: closeBrowser } = await freshChromium();
      type Win = {
        ready?: boolean;
        log: {
          information(t: string, n: number): void;
          flush(): Promise<unknown>;
          metrics(): { sinks: { http: { delivered: number; failed: number } } };
        };
      };
      /** Loads the page from `origin`, logs two events by fetch and one by beacon at page hide; what the page counted. */
      const run = async (origin: string): Promise<{ delivered: number; failed: number }> => {
        const tab = await browser.newPage();
        await tab.goto(`${origin}/`);
        await tab.waitForFunction(() => (window as unknown as Win).ready === true);
        const { delivered, failed } = await tab.evaluate(async () => {
          const w = window as unknown as Win;
          w.log.information('Fetched {N}', 1);
          w.log.information('Fetched {N}', 2);
          await w.log.flush();
          w.log.information('Beaconed {N}', 3);
          window.dispatchEvent(new Event('pagehide'));
          return w.log.metrics().sinks.http;
        });
        await tab.close();
        return { delivered, failed };
      };
      const arrived = async (count: number): Promise<void> => {
        const end = Date.now() + 30_000;
        while (memory.events.length < count && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 20));
      };
      try {
        expect(await run(pages.url)).toEqual({ delivered: 3, failed: 0 });
        await arrived(3);
        expect(memory.events.map((e) => e.properties.ClientTemplate)).toEqual(['Fetched {N}', 'Fetched {N}', 'Beaconed {N}']);
        // The same page from http://localhost:<port>: an origin not listed. Its fetch is refused
        // (403, no CORS answer: the page sees a network error); its beacon's preflight too.
        const elsewhere = pages.url.replace('127.0.0.1', 'localhost');
        expect(await run(elsewhere)).toMatchObject({ failed: 2 });
        expect(ingest.metrics().responses['403']).toBeGreaterThanOrEqual(1);
        expect(memory.events).toHaveLength(3);
      } finally {
        await closeBrowser();
        await pages.close();
        await api.close();
        await log.close({ strategy: 'immediate', timeoutMs: 0 });
      }
    },
    60_000,
  );
});
