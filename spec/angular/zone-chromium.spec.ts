// Real Chromium, zone.js loaded and provideZoneChangeDetection(): what docs/angular.md says of
// rxlog under zone.js, checked in a bootstrapped Angular 21 app. Change detection is counted by
// the root component's ngDoCheck, which every ApplicationRef tick calls.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { bundleAppScript, ingested, waitForApp, withAppPage } from '../helpers/angular-chromium';
import { CHROMIUM } from '../helpers/chromium';

const hasChromium = existsSync(CHROMIUM);
/** Each test ends, passed or failed, within a minute (a server waited for never answers). */
const bounded = { timeout: 60_000 };

/**
 * An app with zone.js, its root component counting checks, logging to a MemorySink and to an
 * HttpSink posting to /ingest in batches (`batch` the lane's batch options). Exposes `window.app`.
 */
async function zoneAppScript(options: {
  batch: string;
  extraSetup?: string;
  extraProviders?: string;
  onFailure?: string;
}): Promise<string> {
  return bundleAppScript(`
import 'zone.js';
import '@angular/compiler';
import { Component, NgZone, provideAppInitializer, provideBrowserGlobalErrorListeners, provideEnvironmentInitializer, provideZoneChangeDetection } from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';
import { HttpSink, LoggerConfiguration, MemorySink } from '../index';
import { provideRxlog, RXLOG_LOGGER, withErrorHandler } from './index';
import { exceptionText } from '../core/exception-text';
const memory = new MemorySink();
const app = { checks: 0, started: false };
window.app = app;
class App {
  ngDoCheck() { app.checks++; }
  throwText() { throw 'text thrown in a click handler'; }
  throwLater() { setTimeout(() => { throw 'text thrown in a timer'; }); }
  throwErrorLater() { setTimeout(() => { throw new Error('an Error thrown in a timer'); }); }
  rejectText() { void Promise.reject('a rejected string'); }
  rejectError() { void Promise.reject(new Error('a rejected Error')); }
  logIt() { app.log.information('Clicked {Button}', 'log'); }
}
Component({
  selector: 'app-root',
  template: '<button id="text" (click)="throwText()">a</button><button id="later" (click)="throwLater()">b</button>' +
    '<button id="errorLater" (click)="throwErrorLater()">c</button><button id="rejectText" (click)="rejectText()">d</button>' +
    '<button id="rejectError" (click)="rejectError()">e</button><button id="log" (click)="logIt()">f</button>',
})(App);
${options.extraSetup ?? ''}
bootstrapApplication(App, { providers: [
  provideZoneChangeDetection(),
  provideBrowserGlobalErrorListeners(),
  provideRxlog((c) => c.writeTo.sink(memory).writeTo.sink(new HttpSink({ url: '/ingest' }), ${options.batch}),
    withErrorHandler({ console: false })),
  ${options.extraProviders ?? ''}
] }).then((appRef) => {
  app.appRef = appRef;
  app.zone = appRef.injector.get(NgZone);
  app.log = appRef.injector.get(RXLOG_LOGGER);
  app.started = true;
}, ${options.onFailure ?? '(error) => { app.failed = String(error); }'});
app.logged = () => memory.events.map((e) => ({
  message: e.renderMessage(),
  exception: e.exception === undefined ? null : exceptionText(e.exception),
  properties: JSON.parse(JSON.stringify(e.properties)),
}));
app.inZone = () => Zone.current.name;
`);
}

interface Logged {
  message: string;
  exception: string | null;
  properties: Record<string, unknown>;
}

interface AppWindow {
  app: {
    checks: number;
    started: boolean;
    failed?: string;
    appRef: { whenStable(): Promise<void>; isStable: { subscribe(f: (v: boolean) => void): unknown } };
    zone: { run<T>(fn: () => T): T; runOutsideAngular<T>(fn: () => T): T };
    log: { information(template: string, ...args: unknown[]): void; error(template: string, ...args: unknown[]): void };
    logged(): Logged[];
  };
}

/** Waits `ms` in the page outside Angular's zone (a timer there would itself run change detection). */
function settle(tab: Page, ms: number): Promise<unknown> {
  return tab.evaluate(
    (wait) => (window as unknown as AppWindow).app.zone.runOutsideAngular(() => new Promise((done) => setTimeout(done, wait))),
    ms,
  );
}

const checks = (tab: Page) => tab.evaluate(() => (window as unknown as AppWindow).app.checks);

