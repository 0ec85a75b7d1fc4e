// End-to-end test of demos/angular in Chromium: builds the app with the Angular CLI, starts the
// demo server, clicks through the app and asserts what the server received and wrote to its CLEF
// file. Run by `npm run test:angular` (not by `npm test`: the Angular build takes a minute).
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { CHROMIUM, launchChromium } from '../helpers/chromium';

const ROOT = resolve(__dirname, '..', '..');
const DEMO = join(ROOT, 'demos', 'angular');
const BUILD_TIMEOUT_MS = 6 * 60_000;
const WAIT_MS = 20_000;

/** One line of the server's CLEF file. */
type Clef = Record<string, unknown> & { Client?: Record<string, unknown> };

const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`demos/angular e2e: skipped, ${CHROMIUM} is missing`);

void describe('demos/angular in Chromium', { skip: !hasChromium }, () => {
  const logDir = mkdtempSync(join(tmpdir(), 'rxlog-angular-demo-logs-'));
  const profile = mkdtempSync(join(tmpdir(), 'rxlog-angular-demo-chromium-'));
  let server: ChildProcess | undefined;
  let serverOutput = '';
  let url = '';
  let browser: BrowserContext | undefined;

  before(async () => {
    const build = spawnSync('npx', ['ng', 'build'], {
      cwd: DEMO,
      encoding: 'utf8',
      timeout: BUILD_TIMEOUT_MS,
      env: { ...process.env, NG_CLI_ANALYTICS: 'false' },
    });
    assert.equal(build.status, 0, `ng build failed:\n${build.stdout}\n${build.stderr}`);
    server = spawn(process.execPath, ['--import', 'tsx', join(DEMO, 'server.ts')], {
      cwd: ROOT,
      env: { ...process.env, PORT: '0', LOG_DIR: logDir, TSX_TSCONFIG_PATH: join(ROOT, 'tsconfig.json') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    url = await new Promise<string>((resolveUrl, reject) => {
      const timer = setTimeout(() => reject(new Error(`the demo server did not start:\n${serverOutput}`)), WAIT_MS);
      const onData = (chunk: Buffer): void => {
        serverOutput += chunk.toString('utf8');
        const match = /DEMO_URL=(\S+)/.exec(serverOutput);
        if (match !== null) {
          clearTimeout(timer);
          resolveUrl(match[1]);
        }
      };
      server?.stdout?.on('data', onData);
      server?.stderr?.on('data', (chunk: Buffer) => (serverOutput += chunk.toString('utf8')));
      server?.once('exit', (code) => reject(new Error(`the demo server exited with ${String(code)}:\n${serverOutput}`)));
    });
    browser = await launchChromium(profile);
  });

  after(async () => {
    await browser?.close();
    if (server !== undefined && server.exitCode === null) {
      const exited = new Promise((done) => server?.once('exit', done));
      server.kill('SIGTERM');
      await Promise.race([exited, new Promise((done) => setTimeout(done, 5_000))]);
      if (server.exitCode === null) server.kill('SIGKILL');
    }
    rmSync(profile, { recursive: true, force: true });
    rmSync(logDir, { recursive: true, force: true });
  });

  void it('ships errors, HTTP calls and page-hide beacons to the server, each event once', async () => {
    assert.ok(browser !== undefined);
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(url);
    await page.locator('#one-rxjs', { hasText: 'One copy of rxjs: true' }).waitFor({ timeout: WAIT_MS });

    await page.click('#nav-order');
    await page.locator('h2', { hasText: 'Order 42' }).waitFor({ timeout: WAIT_MS });
    await page.click('#load-order');
    await page.locator('#status', { hasText: 'Order 42 loaded' }).waitFor({ timeout: WAIT_MS });
    await page.click('#call-failing-api');
    await page.locator('#status', { hasText: 'The API failed' }).waitFor({ timeout: WAIT_MS });
    await page.click('#throw');
    await page.locator('#log-viewer .message', { hasText: 'Demo failure: the button threw' }).waitFor({ timeout: WAIT_MS });

    await page.click('#nav-home');
    await page.locator('h2', { hasText: 'Home' }).waitFor({ timeout: WAIT_MS });
    await page.click('#reject');
    await page.locator('#log-viewer .message', { hasText: 'Demo rejection nobody handled' }).waitFor({ timeout: WAIT_MS });
    await page.click('#log-burst');
    const lastSeqOfFirstPage = await lastSeqAfter(page, 'Burst event 5 of 5');
    // Leave the page well within the batch's 3 s age: only the page-hide beacon can deliver the burst.
    await page.goto('about:blank');

    // A second page load, closed instead of navigated away from.
    const second = await browser.newPage();
    await second.goto(url);
    await second.locator('#one-rxjs', { hasText: 'true' }).waitFor({ timeout: WAIT_MS });
    await second.click('#log-burst');
    const lastSeqOfSecondPage = await lastSeqAfter(second, 'Burst event 5 of 5');
    await second.close();
    await page.close();

    const events = await waitForEvents(logDir, (all) => {
      const bursts = all.filter((e) => e.ClientTemplate === 'Burst event {Index} of {Count}');
      return bursts.length >= 10;
    });
    const browserEvents = events.filter((e) => e.Origin === 'browser');
    const client = (e: Clef): Record<string, unknown> => e.Client ?? {};

    // The thrown error, once, with its route.
    const thrown = browserEvents.filter((e) => text(e['@x']).includes('Demo failure: the button threw'));
    assert.equal(thrown.length, 1, 'the thrown error arrives once');
    assert.equal(thrown[0]['@l'], 'Error');
    assert.equal(client(thrown[0]).Route, '/orders/42');
    assert.equal(client(thrown[0]).RoutePattern, '/orders/:id');
    assert.equal(client(thrown[0]).SourceContext, 'ErrorHandler');
    // Thrown in the button's (click) listener, which Angular caught: the event being dispatched.
    assert.equal(client(thrown[0]).EventName, 'click');
    assert.equal(client(thrown[0]).EventTarget, 'button#throw');

    // The unhandled rejection, once, with the route it happened on.
    const rejected = browserEvents.filter((e) => text(e['@x']).includes('Demo rejection nobody handled'));
    assert.equal(rejected.length, 1, 'the unhandled rejection arrives once');
    assert.equal(client(rejected[0]).Route, '/');

    // The failed HTTP call: status, elapsed time, redacted query, correlated with the server's own event.
    const failed = browserEvents.filter((e) => client(e).StatusCode === 500);
    assert.equal(failed.length, 1);
    const failure = client(failed[0]);
    assert.equal(failed[0]['@l'], 'Error');
    assert.equal(failure.Method, 'GET');
    assert.equal(failure.Url, '/api/fail?token=***');
    assert.equal(typeof failure.ElapsedMs, 'number');
    assert.ok((failure.ElapsedMs as number) >= 0);
    assert.equal(failure.Route, '/orders/42', 'router context on HTTP events');
    assert.match(text(failure.RequestId), /^[0-9a-f]{32}$/);
    const serverSide = events.find((e) => e.Path === '/api/fail');
    assert.equal(serverSide?.RequestId, failure.RequestId, 'the X-Request-Id header reached the API');
    assert.ok(!events.some((e) => JSON.stringify(e).includes('secret-token')), 'query values never reach the log');

    // The successful call and the app's own event carry the route without the app passing it.
    const loaded = browserEvents.find((e) => client(e).StatusCode === 200);
    assert.equal(loaded?.['@l'], undefined, 'a 200 is logged at Information');
    assert.equal(client(loaded ?? {}).Url, '/api/orders/42');
    const orderLoaded = browserEvents.find((e) => e.ClientTemplate === 'Order {OrderId} loaded, total {Total}');
    assert.equal(client(orderLoaded ?? {}).Route, '/orders/42');
    assert.equal(client(orderLoaded ?? {}).RoutePattern, '/orders/:id');
    // withLogContext: the events of one load share its Operation id, through the switchMap.
    const loading = browserEvents.find((e) => e.ClientTemplate === 'Loading order {OrderId}');
    assert.match(text(client(loading ?? {}).Operation), /^\w+$/);
    assert.equal(client(orderLoaded ?? {}).Operation, client(loading ?? {}).Operation);

    // Requests to the log endpoint itself are never logged.
    assert.ok(!browserEvents.some((e) => text(client(e).Url).includes('/ingest')));

    // Page-hide beacons: text/plain ingest requests, and every burst event of both pages arrived.
    const ingestRequests = events.filter((e) => e.SourceContext === 'DemoServer' && e.ContentType !== undefined);
    const beacons = ingestRequests.filter((e) => text(e.ContentType).startsWith('text/plain'));
    assert.ok(
      beacons.length >= 2,
      `a beacon (text/plain) reached /ingest from each page left: ${JSON.stringify(ingestRequests.map((e) => e.ContentType))}`,
    );

    // Nothing lost or duplicated: per page load, Seq runs 1..last without gaps or repeats.
    const byPageLoad = new Map<string, number[]>();
    for (const e of browserEvents) {
      const { PageLoad, Seq } = client(e);
      if (typeof PageLoad !== 'string' || typeof Seq !== 'number') continue;
      byPageLoad.set(PageLoad, [...(byPageLoad.get(PageLoad) ?? []), Seq]);
    }
    assert.equal(byPageLoad.size, 2, 'two page loads');
    const lasts = [...byPageLoad.values()].map((seqs) => {
      const sorted = [...seqs].sort((a, b) => a - b);
      assert.deepEqual(
        sorted,
        sorted.map((_, i) => i + 1),
        `sequence numbers without gaps or duplicates: ${JSON.stringify(sorted)}`,
      );
      return sorted.length;
    });
    assert.deepEqual(
      lasts.sort((a, b) => a - b),
      [lastSeqOfFirstPage, lastSeqOfSecondPage].sort((a, b) => a - b),
    );
    assert.deepEqual(pageErrors, [], 'no uncaught page errors (the ErrorHandler took them)');
  });
});

/** A value as text: strings as they are, anything else as JSON (absent as ''). */
function text(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
}

/** The Seq of the newest row in the log viewer once it shows `message`. */
async function lastSeqAfter(page: Page, message: string): Promise<number> {
  await page.locator('#log-viewer .message', { hasText: message }).first().waitFor({ timeout: WAIT_MS });
  return Number(await page.locator('#log-viewer .seq').first().textContent());
}

/** The server's CLEF lines, read until `done` holds (bounded by WAIT_MS). */
async function waitForEvents(logDir: string, done: (events: Clef[]) => boolean): Promise<Clef[]> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const events = readEvents(logDir);
    if (done(events) || Date.now() > deadline) return events;
    await new Promise((resolveWait) => setTimeout(resolveWait, 200));
  }
}

function readEvents(logDir: string): Clef[] {
  const events: Clef[] = [];
  for (const name of readdirSync(logDir)
    .filter((file) => file.endsWith('.clef'))
    .sort()) {
    for (const line of readFileSync(join(logDir, name), 'utf8').split('\n')) {
      if (line.trim() !== '') events.push(JSON.parse(line) as Clef);
    }
  }
  return events;
}
