// Real Chromium: what a page's uncaught errors look like when they reach withErrorHandler through
// Angular's provideBrowserGlobalErrorListeners(), for the ErrorEvents that carry no error (a
// cross-origin script's muted error, `throw null`, `throw undefined`) and for thrown and rejected
// values that are no Error, in a bare injector and in a bootstrapped app.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { bundleAppScript, withAppPage } from '../helpers/angular-chromium';
import { CHROMIUM, freshChromium } from '../helpers/chromium';
import { startTestServer } from '../helpers/http-test-server';

const hasChromium = existsSync(CHROMIUM);

/** Angular's core, the real global error listeners and rxlog/angular with a MemorySink, as one page script. */
function appScript(): Promise<string> {
  return pageScript(`
import { createEnvironmentInjector, DOCUMENT, platformCore, provideBrowserGlobalErrorListeners,
  provideZonelessChangeDetection, ɵINJECTOR_SCOPE as INJECTOR_SCOPE } from '@angular/core';
createEnvironmentInjector([
  { provide: INJECTOR_SCOPE, useValue: 'root' },
  { provide: DOCUMENT, useValue: document },
  provideZonelessChangeDetection(),
  provideBrowserGlobalErrorListeners(),
  provideRxlog((c) => c.writeTo.sink(memory), withErrorHandler({ console: false })),
], platformCore().injector, 'page');
`);
}

/** An app bootstrapped as `ng new` makes one (zoneless, with the global error listeners), whose buttons and keys fail. */
function bootstrappedScript(): Promise<string> {
  return pageScript(`
import { Component, provideBrowserGlobalErrorListeners, provideZonelessChangeDetection } from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';
class App {
  throwText() { throw 'text thrown in a click handler'; }
  throwLater() { setTimeout(() => { throw 'text thrown in a timer'; }); }
  reject() { void Promise.reject({ code: 'E_REJECTED' }); }
  throwObject() { throw { code: 'E_CLICKED' }; }
  throwError() { throw new Error('an Error thrown in a click handler'); }
  throwKey() { throw 'text thrown in a keydown handler'; }
  longId = 'x'.repeat(300);
}
Component({
  selector: 'app-root',
  host: { '(document:keydown)': 'throwKey()' },
  template: '<button id="text" (click)="throwText()">a</button><button id="later" (click)="throwLater()">b</button>' +
    '<button id="reject" (click)="reject()">c</button>' +
    '<button id="inside" class="buy primary" (click)="throwObject()"><span id="label">d</span></button>' +
    '<button class="long" [id]="longId" (click)="throwError()">e</button>',
})(App);
void bootstrapApplication(App, { providers: [
  provideZonelessChangeDetection(),
  provideBrowserGlobalErrorListeners(),
  provideRxlog((c) => c.writeTo.sink(memory), withErrorHandler({ console: false })),
] }).then(() => { window.started = true; });
`);
}

