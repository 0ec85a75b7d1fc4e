import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { LoggerConfiguration } from '../../../lib/configuration/logger-configuration';
import type { BrowserContext } from 'playwright-core';
import type { LogEvent } from '../../../lib/core/log-event';
import { readCompactJson } from '../../../lib/formatting/read-compact-json';
import { createIngestHandler, type IngestHandler } from '../../../lib/node/ingest/create-ingest-handler';
import { MemorySink } from '../../../lib/sinks/memory-sink';
import { bundleRxlogForBrowser } from '../../helpers/browser-bundle';
import { CHROMIUM, freshChromium } from '../../helpers/chromium';

// Both halves in one real round trip: a page in Chromium logs with HttpSink, the user leaves it (a
// real navigation, so a real `pagehide`), installPageHideFlush hands the open batch to sendBeacon,
// and createIngestHandler mounted in an Express 5 app on the page's own origin writes the events
// into the server's logger, each with the values and the message the page had.

const PAGE = `<!doctype html><script src="/rxlog.js"></script><script>
  const memory = new rxlog.MemorySink();
  window.log = new rxlog.LoggerConfiguration()
    .minimumLevel.verbose()
    .writeTo.sink(memory)
    .writeTo.sink(new rxlog.HttpSink({ url: '/api/logs' }), { batch: { size: 100, maxDelayMs: 600000 } })
    .createLogger();
  rxlog.installPageHideFlush(log);
  addEventListener('pageshow', (e) => (window.restored = e.persisted));
  const when = new Date('2026-11-30T10:07:09.123Z');
  log.information('Cart {CartId} total {Total:0.00} at {When:HH:mm} on {When2} id {Id}', 'c-1', 12.5, when, when, 12345678901234567890n);
  log.warning('Shapes {@Cart} {Tags} {Counts} {Odd} {Control}', { lines: [{ sku: 'a', qty: 2 }] }, new Set(['x']), new Map([['a', 1]]), NaN, 'tab\\tbell\\u0007');
  log.error(new Error('Payment failed', { cause: new TypeError('card declined') }), 'Checkout {Step} failed', 'pay');
  log.debug('Debug {N}', -0);
  const formatter = new rxlog.CompactJsonFormatter();
  window.sent = memory.events.map((e) => ({ message: e.renderMessage(), line: formatter.format(e) }));
</script>`;

interface Sent {
  message: string;
  line: string;
}

interface Mounted {
  url: string;
  browser: BrowserContext;
  /** The server logger's events. */
  events: LogEvent[];
  ingest: IngestHandler;
  /** The Content-Type of each request the handler was given. */
  contentTypes: (string | undefined)[];
}

/** The page and createIngestHandler served by one Express 5 app on 127.0.0.1, and Chromium with the back/forward cache on. */
async function withIngestApp(test: (mounted: Mounted) => Promise<void>): Promise<void> {
  const memory = new MemorySink();
  const log = new LoggerConfiguration().minimumLevel.verbose().writeTo.sink(memory).createLogger();
  const ingest = createIngestHandler(log);
  const script = await bundleRxlogForBrowser();
  const contentTypes: (string | undefined)[] = [];
  const app = express();
  app.get('/rxlog.js', (_req, res) => void res.type('text/javascript').send(script));
  app.get('/', (_req, res) => void res.type('html').send(PAGE));
  app.get('/elsewhere', (_req, res) => void res.type('html').send('<!doctype html>bye'));
  app.post('/api/logs', (req, res) => {
    contentTypes.push(req.headers['content-type']);
    ingest(req, res);
  });
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // Playwright turns the back/forward cache off by default; a page's return needs it on.
  const { browser, close } = await freshChromium({ ignoreDefaultArgs: ['--disable-back-forward-cache'] });
  try {
    await test({ url, browser, events: memory.events, ingest, contentTypes });
  } finally {
    await close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await log.close({ strategy: 'immediate', timeoutMs: 0 });
  }
}