void describe('provideRxlog under zone.js in Chromium', { skip: !hasChromium }, () => {
  void it('runs no change detection for the batch timer, the fetch and its answer', bounded, async () => {
    const script = await zoneAppScript({ batch: '{ batch: { size: 100, maxDelayMs: 300 } }' });
    await withAppPage(script, async (tab, page) => {
      await settle(tab, 100);
      const before = await checks(tab);
      // A click runs its handler in the zone: one check for the click, none for what logging starts.
      await tab.click('#log');
      await page.received(1, (r) => r.url === '/ingest');
      await settle(tab, 300);
      const afterClick = await checks(tab);
      assert.equal(afterClick - before, 1);
      // Logged inside zone.run: the check run leaving it, nothing else.
      await tab.evaluate(() => {
        const { app } = window as unknown as AppWindow;
        app.zone.run(() => app.log.information('Inside {Where}', 'zone.run'));
      });
      await page.received(2, (r) => r.url === '/ingest');
      await settle(tab, 300);
      assert.equal((await checks(tab)) - afterClick, 1);
    });
  });

  // Listeners added in Angular's zone make every event they hear a change detection.
  void it("runs no change detection for the page lifecycle and the sinks' online listeners", bounded, async () => {
    const script = await zoneAppScript({ batch: '{ batch: { size: 100, maxDelayMs: 60_000 } }' });
    await withAppPage(script, async (tab, page) => {
      await tab.evaluate(() => {
        const { app } = window as unknown as AppWindow;
        app.zone.run(() => app.log.information('Held {N}', 1));
      });
      await settle(tab, 100);
      const before = await checks(tab);
      await tab.evaluate(() => {
        for (const type of ['online', 'pagehide', 'freeze']) window.dispatchEvent(new Event(type));
        document.dispatchEvent(new Event('visibilitychange'));
      });
      await settle(tab, 300);
      assert.equal(await checks(tab), before);
      // The pagehide listener heard it: the held event left by beacon.
      await page.received(1, (r) => r.url === '/ingest');
    });
  });

  void it('becomes stable while a batch waits for its timer and while its upload is in flight', bounded, async () => {
    const script = await zoneAppScript({ batch: '{ batch: { size: 2, maxDelayMs: 60_000 } }' });
    // The server never answers: the upload stays in flight.
    await withAppPage(
      script,
      async (tab, page) => {
        const stableWithin = (ms: number) =>
          tab.evaluate((wait) => {
            const { app } = window as unknown as AppWindow;
            return app.zone.runOutsideAngular(() =>
              Promise.race([
                app.appRef.whenStable().then(() => 'stable'),
                new Promise((done) => setTimeout(() => done('not stable'), wait)),
              ]),
            );
          }, ms);
        // One event: a partial batch, its 60-second timer started inside the zone.
        await tab.evaluate(() => {
          const { app } = window as unknown as AppWindow;
          app.zone.run(() => app.log.information('One {N}', 1));
        });
        assert.equal(await stableWithin(2_000), 'stable');
        // A second: the batch is full and its fetch never ends.
        await tab.evaluate(() => {
          const { app } = window as unknown as AppWindow;
          app.zone.run(() => app.log.information('Two {N}', 2));
        });
        await page.received(1, (r) => r.url === '/ingest');
        assert.equal(await stableWithin(2_000), 'stable');
        // The check: a timer started in the zone does hold it.
        await tab.evaluate(() => {
          const { app } = window as unknown as AppWindow;
          app.zone.run(() => setTimeout(() => undefined, 5_000));
        });
        assert.equal(await stableWithin(500), 'not stable');
      },
      { ingest: () => 'hang' },
    );
  });

  void it('runs no change detection for retries', bounded, async () => {
    const script = await zoneAppScript({
      batch: '{ batch: { size: 100, maxDelayMs: 50 }, retry: { attempts: 3, initialDelayMs: 100, maxDelayMs: 100, jitter: 0 } }',
    });
    let attempts = 0;
    // Twice 503, then 200: two retries, each after its timer.
    await withAppPage(
      script,
      async (tab, page) => {
        await settle(tab, 100);
        const before = await checks(tab);
        await tab.evaluate(() => {
          const { app } = window as unknown as AppWindow;
          app.zone.run(() => app.log.information('Retried {N}', 1));
        });
        await page.received(3, (r) => r.url === '/ingest');
        await settle(tab, 300);
        assert.equal((await checks(tab)) - before, 1);
      },
      { ingest: () => ({ status: ++attempts < 3 ? 503 : 200 }) },
    );
  });

  // A promise rejected outside Angular's zone and never handled reached no listener: zone.js
  // failed to build the event it hands them (angular/angular#51357).
  void it('logs errors thrown and rejected inside and outside the zone once each', bounded, async () => {
    const script = await zoneAppScript({ batch: '{ batch: { size: 100, maxDelayMs: 300 } }' });
    await withAppPage(script, async (tab) => {
      for (const button of ['#text', '#later', '#errorLater', '#rejectText', '#rejectError']) await tab.click(button);
      await tab.evaluate(() => {
        const { app } = window as unknown as AppWindow;
        app.zone.runOutsideAngular(() => {
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- what a page may reject with
          void Promise.reject('rejected outside');
          void Promise.reject(new Error('an Error rejected outside'));
          setTimeout(() => {
            throw 'thrown outside';
          });
          // An async function's promise is the browser's own, which zone.js does not patch.
          void (async () => {
            await new Promise((resolve) => setTimeout(resolve));
            throw 'async rejected outside';
          })();
        });
      });
      await tab.waitForFunction(() => (window as unknown as AppWindow).app.logged().length >= 9, undefined, { timeout: 10_000 });
      // Settled: nothing else comes (no double report).
      await settle(tab, 300);
      const logged = await tab.evaluate(() => (window as unknown as AppWindow).app.logged());
      const summary = logged
        .map(({ message, exception, properties }) => ({
          message,
          exception: exception?.split('\n')[0] ?? null,
          UnhandledRejection: properties.UnhandledRejection,
          EventName: properties.EventName,
        }))
        .sort((a, b) => a.message.localeCompare(b.message));
      const rejected = { UnhandledRejection: true, EventName: undefined };
      assert.deepEqual(summary, [
        {
          message: 'Uncaught error: a rejected Error',
          exception: 'Error: a rejected Error',
          UnhandledRejection: undefined,
          EventName: 'click',
        },
        // zone.js hands a rejection in Angular's zone to NgZone as the value itself, when it runs
        // the microtasks of the click: nothing tells it from a throw.
        {
          message: 'Uncaught error: a rejected string',
          exception: 'ThrownValueError: a rejected string',
          UnhandledRejection: undefined,
          EventName: 'click',
        },
        { message: 'Uncaught error: an Error rejected outside', exception: 'Error: an Error rejected outside', ...rejected },
        {
          message: 'Uncaught error: an Error thrown in a timer',
          exception: 'Error: an Error thrown in a timer',
          UnhandledRejection: undefined,
          EventName: undefined,
        },
        { message: 'Uncaught error: async rejected outside', exception: 'ThrownValueError: async rejected outside', ...rejected },
        { message: 'Uncaught error: rejected outside', exception: 'ThrownValueError: rejected outside', ...rejected },
        {
          message: 'Uncaught error: text thrown in a click handler',
          exception: 'ThrownValueError: text thrown in a click handler',
          UnhandledRejection: undefined,
          EventName: 'click',
        },
        {
          message: 'Uncaught error: text thrown in a timer',
          exception: 'ThrownValueError: text thrown in a timer',
          UnhandledRejection: undefined,
          EventName: undefined,
        },
        {
          message: 'Uncaught error: thrown outside',
          exception: 'ThrownValueError: thrown outside',
          UnhandledRejection: undefined,
          EventName: undefined,
        },
      ]);
    });
  });

  // An app (or an error tracker) that set its own handler of the rejections zone.js handles, before
  // rxlog started, lost it: rxlog replaced it with the one that tells the window's listeners.
  void it('keeps a rejection handler the app set in zone.js before it, calling it after logging', bounded, async () => {
    const script = await zoneAppScript({
      batch: '{ batch: { size: 100, maxDelayMs: 300 } }',
      extraSetup: `
const tracked = [];
app.tracked = tracked;
Zone[Zone.__symbol__('unhandledPromiseRejectionHandler')] = function (error) {
  tracked.push({ error: String(error), logged: app.logged().length });
};`,
    });
    await withAppPage(script, async (tab) => {
      await tab.evaluate(() => {
        const { app } = window as unknown as AppWindow;
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- what a page may reject with
        app.zone.runOutsideAngular(() => void Promise.reject('rejected outside'));
      });
      await tab.waitForFunction(() => (window as unknown as AppWindow).app.logged().length >= 1, undefined, { timeout: 10_000 });
      await settle(tab, 300);
      const logged = await tab.evaluate(() => (window as unknown as AppWindow).app.logged());
      assert.deepEqual(
        logged.map(({ message, properties }) => [message, properties.UnhandledRejection]),
        [['Uncaught error: rejected outside', true]],
      );
      const tracked = await tab.evaluate(() => (window as unknown as { app: { tracked: unknown[] } }).app.tracked);
      // Once, with what zone.js hands it, after the window's listeners had the event.
      assert.deepEqual(tracked, [{ error: 'rejected outside', logged: 1 }]);
    });
  });

  // zone.js has one slot for the handler and no way to chain; an assignment replaces what is there,
  // as an app's ErrorHandler provider replaces Angular's. An app that sets its own after rxlog
  // started and wants both calls the one it found, as rxlog does with one set before it.
  void it(
    'leaves a rejection handler the app sets in zone.js after it in charge, logging only when it calls the one it found',
    bounded,
    async () => {
      const script = await zoneAppScript({ batch: '{ batch: { size: 100, maxDelayMs: 300 } }' });
      await withAppPage(script, async (tab) => {
        const rejectOutside = (value: string) =>
          tab.evaluate((reason) => {
            const { app } = window as unknown as AppWindow;
            // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- what a page may reject with
            app.zone.runOutsideAngular(() => void Promise.reject(reason));
          }, value);
        const setHandler = (chain: boolean) =>
          tab.evaluate((callFound) => {
            const page = window as unknown as {
              Zone: Record<string, unknown> & { __symbol__(name: string): string };
              tracked: string[];
            };
            const key = page.Zone.__symbol__('unhandledPromiseRejectionHandler');
            const found = page.Zone[key] as (this: unknown, error: unknown) => void;
            page.tracked = [];
            page.Zone[key] = function (this: unknown, error: unknown) {
              if (callFound) found.call(this, error);
              page.tracked.push(String(error));
            };
          }, chain);
        const tracked = () => tab.evaluate(() => (window as unknown as { tracked: string[] }).tracked);
        const messages = async () =>
          (await tab.evaluate(() => (window as unknown as AppWindow).app.logged())).map((e) => [
            e.message,
            e.properties.UnhandledRejection,
          ]);

        await setHandler(true);
        await rejectOutside('rejected with both handlers');
        await tab.waitForFunction(() => (window as unknown as AppWindow).app.logged().length >= 1, undefined, {
          timeout: 10_000,
        });
        await settle(tab, 300);
        assert.deepEqual(await messages(), [['Uncaught error: rejected with both handlers', true]]);
        assert.deepEqual(await tracked(), ['rejected with both handlers']);

        await setHandler(false);
        await rejectOutside('rejected with the app handler alone');
        await tab.waitForFunction(() => (window as unknown as { tracked: string[] }).tracked.length >= 1, undefined, {
          timeout: 10_000,
        });
        await settle(tab, 300);
        assert.deepEqual(await tracked(), ['rejected with the app handler alone']);
        assert.deepEqual(await messages(), [['Uncaught error: rejected with both handlers', true]]);
      });
    },
  );

  void it("logs zone.js's wrapper of a rejection by the rejected value, marked as a rejection, once", bounded, async () => {
    const script = await zoneAppScript({ batch: '{ batch: { size: 100, maxDelayMs: 300 } }' });
    await withAppPage(
      script,
      async (tab) => {
        for (const button of ['#rejectText', '#rejectError']) await tab.click(button);
        await tab.evaluate(() => {
          const { app } = window as unknown as AppWindow;
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- what a page may reject with
          app.zone.runOutsideAngular(() => void Promise.reject('rejected outside'));
        });
        await tab.waitForFunction(() => (window as unknown as AppWindow).app.logged().length >= 3, undefined, {
          timeout: 10_000,
        });
        await settle(tab, 300);
        const logged = await tab.evaluate(() => (window as unknown as AppWindow).app.logged());
        assert.deepEqual(
          logged.map(({ message, exception, properties }) => ({
            message,
            exception: exception?.split('\n')[0] ?? null,
            UnhandledRejection: properties.UnhandledRejection,
          })),
          [
            {
              message: 'Uncaught error: a rejected string',
              exception: 'ThrownValueError: a rejected string',
              UnhandledRejection: true,
            },
            { message: 'Uncaught error: a rejected Error', exception: 'Error: a rejected Error', UnhandledRejection: true },
            {
              message: 'Uncaught error: rejected outside',
              exception: 'ThrownValueError: rejected outside',
              UnhandledRejection: true,
            },
          ],
        );
        // The rejected Error's own stack, not the wrapper's "Uncaught (in promise)".
        assert.match(logged[1].exception ?? '', /^Error: a rejected Error\n {4}at App\.rejectError /);
      },
      { preamble: 'window.__zone_symbol__DISABLE_WRAPPING_UNCAUGHT_PROMISE_REJECTION = false;' },
    );
  });

  // The app never starts, its injector is never destroyed and the logger never closed: what it
  // logged, the failure included, leaves with the batch timer.
  void it('delivers the error of an initializer that fails the bootstrap', bounded, async () => {
    const script = await zoneAppScript({
      batch: '{ batch: { size: 100, maxDelayMs: 300 } }',
      extraProviders: "provideAppInitializer(() => { throw new Error('the settings could not be loaded'); }),",
    });
    await withAppPage(
      script,
      async (tab, page) => {
        await waitForApp(tab);
        await page.received(1, (r) => r.url === '/ingest');
        const events = ingested(page);
        assert.deepEqual(
          events.map((e) => [e['@mt'], e.ErrorMessage]),
          [['Uncaught error: {ErrorMessage}', 'the settings could not be loaded']],
        );
      },
      { start: false },
    );
  });

  // An environment initializer that throws fails the bootstrap before Angular subscribes its
  // ErrorHandler to NgZone.onError. Under zone.js the error is still logged, as an unhandled
  // rejection: bootstrapApplication (an async function) returns zone.js's rejected promise, which
  // zone.js reports before the async function takes it; the logger is never closed, and the event
  // leaves with the batch timer. The pattern docs/angular.md gives for main.ts (a logger of its
  // own in bootstrapApplication's catch, closed) delivers it as well.
  void it("logs an environment initializer's failure as a rejection, and main.ts's own logger delivers it", bounded, async () => {
    const script = await zoneAppScript({
      batch: '{ batch: { size: 100, maxDelayMs: 300 } }',
      extraProviders: "provideEnvironmentInitializer(() => { throw new Error('the feature flags could not be read'); }),",
      onFailure: `async (error) => {
        const log = new LoggerConfiguration().writeTo.sink(new HttpSink({ url: '/ingest' })).createLogger();
        log.fatal(error, 'The app failed to start');
        await log.close();
        app.failed = String(error);
      }`,
    });
    await withAppPage(
      script,
      async (tab, page) => {
        await waitForApp(tab);
        await page.received(2, (r) => r.url === '/ingest');
        const logged = await tab.evaluate(() => (window as unknown as AppWindow).app.logged());
        assert.deepEqual(
          logged.map(({ message, properties }) => [message, properties.UnhandledRejection]),
          [['Uncaught error: the feature flags could not be read', true]],
        );
        const events = ingested(page);
        assert.deepEqual(events.map((e) => [e['@l'] ?? 'Information', e['@mt'], String(e['@x']).split('\n')[0]]).sort(), [
          ['Error', 'Uncaught error: {ErrorMessage}', 'Error: the feature flags could not be read'],
          ['Fatal', 'The app failed to start', 'Error: the feature flags could not be read'],
        ]);
      },
      { start: false },
    );
  });

  // zone.js's long stack trace zone (dev mode, with its plugin loaded) joins the stacks of the
  // timers that led to an error, ten at most: the exception keeps them, whole.
  void it("keeps the long stack trace zone's stacks of an error, which zone.js bounds", bounded, async () => {
    const script = await zoneAppScript({
      batch: '{ batch: { size: 100, maxDelayMs: 300 } }',
      extraSetup: "import 'zone.js/plugins/long-stack-trace-zone';",
    });
    await withAppPage(script, async (tab) => {
      await tab.evaluate(() => {
        const { app } = window as unknown as AppWindow;
        app.zone.run(() => {
          const w = window as unknown as { n: number; next(): void };
          w.n = 0;
          w.next = function () {
            if (++w.n === 40) throw new Error('deep');
            setTimeout(w.next);
          };
          setTimeout(w.next);
        });
      });
      await tab.waitForFunction(() => (window as unknown as AppWindow).app.logged().length >= 1, undefined, { timeout: 10_000 });
      const logged = await tab.evaluate(() => (window as unknown as AppWindow).app.logged());
      const text = logged[0].exception ?? '';
      assert.match(text, /^Error: deep\n/);
      assert.equal(text.match(/at _{20}Elapsed_\d+_ms__At__/g)?.length, 10);
      assert.equal(text.includes('[truncated'), false);
    });
  });
});