/** The setup, after Angular's JIT compiler and a MemorySink whose events `window.logged()` returns, as one page script. */
async function pageScript(setup: string): Promise<string> {
  return bundleAppScript(`
import '@angular/compiler';
import { MemorySink } from '../index';
import { provideRxlog, withErrorHandler } from './index';
import { exceptionText } from '../core/exception-text';
const memory = new MemorySink();
${setup}
window.logged = () => memory.events.map((e) => ({
  message: e.renderMessage(),
  exception: e.exception === undefined ? null : exceptionText(e.exception),
  properties: JSON.parse(JSON.stringify(e.properties)),
}));
`);
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
      // The app's script with a query of its own: the stacks of the ThrownValueErrors made in it name it.
      if (request.url === '/app.js?build=secret') return js(script);
      if (request.url.startsWith('/thrower.js'))
        return js(
          [
            'setTimeout(() => { throw null; });',
            'setTimeout(() => { throw undefined; });',
            "setTimeout(() => { throw 'a string'; });",
            "Promise.reject('a rejected string');",
            'Promise.reject();',
            "setTimeout(() => { throw { code: 'E_THROWN' }; });",
            "Promise.reject({ code: 'E_REJECTED' });",
            "setTimeout(function boom() { throw new Error('an Error', { cause: new Error('its cause') }); });",
          ].join('\n'),
        );
      return {
        status: 200,
        headers: { 'Content-Type': 'text/html' },
        body: `<!doctype html><script src="/app.js?build=secret"></script><script src="${other.url}/widget.js?key=secret"></script><script src="/thrower.js?token=secret"></script>`,
      };
    });
    const chromium = await freshChromium();
    try {
      const tab = await chromium.browser.newPage();
      await tab.goto(`${page.url}/`);
      await tab.waitForFunction(() => (window as unknown as { logged(): unknown[] }).logged().length >= 9, undefined, {
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
        UnhandledRejection: properties.UnhandledRejection,
      }));
      const byMessage = (a: object, b: object) => JSON.stringify(a).localeCompare(JSON.stringify(b));
      const at = (line: number) => ({
        ErrorFile: thrower,
        ErrorLine: line,
        ErrorColumn: 'number',
        UnhandledRejection: undefined,
      });
      const rejected = { ErrorFile: undefined, ErrorLine: undefined, ErrorColumn: 'undefined', UnhandledRejection: true };
      assert.deepEqual(
        summary.sort(byMessage),
        [
          {
            message: "Uncaught error: Script error. (a cross-origin script's error, whose details the browser hides)",
            exception: null,
            ErrorFile: undefined,
            ErrorLine: undefined,
            ErrorColumn: 'undefined',
            UnhandledRejection: undefined,
          },
          // A rejection's event says nothing of where: it is marked as one.
          { message: 'Uncaught error: a rejected string', exception: 'ThrownValueError: a rejected string', ...rejected },
          { message: 'Uncaught error: undefined', exception: 'ThrownValueError: undefined', ...rejected },
          {
            message: 'Uncaught error: [object Object]',
            exception: 'ThrownValueError: {"code":"E_REJECTED"}',
            ...rejected,
          },
          { message: 'Uncaught error: Uncaught null', exception: null, ...at(1) },
          { message: 'Uncaught error: Uncaught undefined', exception: null, ...at(2) },
          // Angular hands on a truthy `error` alone; the event it came with says where it was thrown.
          { message: 'Uncaught error: a string', exception: 'ThrownValueError: a string', ...at(3) },
          { message: 'Uncaught error: [object Object]', exception: 'ThrownValueError: {"code":"E_THROWN"}', ...at(6) },
          { message: 'Uncaught error: an Error', exception: 'Error: an Error', ...at(8) },
        ].sort(byMessage),
      );
      // The Error's stack names its script with the query values redacted, as ErrorFile does.
      const thrown = logged.find((e) => e.message.endsWith('an Error'));
      assert.equal(
        thrown?.exception?.replace(/:8:\d+\)/g, ':8:N)'),
        `Error: an Error\n    at boom (${thrower}:8:N)\ncaused by: Error: its cause\n    at boom (${thrower}:8:N)`,
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

  // The stacks behind a plain object in a cause chain, and those in a thrown object's data, named
  // the script with its query values: exception text and the ThrownValueError's message wrote them.
  void it('redacts the stacks behind plain objects in cause chains and in thrown data', async () => {
    const script = await appScript();
    const js = (body: string) => ({ status: 200, headers: { 'Content-Type': 'text/javascript' }, body });
    const page = await startTestServer((request) => {
      if (request.url === '/app.js') return js(script);
      if (request.url === '/thrower.js?token=secret')
        return js(
          [
            "setTimeout(function chained() { throw new Error('a', { cause: { code: 'E_PLAIN', cause: new Error('b') } }); });",
            "setTimeout(function serialized() { const e = new Error('c'); throw new Error('d', { cause: { message: e.message, stack: e.stack } }); });",
            "setTimeout(function data() { throw { code: 'E_DATA', detail: new Error('e') }; });",
          ].join('\n'),
        );
      return {
        status: 200,
        headers: { 'Content-Type': 'text/html' },
        body: '<!doctype html><script src="/app.js"></script><script src="/thrower.js?token=secret"></script>',
      };
    });
    const chromium = await freshChromium();
    try {
      const tab = await chromium.browser.newPage();
      await tab.goto(`${page.url}/`);
      await tab.waitForFunction(() => (window as unknown as { logged(): unknown[] }).logged().length >= 3, undefined, {
        timeout: 10_000,
      });
      const logged = await tab.evaluate(() => (window as unknown as { logged(): Logged[] }).logged());
      const thrower = `${page.url}/thrower.js?token=***`;
      const text = (message: string) => logged.find((e) => e.message === `Uncaught error: ${message}`)?.exception ?? '';
      assert.equal(
        text('a').replace(/:1:\d+\)/g, ':1:N)'),
        `Error: a\n    at chained (${thrower}:1:N)\ncaused by: {"code":"E_PLAIN","cause":{}}\ncaused by: Error: b\n    at chained (${thrower}:1:N)`,
      );
      assert.equal(
        text('d').replace(/:2:\d+\)/g, ':2:N)'),
        `Error: d\n    at serialized (${thrower}:2:N)\ncaused by: Error: c\n    at serialized (${thrower}:2:N)`,
      );
      assert.match(
        text('[object Object]'),
        /^ThrownValueError: \{"code":"E_DATA","detail":\{"name":"Error","message":"e","stack":"Error: e\\n {4}at data \(/,
      );
      const all = JSON.stringify(logged);
      assert.equal(all.includes('secret'), false, all);
      assert.equal(all.includes('token=***'), true, all);
    } finally {
      await chromium.close();
      await page.close();
    }
  });

  // A string thrown in a timer and an object rejected reached the handler as the bare value: the
  // event said neither where the string was thrown nor that the object was a rejection.
  void it("logs a bootstrapped app's thrown and rejected non-Errors once each, with where and how", async () => {
    const script = await bootstrappedScript();
    const page = await startTestServer((request) =>
      request.url === '/app.js'
        ? { status: 200, headers: { 'Content-Type': 'text/javascript' }, body: script }
        : {
            status: 200,
            headers: { 'Content-Type': 'text/html' },
            body: '<!doctype html><app-root></app-root><script src="/app.js"></script>',
          },
    );
    const chromium = await freshChromium();
    try {
      const tab = await chromium.browser.newPage();
      await tab.goto(`${page.url}/`);
      await tab.waitForFunction(() => (window as unknown as { started?: boolean }).started === true, undefined, {
        timeout: 10_000,
      });
      for (const button of ['#text', '#later', '#reject']) await tab.click(button);
      await tab.waitForFunction(() => (window as unknown as { logged(): unknown[] }).logged().length >= 3, undefined, {
        timeout: 10_000,
      });
      // The span inside the button: the event's target, not the element the (click) is on.
      await tab.click('#label');
      await tab.click('button.long');
      await tab.keyboard.press('a');
      await tab.waitForFunction(() => (window as unknown as { logged(): unknown[] }).logged().length >= 6, undefined, {
        timeout: 10_000,
      });
      // Settled: nothing else comes (no double report).
      await tab.evaluate(() => new Promise((done) => setTimeout(done, 200)));
      const logged = await tab.evaluate(() => (window as unknown as { logged(): Logged[] }).logged());
      const none = { ErrorFile: undefined, ErrorLine: 'undefined', UnhandledRejection: undefined };
      assert.deepEqual(
        logged.map(({ message, exception, properties }) => ({
          message,
          exception: exception?.split('\n')[0],
          ErrorFile: properties.ErrorFile,
          ErrorLine: typeof properties.ErrorLine,
          UnhandledRejection: properties.UnhandledRejection,
          EventName: properties.EventName,
          EventTarget: properties.EventTarget,
        })),
        [
          // Angular caught it in its listener, with no word from the browser of where: the event
          // being dispatched says which listener, the element its (click) is on.
          {
            message: 'Uncaught error: text thrown in a click handler',
            exception: 'ThrownValueError: text thrown in a click handler',
            ...none,
            EventName: 'click',
            EventTarget: 'button#text',
          },
          {
            message: 'Uncaught error: text thrown in a timer',
            exception: 'ThrownValueError: text thrown in a timer',
            ErrorFile: `${page.url}/app.js`,
            ErrorLine: 'number',
            UnhandledRejection: undefined,
            EventName: undefined,
            EventTarget: undefined,
          },
          {
            message: 'Uncaught error: [object Object]',
            exception: 'ThrownValueError: {"code":"E_REJECTED"}',
            ErrorFile: undefined,
            ErrorLine: 'undefined',
            UnhandledRejection: true,
            EventName: undefined,
            EventTarget: undefined,
          },
          {
            message: 'Uncaught error: [object Object]',
            exception: 'ThrownValueError: {"code":"E_CLICKED"}',
            ...none,
            EventName: 'click',
            EventTarget: 'button#inside.buy.primary',
          },
          {
            message: 'Uncaught error: an Error thrown in a click handler',
            exception: 'Error: an Error thrown in a click handler',
            ...none,
            EventName: 'click',
            // Cut at 100 characters.
            EventTarget: `button#${'x'.repeat(93)}…`,
          },
          {
            message: 'Uncaught error: text thrown in a keydown handler',
            exception: 'ThrownValueError: text thrown in a keydown handler',
            ...none,
            EventName: 'keydown',
            EventTarget: 'HTMLDocument',
          },
        ],
      );
    } finally {
      await chromium.close();
      await page.close();
    }
  });

  // A lazy route whose chunk the server no longer has (a deploy replaced it; the server answers its
  // index.html): Angular hands the NavigationError to the ErrorHandler (a routerLink's rejection, or
  // an unhandled one), which named the page being left, not the route that failed to load.
  void it("logs a lazy route's chunk that fails to load once per navigation, naming the route it was for", async () => {
    const script = await pageScript(`
import { Component, provideBrowserGlobalErrorListeners } from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';
import { provideRouter, Router, RouterLink, RouterOutlet } from '@angular/router';
import { withRouterContext } from './index';
const app = { started: false };
window.app = app;
class App {}
Component({ selector: 'app-root', imports: [RouterOutlet, RouterLink],
  template: '<a id="orders" routerLink="/orders/7" [queryParams]="{ token: 1234 }">orders</a><router-outlet />' })(App);
const chunk = '/chunk-ORDERS.js';
void bootstrapApplication(App, { providers: [
  provideBrowserGlobalErrorListeners(),
  provideRouter([{ path: '', children: [] }, { path: 'orders/:id', loadComponent: () => import(chunk) }]),
  provideRxlog((c) => c.writeTo.sink(memory), withErrorHandler({ console: false }), withRouterContext()),
] }).then((appRef) => { app.router = appRef.injector.get(Router); app.started = true; }, (e) => { app.failed = String(e); });
`);
    await withAppPage(script, async (tab, page) => {
      await tab.click('#orders');
      // The first navigation's failure first: a second navigation that starts while the first
      // still loads its chunk cancels it (a NavigationCancel, rightly not logged), which a slow
      // chunk answer on a loaded machine made happen.
      await tab.waitForFunction(() => (window as unknown as { logged(): unknown[] }).logged().length >= 1, undefined, {
        timeout: 10_000,
      });
      // A navigate() whose promise nobody handles: its rejection reaches the handler unhandled.
      await tab.evaluate(
        () =>
          void (
            window as unknown as { app: { router: { navigateByUrl(url: string): Promise<boolean> } } }
          ).app.router.navigateByUrl('/orders/8'),
      );
      await tab.waitForFunction(() => (window as unknown as { logged(): unknown[] }).logged().length >= 2, undefined, {
        timeout: 10_000,
      });
      await tab.evaluate(() => new Promise((done) => setTimeout(done, 300)));
      const logged = await tab.evaluate(() => (window as unknown as { logged(): Logged[] }).logged());
      const failed = `Failed to fetch dynamically imported module: ${page.url}/chunk-ORDERS.js`;
      assert.deepEqual(
        logged.map(({ message, exception, properties }) => [
          message,
          exception?.split('\n')[0],
          properties.Route,
          properties.TargetRoute,
        ]),
        [
          [`Navigation to /orders/7 failed: ${failed}`, `TypeError: ${failed}`, '/', '/orders/7'],
          [`Navigation to /orders/8 failed: ${failed}`, `TypeError: ${failed}`, '/', '/orders/8'],
        ],
      );
    });
  });
});