/** Waits (at most 30 s, a bound for loaded machines, not a sleep) until the server has `count` events. */
async function arrived(events: readonly LogEvent[], count: number): Promise<void> {
  const end = Date.now() + 30_000;
  while (events.length < count && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** The server's events hold the values and the message the page had, with the server's own properties beside them. */
function expectAsSent(events: readonly LogEvent[], sent: readonly Sent[]): void {
  expect(events.map((e) => e.level)).toEqual(['information', 'warning', 'error', 'debug']);
  for (const [n, event] of events.entries()) {
    const line = readCompactJson(sent[n].line);
    expect(event.properties.ClientMessage).toBe(sent[n].message);
    expect(event.properties.ClientTemplate).toBe(line.messageTemplate.text);
    expect(event.properties.ClientTimestamp).toBe(line.timestamp.toISOString());
    expect(event.properties.Client).toEqual(line.properties);
    expect(event.properties.Origin).toBe('browser');
    expect(event.properties.UserAgent).toMatch(/Chrome/);
  }
  expect((events[0].properties.Client as { Id: unknown }).Id).toBe(12345678901234567890n);
  expect(events[2].exception?.stack).toMatch(/^ {2}Error: Payment failed\n[\s\S]*\n {2}caused by: TypeError: card declined/);
}

const chromiumIt = existsSync(CHROMIUM) ? it : it.skip;

describe('createIngestHandler in Express 5 receiving a page-hide beacon from Chromium', () => {
  chromiumIt(
    'gets the batch a page held when the user left it, by beacon, each event once with the values and message the page had',
    () =>
      withIngestApp(async ({ url, browser, events, ingest, contentTypes }) => {
        const page = browser.pages()[0] ?? (await browser.newPage());
        await page.goto(`${url}/`);
        const sent = await page.evaluate(() => (window as unknown as { sent: Sent[] }).sent);
        expect(sent).toHaveLength(4);
        // The batch waits for its age (10 minutes): nothing has left the page yet.
        expect(contentTypes).toEqual([]);

        await page.goto(`${url}/elsewhere`);
        await arrived(events, 4);
        // One beacon, CLEF (same origin: no preflight), answered 200 with every line accepted.
        expect(contentTypes).toEqual(['application/vnd.serilog.clef']);
        expect(ingest.metrics()).toMatchObject({ responses: { 200: 1 }, accepted: 4, rejected: 0 });
        expectAsSent(events, sent);

        // Back to the page (restored from the back/forward cache): it counts the beacon's events
        // delivered, holds none, and sends nothing again.
        // A restore fires pageshow, not load.
        await page.goBack({ waitUntil: 'commit' });
        await page.waitForFunction(() => (window as unknown as { restored?: boolean }).restored !== undefined);
        const after = await page.evaluate(() => {
          const w = window as unknown as {
            restored: boolean;
            log: { metrics(): { sinks: { http: { delivered: number; failed: number; pending: number } } } };
          };
          return { restored: w.restored, http: w.log.metrics().sinks.http };
        });
        expect(after).toMatchObject({ restored: true, http: { delivered: 4, failed: 0, pending: 0 } });
        expect(contentTypes).toHaveLength(1);
        expect(events).toHaveLength(4);
      }),
    60_000,
  );

  chromiumIt(
    'gets the batch of a tab the user closes, by beacon, each event once',
    () =>
      withIngestApp(async ({ url, browser, events, ingest, contentTypes }) => {
        const tab = await browser.newPage();
        await tab.goto(`${url}/`);
        const sent = await tab.evaluate(() => (window as unknown as { sent: Sent[] }).sent);
        expect(contentTypes).toEqual([]);
        // As a user closes it: the page's pagehide runs.
        await tab.close({ runBeforeUnload: true });
        await arrived(events, 4);
        expect(contentTypes).toEqual(['application/vnd.serilog.clef']);
        expect(ingest.metrics()).toMatchObject({ responses: { 200: 1 }, accepted: 4, rejected: 0 });
        expectAsSent(events, sent);
      }),
    60_000,
  );
});
