// Real Chromium: what a page's uncaught errors look like when they reach withErrorHandler through
// Angular's provideBrowserGlobalErrorListeners(), for the ErrorEvents that carry no error (a
// cross-origin script's muted error, `throw null`, `throw undefined`) and for thrown and rejected
// values that are no Error.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { build } from 'esbuild';
import { CHROMIUM, freshChromium } from '../helpers/chromium';
import { startTestServer } from '../helpers/http-test-server';

const hasChromium = existsSync(CHROMIUM);

/** Angular's core, the real global error listeners and rxlog/angular with a MemorySink, as one page script. */
async function appScript(): Promise<string> {
  const result = await build({
    stdin: {
      contents: `
import '@angular/compiler';
import { createEnvironmentInjector, DOCUMENT, platformCore, provideBrowserGlobalErrorListeners,
  provideZonelessChangeDetection, ɵINJECTOR_SCOPE as INJECTOR_SCOPE } from '@angular/core';
import { MemorySink } from '../index';
import { provideRxlog, withErrorHandler } from './index';
import { exceptionText } from '../formatting/exception-text';
const memory = new MemorySink();
createEnvironmentInjector([
  { provide: INJECTOR_SCOPE, useValue: 'root' },
  { provide: DOCUMENT, useValue: document },
  provideZonelessChangeDetection(),
  provideBrowserGlobalErrorListeners(),
  provideRxlog((c) => c.writeTo.sink(memory), withErrorHandler({ console: false })),
], platformCore().injector, 'page');
window.logged = () => memory.events.map((e) => ({
  message: e.renderMessage(),
  exception: e.exception === undefined ? null : exceptionText(e.exception),
  properties: JSON.parse(JSON.stringify(e.properties)),
}));
`,
      resolveDir: path.join(__dirname, '..', '..', 'lib', 'angular'),
      loader: 'ts',
    },
    bundle: true,
    platform: 'browser',
    format: 'iife',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}

interface Logged {
  message: string;
  exception: string | null;
  properties: Record<string, unknown>;
}

void describe('uncaught errors of a page in Chromium', { skip: !hasChromium }, () => {
  void it("logs each once, with the browser's message and location, a muted one said to be muted", async () => {
    const script = await appScript();
    const other = await startTestServer(() => ({
      status: 200,
      headers: { 'Content-Type': 'text/javascript' },
      body: "throw new Error('the widget saw secret data');",
    }));
    const js = (body: string) => ({ status: 200, headers: { 'Content-Type': 'text/javascript' }, body });
    const page = await startTestServer((request) => {
      if (request.url === '/app.js') return js(script);
      if (request.url.startsWith('/thrower.js'))
        return js(
          [
            'setTimeout(() => { throw null; });',
            'setTimeout(() => { throw undefined; });',
            "setTimeout(() => { throw 'a string'; });",
            "Promise.reject('a rejected string');",
            'Promise.reject();',
          ].join('\n'),
        );
      return {
        status: 200,
        headers: { 'Content-Type': 'text/html' },
        body: `<!doctype html><script src="/app.js"></script><script src="${other.url}/widget.js?key=secret"></script><script src="/thrower.js?token=secret"></script>`,
      };
    });
    const chromium = await freshChromium();
    try {
      const tab = await chromium.browser.newPage();
      await tab.goto(`${page.url}/`);
      await tab.waitForFunction(() => (window as unknown as { logged(): unknown[] }).logged().length >= 6, undefined, {
        timeout: 10_000,
      });
      // Settled: nothing else comes (no double report).
      await tab.evaluate(() => new Promise((done) => setTimeout(done, 200)));
      const logged = await tab.evaluate(() => (window as unknown as { logged(): Logged[] }).logged());
      const thrower = `${page.url}/thrower.js?token=***`;
      // In the order the browser reported them, which for timers and rejections is its own.
      const summary = logged.map(({ message, exception, properties }) => ({
        message,
        exception: exception?.split('\n')[0] ?? null,
        ErrorFile: properties.ErrorFile,
        ErrorLine: properties.ErrorLine,
        ErrorColumn: typeof properties.ErrorColumn,
      }));
      const byMessage = (a: { message: string }, b: { message: string }) => a.message.localeCompare(b.message);
      assert.deepEqual(
        summary.sort(byMessage),
        [
          {
            message: "Uncaught error: Script error. (a cross-origin script's error, whose details the browser hides)",
            exception: null,
            ErrorFile: undefined,
            ErrorLine: undefined,
            ErrorColumn: 'undefined',
          },
          {
            message: 'Uncaught error: a rejected string',
            exception: 'ThrownValueError: a rejected string',
            ErrorFile: undefined,
            ErrorLine: undefined,
            ErrorColumn: 'undefined',
          },
          {
            message: 'Uncaught error: undefined',
            exception: 'ThrownValueError: undefined',
            ErrorFile: undefined,
            ErrorLine: undefined,
            ErrorColumn: 'undefined',
          },
          { message: 'Uncaught error: Uncaught null', exception: null, ErrorFile: thrower, ErrorLine: 1, ErrorColumn: 'number' },
          {
            message: 'Uncaught error: Uncaught undefined',
            exception: null,
            ErrorFile: thrower,
            ErrorLine: 2,
            ErrorColumn: 'number',
          },
          // Angular hands on a truthy `error` alone: where a string was thrown is not known.
          {
            message: 'Uncaught error: a string',
            exception: 'ThrownValueError: a string',
            ErrorFile: undefined,
            ErrorLine: undefined,
            ErrorColumn: 'undefined',
          },
        ].sort(byMessage),
      );
      const text = JSON.stringify(logged);
      assert.equal(text.includes('secret'), false, text);
      assert.equal(text.includes('isTrusted'), false, text);
    } finally {
      await chromium.close();
      await page.close();
      await other.close();
    }
  });
});
