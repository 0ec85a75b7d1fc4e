import assert from 'node:assert/strict';
import path from 'node:path';
import { build } from 'esbuild';
import type { Page } from 'playwright-core';
import { freshChromium } from './chromium';
import { type Responder, startTestServer, type TestServer } from './http-test-server';

/** What an app page's script sets on `window.app`: `started` once bootstrapped, `failed` when the bootstrap failed. */
interface StartWindow {
  app: { started: boolean; failed?: string };
}

/** Serves an app page: its script at /app.js after `preamble` (a script run before it), and /ingest. */
export async function servePage(script: string, ingest: Responder = () => ({ status: 200 }), preamble = ''): Promise<TestServer> {
  return startTestServer((request, index) => {
    if (request.url === '/app.js') return { status: 200, headers: { 'Content-Type': 'text/javascript' }, body: script };
    if (request.url === '/ingest') return ingest(request, index);
    return {
      status: 200,
      headers: { 'Content-Type': 'text/html' },
      body: `<!doctype html><app-root></app-root><script>${preamble}</script><script src="/app.js"></script>`,
    };
  });
}

/** Waits for the page's app to start or fail (ten seconds at most), and asserts that it started. */
export async function started(tab: Page): Promise<void> {
  await waitForApp(tab);
  const failed = await tab.evaluate(() => (window as unknown as StartWindow).app.failed);
  assert.equal(failed, undefined);
}

/** Waits for the page's app to start or fail, ten seconds at most. */
export async function waitForApp(tab: Page): Promise<void> {
  await tab.waitForFunction(
    () => (window as unknown as StartWindow).app.started || (window as unknown as StartWindow).app.failed !== undefined,
    undefined,
    { timeout: 10_000 },
  );
}

/**
 * Serves `script`'s page (with `ingest` and `preamble` as servePage takes them), opens it in a fresh
 * Chromium, waits for the app to start unless `start` is false, runs `body`, and closes both.
 */
export async function withAppPage(
  script: string,
  body: (tab: Page, page: TestServer) => Promise<void>,
  { ingest, preamble, start = true }: { ingest?: Responder; preamble?: string; start?: boolean } = {},
): Promise<void> {
  const page = await servePage(script, ingest, preamble);
  const chromium = await freshChromium();
  try {
    const tab = await chromium.browser.newPage();
    await tab.goto(`${page.url}/`);
    if (start) await started(tab);
    await body(tab, page);
  } finally {
    await chromium.close();
    await page.close();
  }
}

/** The events the page's HttpSinks posted to /ingest (newline-delimited compact JSON), in the order they arrived. */
export function ingested(page: TestServer): Record<string, unknown>[] {
  return page.requests
    .filter((r) => r.url === '/ingest')
    .flatMap((r) => r.body.split('\n').filter(Boolean))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/**
 * Bundles an app page's script for the browser (an IIFE), its imports resolved from lib/angular:
 * `'./index'` is rxlog/angular, `'../index'` the root entry.
 */
export async function bundleAppScript(contents: string): Promise<string> {
  const result = await build({
    stdin: { contents, resolveDir: path.join(__dirname, '..', '..', 'lib', 'angular'), loader: 'ts' },
    bundle: true,
    platform: 'browser',
    format: 'iife',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}
