// Real Chromium, no zone.js: what reaches the log server when an Angular 21 app fails to start,
// checked against what docs/angular.md ("When the app fails to start") says, with the main.ts
// pattern it gives (a logger of its own in bootstrapApplication's catch, closed).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { bundleAppScript, ingested, waitForApp, withAppPage } from '../helpers/angular-chromium';
import { CHROMIUM } from '../helpers/chromium';

const hasChromium = existsSync(CHROMIUM);
/** Each test ends, passed or failed, within a minute (a server waited for never answers). */
const bounded = { timeout: 60_000 };

/**
 * A zoneless app (no zone.js loaded) whose `providers` fail its bootstrap, with `provideRxlog`
 * posting to /ingest in batches of 300 ms, and main.ts's catch as docs/angular.md gives it. Sets
 * `window.app.failed` once that catch has closed its logger.
 */
async function failingAppScript(providers: string): Promise<string> {
  return bundleAppScript(`
import '@angular/compiler';
import { Component, provideAppInitializer, provideBrowserGlobalErrorListeners, provideEnvironmentInitializer,
  provideZonelessChangeDetection } from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';
import { HttpSink, LoggerConfiguration } from '../index';
import { provideRxlog, withErrorHandler } from './index';
const app = { started: false };
window.app = app;
class App {}
Component({ selector: 'app-root', template: '' })(App);
const sinks = (c) => c.writeTo.sink(new HttpSink({ url: '/ingest' }), { batch: { size: 100, maxDelayMs: 300 } });
bootstrapApplication(App, { providers: [
  ${providers}
] }).then(() => { app.started = true; }).catch(async (error) => {
  const log = sinks(new LoggerConfiguration()).createLogger();
  log.fatal(error, 'The app failed to start');
  await log.close();
  app.failed = String(error);
});
`);
}

const rxlog = 'provideRxlog(sinks, withErrorHandler({ console: false })),';
const throwingEnvironmentInitializer =
  "provideEnvironmentInitializer(() => { throw new Error('the feature flags could not be read'); }),";
const throwingAppInitializer = "provideAppInitializer(() => { throw new Error('the settings could not be loaded'); }),";
/** An async initializer (the usual shape: it awaits the settings' fetch) whose promise rejects. */
const rejectingAppInitializer =
  "provideAppInitializer(async () => { await Promise.resolve(); throw new Error('the settings could not be loaded'); }),";

/**
 * Opens the page of `providers`' app, waits for main.ts's catch to finish and then 600 ms (two of
 * the app logger's batch periods), and returns what /ingest got: [level, template, the exception's
 * first line] of each event.
 */
async function delivered(providers: string): Promise<string[][]> {
  const script = await failingAppScript(providers);
  let events: string[][] = [];
  await withAppPage(
    script,
    async (tab, page) => {
      await waitForApp(tab);
      assert.notEqual(await tab.evaluate(() => (window as unknown as { app: { failed?: string } }).app.failed), undefined);
      // A batch the app's own logger holds would leave within its 300 ms.
      await tab.evaluate(() => new Promise((done) => setTimeout(done, 600)));
      const text = (value: unknown, absent = ''): string => (typeof value === 'string' ? value : absent);
      events = ingested(page).map((e) => [text(e['@l'], 'Information'), text(e['@mt']), text(e['@x']).split('\n')[0]]);
    },
    { start: false },
  );
  return events;
}

const zoneless = 'provideZonelessChangeDetection(), provideBrowserGlobalErrorListeners(),';
const fatal = (message: string) => ['Fatal', 'The app failed to start', `Error: ${message}`];
const uncaught = (message: string) => ['Error', 'Uncaught error: {ErrorMessage}', `Error: ${message}`];

