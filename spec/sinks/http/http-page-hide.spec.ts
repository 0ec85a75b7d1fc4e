import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { LoggerConfiguration } from '../../../lib/configuration/logger-configuration';
import { HttpSink } from '../../../lib/sinks/http/http-sink';
import { installPageHideFlush } from '../../../lib/sinks/http/http-page-hide';
import { makeEvents } from '../../helpers/events';
import { installFakePage } from '../../helpers/fake-page';
import { startTestServer } from '../../helpers/http-test-server';
import { CHROMIUM, launchChromium } from '../../helpers/chromium';

describe('installPageHideFlush', () => {
  let page: ReturnType<typeof installFakePage>;

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

  it('flushes by beacon even when its listener runs before the sink has seen pagehide', () => {
    let written: boolean | undefined;
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

/** The browser entry with the sinks added, as a page would load it. */
async function bundleForBrowser(): Promise<string> {
  const result = await build({
    stdin: {
      contents:
        "export * from '../index';\nexport { HttpSink } from './http/http-sink';\nexport { installPageHideFlush } from './http/http-page-hide';\n",
      resolveDir: join(__dirname, '../../../lib/sinks'),
      loader: 'ts',
    },
    bundle: true,
    platform: 'browser',
    format: 'iife',
    globalName: 'rxlog',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}

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
      const script = await bundleForBrowser();
      const server = await startTestServer((request) => {
        if (request.url === '/rxlog.js') return { status: 200, headers: { 'Content-Type': 'text/javascript' }, body: script };
        if (request.url === '/') return { status: 200, headers: { 'Content-Type': 'text/html' }, body: PAGE };
        return {
          status: request.method === 'POST' ? 204 : 200,
          headers: { 'Content-Type': 'text/html' },
          body: request.method === 'POST' ? '' : '<!doctype html>bye',
        };
      });
      const profile = mkdtempSync(join(tmpdir(), 'rxlog-chromium-'));
      const browser = await launchChromium(profile);
      try {
        const page = browser.pages()[0] ?? (await browser.newPage());
        await page.goto(`${server.url}/`);
        await page.waitForFunction(() => (window as unknown as { logged?: boolean }).logged === true);
        expect(server.requests.filter((r) => r.url === '/ingest')).toHaveLength(0);

        await page.goto(`${server.url}/elsewhere`);
        await within(
          server.received(1, (r) => r.url === '/ingest'),
          5_000,
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
      } finally {
        await browser.close();
        await server.close();
        rmSync(profile, { recursive: true, force: true });
      }
    },
    15_000,
  );
});