void describe('an Angular app without zone.js that fails to start, in Chromium', { skip: !hasChromium }, () => {
  // No zone.js promise to report as unhandled, and Angular subscribes its ErrorHandler only after
  // the environment initializers ran: the app's logger, built or not, logs nothing.
  for (const [setup, providers] of [
    ['provideZonelessChangeDetection() and the global error listeners', `${zoneless} ${rxlog} ${throwingEnvironmentInitializer}`],
    ['the default change detection, no global error listeners', `${rxlog} ${throwingEnvironmentInitializer}`],
    ['the initializer before provideRxlog', `${zoneless} ${throwingEnvironmentInitializer} ${rxlog}`],
  ])
    void it(`delivers an environment initializer's failure only by main.ts's logger (${setup})`, bounded, async () => {
      assert.deepEqual(await delivered(providers), [fatal('the feature flags could not be read')]);
    });

  // Angular hands an app initializer's failure to the ErrorHandler, zone.js or not: withErrorHandler
  // logs it, and main.ts's logger a second time.
  for (const [setup, providers] of [
    ['throws, provideZonelessChangeDetection() and the global error listeners', `${zoneless} ${rxlog} ${throwingAppInitializer}`],
    ['throws, the default change detection, no global error listeners', `${rxlog} ${throwingAppInitializer}`],
    [
      'throws, provideZonelessChangeDetection(), no global error listeners',
      `provideZonelessChangeDetection(), ${rxlog} ${throwingAppInitializer}`,
    ],
    [
      'throws, the default change detection and the global error listeners',
      `provideBrowserGlobalErrorListeners(), ${rxlog} ${throwingAppInitializer}`,
    ],
    [
      'rejects, provideZonelessChangeDetection() and the global error listeners',
      `${zoneless} ${rxlog} ${rejectingAppInitializer}`,
    ],
    ['rejects, the default change detection, no global error listeners', `${rxlog} ${rejectingAppInitializer}`],
  ])
    void it(`delivers an app initializer's failure by withErrorHandler and by main.ts's logger (${setup})`, bounded, async () => {
      assert.deepEqual((await delivered(providers)).sort(), [
        uncaught('the settings could not be loaded'),
        fatal('the settings could not be loaded'),
      ]);
    });
});

/**
 * What /ingest got, as `delivered` gives it, from a zoneless app whose root component runs `body`
 * in its constructor, and whether its bootstrap failed, 600 ms after it started or failed.
 */
async function deliveredByRootComponent(body: string): Promise<{ failed: boolean; events: string[][] }> {
  const script = await bundleAppScript(`
import '@angular/compiler';
import { afterNextRender, Component, provideBrowserGlobalErrorListeners, provideZonelessChangeDetection } from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';
import { HttpSink } from '../index';
import { provideRxlog, withErrorHandler } from './index';
const app = { started: false };
window.app = app;
class App {
  constructor() { ${body} }
}
Component({ selector: 'app-root', template: 'shop' })(App);
const sinks = (c) => c.writeTo.sink(new HttpSink({ url: '/ingest' }), { batch: { size: 100, maxDelayMs: 300 } });
bootstrapApplication(App, { providers: [${zoneless} ${rxlog}] })
  .then(() => { app.started = true; }, (error) => { app.failed = String(error); });
`);
  let result = { failed: false, events: [] as string[][] };
  await withAppPage(
    script,
    async (tab, page) => {
      await waitForApp(tab);
      const failed = await tab.evaluate(() => (window as unknown as { app: { failed?: string } }).app.failed !== undefined);
      await tab.evaluate(() => new Promise((done) => setTimeout(done, 600)));
      const text = (value: unknown, absent = ''): string => (typeof value === 'string' ? value : absent);
      result = {
        failed,
        events: ingested(page).map((e) => [text(e['@l'], 'Information'), text(e['@mt']), text(e['@x']).split('\n')[0]]),
      };
    },
    { start: false },
  );
  return result;
}

void describe('errors Angular hands to the ErrorHandler as a zoneless app renders, in Chromium', { skip: !hasChromium }, () => {
  // Angular catches what an afterNextRender callback throws (its write phase or its read phase)
  // and hands it to the application's error handler, the ErrorHandler: the app runs on.
  for (const callback of [
    "() => { throw new Error('the chart could not be drawn'); }",
    "{ read: () => { throw new Error('the chart could not be drawn'); } }",
  ])
    void it(
      `logs an error thrown in afterNextRender(${callback.startsWith('{') ? '{ read }' : 'callback'}) once`,
      bounded,
      async () => {
        assert.deepEqual(await deliveredByRootComponent(`afterNextRender(${callback});`), {
          failed: false,
          events: [uncaught('the chart could not be drawn')],
        });
      },
    );

  // The root component's constructor runs in bootstrap, after the environment initializers: Angular
  // hands its error to the ErrorHandler and rejects bootstrapApplication's promise with it.
  void it("logs once the error of a root component's constructor that fails the bootstrap", bounded, async () => {
    assert.deepEqual(await deliveredByRootComponent("throw new Error('the cart could not be read');"), {
      failed: true,
      events: [uncaught('the cart could not be read')],
    });
  });
});
