import { testInjector } from './test-injector'; // first: loads Angular's JIT compiler
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import vm from 'node:vm';
import { DOCUMENT } from '@angular/common';
import { HttpErrorResponse, httpResource, provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { provideLocationMocks } from '@angular/common/testing';
import {
  ApplicationRef,
  createEnvironmentInjector,
  ErrorHandler,
  inject,
  provideBrowserGlobalErrorListeners,
  provideZonelessChangeDetection,
  runInInjectionContext,
} from '@angular/core';
import { provideRouter, Router } from '@angular/router';
import { filter, throwError } from 'rxjs';
import { ConfigurationError, type LogEvent, LoggerConfiguration, MemorySink, SelfLog, tapLog } from '../../lib/index';
import { provideRxlog, RXLOG_LOGGER, withErrorHandler, withRouterContext } from '../../lib/angular/index';
import { exceptionText } from '../../lib/core/exception-text';
import { bundleOf } from './bundle-of';

const routes = [{ path: 'orders/:id', children: [] }];

/** An ErrorEvent as a browser makes it (Node has none): an Event whose toString tag is `ErrorEvent`. */
function errorEvent(init: { message: string; filename: string; lineno: number; colno: number; error: unknown }): Event {
  const event = new Event('error', { cancelable: true });
  Object.defineProperty(event, Symbol.toStringTag, { value: 'ErrorEvent' });
  for (const [key, value] of Object.entries(init)) Object.defineProperty(event, key, { value, enumerable: false });
  return event;
}

/** An injector with Angular's own global error listeners on `window`, an EventTarget. */
function globalListenersSetup() {
  const memory = new MemorySink();
  const window = new EventTarget();
  const injector = testInjector([
    provideZonelessChangeDetection(),
    provideBrowserGlobalErrorListeners(),
    { provide: DOCUMENT, useValue: { title: '', defaultView: window } },
    provideRxlog((c) => c.writeTo.sink(memory), withErrorHandler({ console: false })),
  ]);
  return { memory, injector, window };
}

function setup(options: Parameters<typeof withErrorHandler>[0] = { console: false }) {
  const memory = new MemorySink();
  const injector = testInjector([
    provideRouter(routes),
    provideLocationMocks(),
    { provide: DOCUMENT, useValue: { title: '' } },
    provideRxlog((c) => c.writeTo.sink(memory), withErrorHandler(options), withRouterContext()),
  ]);
  return { memory, injector, handler: injector.get(ErrorHandler) };
}

void describe('withErrorHandler', () => {
  // An app without a Router (or without HttpClient) paid for both: withErrorHandler referred to the
  // Router class and to HttpErrorResponse, so `ng build` of such an app grew by 95 KB (23 KB
  // transferred), @angular/router's Router and what it injects.
  void it("brings neither the Router nor HttpClient into an app's bundle", async () => {
    const { angularImports: imports } = await bundleOf(
      `import { provideRxlog, withErrorHandler } from './index'; console.log(provideRxlog((c) => c, withErrorHandler()));`,
    );
    assert.deepEqual(
      imports.filter((line) => /^@angular\/(router|common\/http)/.test(line)),
      [],
      imports.join('\n'),
    );
  });

  void it('logs an uncaught error as an error event with the active route', async () => {
    const { memory, injector, handler } = setup();
    await injector.get(Router).navigateByUrl('/orders/42?token=secret');
    const error = new TypeError('boom');
    handler.handleError(error);
    assert.equal(memory.events.length, 1);
    const [event] = memory.events;
    assert.equal(event.level, 'error');
    assert.equal(event.exception, error);
    assert.equal(event.renderMessage(), 'Uncaught error on /orders/42: boom');
    assert.equal(event.properties.Route, '/orders/42');
    assert.equal(event.properties.RoutePattern, '/orders/:id');
    assert.equal(event.properties.SourceContext, 'ErrorHandler');
    injector.destroy();
  });

  // Before the first navigation the Router's URL is '/' whatever page was loaded: an error thrown
  // while the app starts on /orders/42 said "on /".
  void it('names no route for an error thrown before the first navigation', () => {
    const { memory, injector, handler } = setup();
    handler.handleError(new Error('bootstrap failed'));
    assert.equal(memory.events[0].renderMessage(), 'Uncaught error: bootstrap failed');
    assert.equal(memory.events[0].properties.Route, undefined);
    injector.destroy();
  });

  void it('throws a ConfigurationError naming a bad or misspelt option', () => {
    const bad: [unknown, string][] = [
      [null, 'withErrorHandler: expected an options object, got null'],
      [
        { consol: false },
        'withErrorHandler: unknown option "consol" (expected one of console, sourceContext, maxErrorsPerSecond)',
      ],
      [{ console: 'no' }, 'withErrorHandler.console: expected a boolean, got "no"'],
      [{ sourceContext: '' }, 'withErrorHandler.sourceContext: expected a non-empty string, got ""'],
      [{ maxErrorsPerSecond: 0 }, 'withErrorHandler.maxErrorsPerSecond: expected a positive integer or Infinity, got number 0'],
      [
        { maxErrorsPerSecond: 2.5 },
        'withErrorHandler.maxErrorsPerSecond: expected a positive integer or Infinity, got number 2.5',
      ],
      [{ maxErrorsPerSecond: '10' }, 'withErrorHandler.maxErrorsPerSecond: expected a positive integer or Infinity, got "10"'],
    ];
    for (const [options, message] of bad)
      assert.throws(
        () => withErrorHandler(options as never),
        (error: unknown) => error instanceof ConfigurationError && error.message === message,
      );
  });

  // The options were read again when Angular made the handler: an object changed in between
  // (shared, or spread from a settings object the app fills later) gave values never checked, and
  // `maxErrorsPerSecond: 0` logged no uncaught error at all.
  void it('keeps the options as they were checked, whatever happens to the object afterwards', () => {
    const memory = new MemorySink();
    const options: Record<string, unknown> = { console: false, sourceContext: 'Errors' };
    const feature = withErrorHandler(options);
    Object.assign(options, { sourceContext: '', maxErrorsPerSecond: 0, console: 'yes' });
    const injector = testInjector([
      { provide: DOCUMENT, useValue: { title: '' } },
      provideRxlog((c) => c.writeTo.sink(memory), feature),
    ]);
    injector.get(ErrorHandler).handleError(new Error('after the change'));
    assert.deepEqual(
      memory.events.map((e) => [e.renderMessage(), e.properties.SourceContext]),
      [['Uncaught error: after the change', 'Errors']],
    );
    injector.destroy();
  });

  void it('logs the same error once when Angular reports it twice', () => {
    const { memory, injector, handler } = setup();
    const error = new Error('twice');
    handler.handleError(error);
    handler.handleError(error);
    handler.handleError(new Error('twice'));
    assert.equal(memory.events.length, 2, 'a different error with the same message is a new error');
    injector.destroy();
  });

  // The same error object thrown again later is another occurrence (a constant error, an error an
  // observable with shareReplay replays to each new subscriber, a cached rejected promise): it was
  // logged only the first time, for the rest of the page's life, and the later ones were lost.
  void it('logs the same error object again when it is reported again later, not as a double report', (context) => {
    context.mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
    const { memory, injector, handler } = setup();
    const error = new Error('the cart is locked');
    handler.handleError(error);
    handler.handleError(error);
    context.mock.timers.tick(999);
    handler.handleError(error);
    assert.equal(memory.events.length, 1, 'a report within a second of the last is the same report');
    context.mock.timers.tick(1_000);
    handler.handleError(error);
    context.mock.timers.tick(60_000);
    handler.handleError(error);
    assert.equal(memory.events.length, 3, 'each later occurrence is logged');
    injector.destroy();
  });

  // Angular catches what a template's (click) listener throws and hands it on at once, while the
  // browser dispatches the click (window.event): a thrown string said nothing of where it came from.
  void it('names the event being dispatched and what its listener is on when Angular hands on an error', () => {
    const { memory, injector, handler } = setup();
    const target = new EventTarget();
    const global = globalThis as { event?: unknown };
    target.addEventListener('click', (event) => {
      global.event = event;
      try {
        handler.handleError('thrown in a click handler');
      } finally {
        delete global.event;
      }
    });
    target.dispatchEvent(new Event('click'));
    handler.handleError('thrown elsewhere');
    assert.deepEqual(
      memory.events.map((e) => [e.renderMessage(), e.properties.EventName, e.properties.EventTarget]),
      [
        ['Uncaught error: thrown in a click handler', 'click', 'EventTarget'],
        ['Uncaught error: thrown elsewhere', undefined, undefined],
      ],
    );
    injector.destroy();
  });

  void it("logs non-Error values and unwraps zone.js's rejection wrapper", () => {
    const { memory, injector, handler } = setup();
    handler.handleError('a string was thrown');
    const reason = new Error('the reason');
    const wrapped = Object.assign(new Error('Uncaught (in promise): Error: the reason'), { rejection: reason });
    handler.handleError(wrapped);
    handler.handleError(reason);
    assert.deepEqual(
      memory.events.map((e) => [e.renderMessage(), e.exception?.name, e.exception?.message, e.properties.UnhandledRejection]),
      [
        ['Uncaught error: a string was thrown', 'ThrownValueError', 'a string was thrown', undefined],
        // zone.js's wrapper says it was a rejection nobody handled.
        ['Uncaught error: the reason', 'Error', 'the reason', true],
      ],
    );
    assert.ok(memory.events[1].exception === reason);
    injector.destroy();
  });

  // provideBrowserGlobalErrorListeners() hands the ErrorHandler `event.error` when it is truthy; for
  // a cross-origin script's muted "Script error.", `throw null`, `throw undefined` or `throw 0` it
  // hands `new Error(event.message, { cause: event })` instead. That was logged with the Error made in
  // Angular's listener (its stack Angular's own) and the cause as `{"isTrusted":…}`: the event's
  // filename, lineno and colno, where the error came from, were lost.
  void it("logs an ErrorEvent without an error by the event's message and location, once, its URL's query values redacted", () => {
    const { memory, injector, window } = globalListenersSetup();
    window.dispatchEvent(
      errorEvent({
        message: 'Uncaught null',
        filename: 'https://shop.example/main.js?v=7&token=secret#x',
        lineno: 12,
        colno: 34,
        error: null,
      }),
    );
    window.dispatchEvent(errorEvent({ message: 'Script error.', filename: '', lineno: 0, colno: 0, error: null }));
    window.dispatchEvent(
      errorEvent({ message: 'Uncaught 0', filename: 'https://shop.example/main.js', lineno: 3, colno: 1, error: 0 }),
    );
    assert.deepEqual(
      memory.events.map((e) => [
        e.renderMessage(),
        e.exception?.name,
        e.exception?.message,
        e.properties.ErrorFile,
        e.properties.ErrorLine,
        e.properties.ErrorColumn,
      ]),
      [
        ['Uncaught error: Uncaught null', undefined, undefined, 'https://shop.example/main.js?v=***&token=***', 12, 34],
        [
          "Uncaught error: Script error. (a cross-origin script's error, whose details the browser hides)",
          undefined,
          undefined,
          undefined,
          undefined,
          undefined,
        ],
        ['Uncaught error: 0', 'ThrownValueError', '0', 'https://shop.example/main.js', 3, 1],
      ],
    );
    const text = JSON.stringify(
      memory.events.map((e) => [e.properties, e.exception === undefined ? '' : exceptionText(e.exception)]),
    );
    assert.equal(text.includes('isTrusted'), false, text);
    assert.equal(text.includes('secret'), false, text);
    injector.destroy();
  });

  void it('logs an ErrorEvent handed to it directly by its error, with its location, and never throws on a hostile one', () => {
    const { memory, injector, handler } = setup();
    const error = new RangeError('out of range');
    handler.handleError(
      errorEvent({ message: 'Uncaught RangeError: out of range', filename: '/app.js', lineno: 5, colno: 9, error }),
    );
    const hostile = new Proxy(errorEvent({ message: 'x', filename: '/a.js', lineno: 1, colno: 1, error: null }), {
      get(_target, key) {
        if (key === Symbol.toStringTag) return 'ErrorEvent';
        throw new Error(`no ${String(key)}`);
      },
    });
    assert.doesNotThrow(() => handler.handleError(new Error('wrapped', { cause: hostile })));
    assert.doesNotThrow(() => handler.handleError(hostile));
    assert.deepEqual(
      memory.events.slice(0, 1).map((e) => [e.renderMessage(), e.exception, e.properties.ErrorFile, e.properties.ErrorLine]),
      [['Uncaught error: out of range', error, '/app.js', 5]],
    );
    assert.equal(memory.events.length, 3);
    injector.destroy();
  });

  // An Error thrown in `thrower.js?token=secret` got `ErrorFile` with the query value redacted, but
  // its stack (the event's exception text, `@x` in CLEF) named the same URL, secret and all. The
  // stacks are written as strings in Chromium's and Firefox's shapes (Node makes neither).
  void it("redacts the script URLs in the stacks of an ErrorEvent's error and its causes as ErrorFile, on a copy", () => {
    const { memory, injector, handler } = setup();
    const cause = new Error('widget failed');
    cause.stack = 'render@https://shop.example/widget.js?key=secret:4:11\n@https://shop.example/thrower.js?token=secret:2:1\n';
    const error = Object.assign(new RangeError('out of range', { cause }), { code: 'E_RANGE' });
    const stack =
      'RangeError: out of range\n    at check (https://shop.example/thrower.js?token=secret:8:31)\n    at https://shop.example/thrower.js?token=secret:9:1';
    error.stack = stack;
    handler.handleError(
      errorEvent({
        message: 'Uncaught RangeError: out of range',
        filename: 'https://shop.example/thrower.js?token=secret',
        lineno: 8,
        colno: 31,
        error,
      }),
    );
    const [event] = memory.events;
    assert.equal(event.properties.ErrorFile, 'https://shop.example/thrower.js?token=***');
    assert.equal(
      exceptionText(event.exception),
      [
        'RangeError: out of range',
        '    at check (https://shop.example/thrower.js?token=***:8:31)',
        '    at https://shop.example/thrower.js?token=***:9:1',
        // The error's own fields of scalar values, as exception text writes them after its stack.
        '{ code: "E_RANGE" }',
        'caused by: Error: widget failed',
        'render@https://shop.example/widget.js?key=***:4:11',
        '@https://shop.example/thrower.js?token=***:2:1',
      ].join('\n'),
    );
    // A copy of the same class, with the error's own properties; the thrown error is not changed.
    assert.ok(event.exception instanceof RangeError);
    assert.deepEqual([event.exception.message, (event.exception as { code?: unknown }).code], ['out of range', 'E_RANGE']);
    assert.equal(error.stack, stack);
    assert.equal(cause.stack.includes('key=secret'), true);
    // A failed httpResource's error, logged as a copy made here: its stack is redacted as well.
    const resource = new Error('Http failure response for /api/orders: 500 Server Error', {
      cause: new HttpErrorResponse({ url: '/api/orders', status: 500, statusText: 'Server Error' }),
    });
    resource.stack = `Error: ${resource.message}\n    at OrderList.total (https://shop.example/main.js?token=secret:3:5)`;
    handler.handleError(
      errorEvent({
        message: 'Uncaught Error',
        filename: 'https://shop.example/main.js?token=secret',
        lineno: 3,
        colno: 5,
        error: resource,
      }),
    );
    assert.equal(
      exceptionText(memory.events[1].exception).split('\n').slice(0, 2).join('\n'),
      'Error: Http failure response for /api/orders: 500 Server Error\n    at OrderList.total (https://shop.example/main.js?token=***:3:5)',
    );
    injector.destroy();
  });

  // An Error Angular catches itself (a template's (click) handler, zone.js) comes with no browser
  // event, but its stack names the same script URLs: they are redacted as the browser-reported ones.
  void it('redacts the script URLs in the stack of an Error Angular hands on without a browser event', () => {
    const { memory, injector, handler } = setup();
    const error = new TypeError("Cannot read properties of undefined (reading 'id')");
    const stack = `TypeError: ${error.message}\n    at CartComponent.remove (https://shop.example/main.js?token=secret:12:7)`;
    error.stack = stack;
    handler.handleError(error);
    assert.equal(
      exceptionText(memory.events[0].exception),
      `TypeError: ${error.message}\n    at CartComponent.remove (https://shop.example/main.js?token=***:12:7)`,
    );
    assert.ok(memory.events[0].exception instanceof TypeError);
    assert.equal(error.stack, stack);
    injector.destroy();
  });

  // The copy that carries a redacted stack is made with the error's prototype: a DOMException's
  // name and message read its internal slot, which the copy has not, so they threw there (exception
  // text wrote no name, OTLP's exception.type said 'Error'). In Firefox, stack is an accessor on
  // Error.prototype that reads the error's slot; that engine cannot run here, so its accessor is
  // simulated on a subclass.
  void it("keeps a DOMException's name and message, and a stack its class reads from the error, on the redacted copy", () => {
    const { memory, injector, handler } = setup();
    const error = new DOMException('The operation was aborted.', 'AbortError');
    error.stack = 'AbortError: The operation was aborted.\n    at load (https://shop.example/main.js?token=secret:7:3)';
    const slots = new WeakMap<object, string>();
    class FirefoxError extends Error {
      constructor(message: string) {
        super(message);
        delete (this as { stack?: string }).stack;
        slots.set(this, 'render@https://shop.example/widget.js?key=secret:4:11\n');
      }
    }
    Object.defineProperty(FirefoxError.prototype, 'stack', {
      configurable: true,
      get(this: object): string {
        return slots.get(this) ?? '';
      },
    });
    const firefox = new FirefoxError('render failed');
    handler.handleError(error);
    handler.handleError(firefox);
    const [dom, ff] = memory.events.map((event) => event.exception as Error);
    assert.notEqual(dom, error);
    assert.ok(dom instanceof DOMException);
    assert.equal(dom.name, 'AbortError');
    assert.equal(dom.message, 'The operation was aborted.');
    assert.equal(
      exceptionText(dom),
      'AbortError: The operation was aborted.\n    at load (https://shop.example/main.js?token=***:7:3)',
    );
    assert.equal(ff.message, 'render failed');
    assert.equal(ff.stack, 'render@https://shop.example/widget.js?key=***:4:11\n');
    assert.equal(error.name, 'AbortError');
    injector.destroy();
  });

  // Promise.any rejects with an AggregateError whose `errors` each have a stack, which exception text
  // writes as `error i of n: ` lines; the stack and the causes' were redacted, these were not.
  void it("redacts the script URLs in an AggregateError's errors and theirs as exception text writes them, on a copy", () => {
    const { memory, injector, handler } = setup();
    const frame = (name: string) => `    at ${name} (https://shop.example/main.js?token=secret:1:2)`;
    const failed = (name: string, options?: ErrorOptions) =>
      Object.assign(new Error(`${name} failed`, options), { stack: `Error: ${name} failed\n${frame(name)}` });
    const inner = new AggregateError([failed('c'), failed('d', { cause: failed('e') })], 'inner');
    inner.stack = `AggregateError: inner\n${frame('inner')}`;
    const first = failed('a');
    const error = new AggregateError([first, failed('b', { cause: inner }), inner], 'All promises were rejected');
    error.stack = `AggregateError: All promises were rejected\n${frame('any')}`;
    error.errors.push(error);
    handler.handleError(error);
    const text = exceptionText(memory.events[0].exception);
    assert.equal(text, exceptionText(error).replaceAll('token=secret', 'token=***'));
    assert.doesNotMatch(text, /secret/);
    assert.match(text, /\nerror 2 of 4: Error: b failed\n {4}at b \(.*\n {2}caused by: AggregateError: inner\n/);
    assert.match(text, /\nerror 4 of 4: \[Circular\]$/);
    assert.ok(memory.events[0].exception instanceof AggregateError);
    // The thrown errors are not changed.
    assert.equal(error.errors[0], first);
    assert.match(String(first.stack), /token=secret/);
    // As many as the text writes: the first eight of each, 64 errors and causes in all.
    const many = new AggregateError(
      Array.from(
        { length: 10 },
        (_, i) =>
          new AggregateError(
            Array.from({ length: 10 }, (_, j) => failed(`f${i}.${j}`)),
            `g${i}`,
          ),
      ),
      'many',
    );
    handler.handleError(many);
    const manyText = exceptionText(memory.events[1].exception);
    assert.equal(manyText, exceptionText(many).replaceAll('token=secret', 'token=***'));
    assert.doesNotMatch(manyText, /secret/);
    assert.match(manyText, /\[2 more errors\]/);
    injector.destroy();
  });

  // A plain object in a cause chain (`cause: { code, cause: error }`, a serialized error's
  // `{ message, stack }`, `{ name: 'AggregateError', errors }`) stopped the redaction: exception
  // text wrote the stacks behind it unredacted. An Error in a plain object's data (a cause's
  // `detail`, a thrown object's) is written with its stack once captured: by a redaction policy
  // that changes the object, and in a thrown object's ThrownValueError message.
  void it('redacts the stacks behind a plain object in a chain and in the data of a plain object, on copies', () => {
    const memory = new MemorySink();
    const injector = testInjector([
      { provide: DOCUMENT, useValue: { title: '' } },
      provideRxlog((c) => c.destructure.redact({ keys: /password/ }).writeTo.sink(memory), withErrorHandler({ console: false })),
    ]);
    const handler = injector.get(ErrorHandler);
    const frame = (name: string) => `    at ${name} (https://shop.example/main.js?token=secret:1:2)`;
    const failed = (name: string, options?: ErrorOptions) =>
      Object.assign(new Error(`${name} failed`, options), { stack: `Error: ${name} failed\n${frame(name)}` });
    const serialized = { name: 'Error', message: 'in a worker', stack: `Error: in a worker\n${frame('worker')}` };
    const detail = failed('detail');
    const data = { password: 'p', detail, list: [{ deeper: failed('listed') }] };
    const cyclic: Record<string, unknown> = { code: 'E_CYCLE' };
    cyclic.self = cyclic;
    cyclic.cause = failed('behind a cycle');
    const thrown = [
      failed('a', { cause: { code: 'E_PLAIN', cause: failed('b') } }),
      failed('c', { cause: serialized }),
      failed('d', { cause: { name: 'AggregateError', errors: [failed('e')] } }),
      failed('f', { cause: data }),
      failed('g', { cause: cyclic }),
      serialized,
      { code: 'E_THROWN', detail: failed('h') },
      Object.freeze(failed('frozen')),
    ];
    for (const value of thrown) handler.handleError(value);
    const texts = memory.events.map((e) => exceptionText(e.exception));
    for (const text of texts) assert.doesNotMatch(text, /secret/);
    assert.match(
      texts[0],
      /\ncaused by: \{"code":"E_PLAIN","cause":\{\}\}\ncaused by: Error: b failed\n {4}at b \(.*token=\*\*\*/,
    );
    assert.match(
      texts[1],
      /\ncaused by: Error: in a worker\n {4}at worker \(https:\/\/shop\.example\/main\.js\?token=\*\*\*:1:2\)$/,
    );
    assert.match(texts[2], /\nerror 1 of 1: Error: e failed\n {4}at e \(.*token=\*\*\*/);
    // Captured by the redaction policy (a password in it): the Errors in it as { name, message, stack }.
    assert.match(
      texts[3],
      /\ncaused by: \{"password":"\[Redacted\]","detail":\{"name":"Error","message":"detail failed","stack":/,
    );
    assert.match(texts[3], /"list":\[\{"deeper":\{"name":"Error","message":"listed failed"/);
    assert.match(texts[4], /\ncaused by: Error: behind a cycle failed\n {4}at .*token=\*\*\*/);
    assert.equal(texts[5], `Error: in a worker\n${frame('worker').replace('secret', '***')}`);
    const message = memory.events[6].exception?.message ?? '';
    assert.match(message, /^\{"code":"E_THROWN","detail":\{"name":"Error","message":"h failed","stack":".*token=\*\*\*/);
    assert.doesNotMatch(message, /secret/);
    assert.match(texts[7], /^Error: frozen failed\n {4}at frozen \(.*token=\*\*\*/);
    // The thrown values are not changed.
    assert.match(String(detail.stack), /token=secret/);
    assert.equal(data.detail, detail);
    assert.equal(cyclic.self, cyclic);
    assert.match(serialized.stack, /token=secret/);
    injector.destroy();
  });

  void it("walks a plain object's data within a budget, calls none of its getters, and never throws on proxies", () => {
    const { memory, injector, handler } = setup();
    const stack = 'Error: x\n    at f (https://shop.example/main.js?token=secret:1:2)';
    let called = 0;
    const withGetter = {
      get detail() {
        called++;
        return Object.assign(new Error('x'), { stack });
      },
    };
    const hostile = new Proxy(
      {},
      {
        getPrototypeOf() {
          throw new Error('trap');
        },
      },
    );
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    // 10⁵ references to one object of 10⁵ keys (10¹⁰ values, were each walked), and cycles.
    const wide = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i]));
    const huge = Array.from({ length: 100_000 }, () => wide);
    const started = performance.now();
    // A sparse array of 10⁸ items, which a copy would spend seconds on.
    const sparse: unknown[] = [];
    sparse.length = 100_000_000;
    for (const cause of [withGetter, hostile, revoked.proxy, huge, { sparse }]) handler.handleError(new Error('top', { cause }));
    handler.handleError({ detail: hostile, other: revoked.proxy });
    assert.ok(performance.now() - started < 2_000, 'bounded');
    assert.equal(called, 0);
    assert.equal(memory.events.length, 6);
    injector.destroy();
  });

  // With Error.stackTraceLimit = Infinity, a deep recursion's RangeError has a stack of megabytes:
  // redacting all of it (a queued sink cuts the event at 256 KiB anyway) held the page for seconds.
  void it('redacts a huge stack as far as it is written: the top one cut at 256 KiB, a cause at 64 KiB', () => {
    const { memory, injector, handler } = setup();
    const frames = (count: number) =>
      Array.from({ length: count }, (_, i) => `    at f${i} (https://shop.example/main.js?token=secret:${i}:1)`).join('\n');
    const cause = Object.assign(new Error('inner'), { stack: `Error: inner\n${frames(20_000)}` });
    const error = new RangeError('Maximum call stack size exceeded', { cause });
    error.stack = `RangeError: Maximum call stack size exceeded\n${frames(200_000)}`;
    handler.handleError(error);
    const exception = memory.events[0].exception as Error & { cause: Error };
    assert.match(
      String(exception.stack),
      /^RangeError: Maximum call stack size exceeded\n {4}at f0 \(https:\/\/shop\.example\/main\.js\?token=\*\*\*:0:1\)/,
    );
    assert.match(String(exception.stack), /…\[truncated \d+ chars\]$/);
    assert.ok(String(exception.stack).length < 256 * 1024 + 30);
    assert.match(String(exception.cause.stack), /…\[truncated \d+ chars\]$/);
    assert.ok(String(exception.cause.stack).length < 64 * 1024 + 30);
    assert.doesNotMatch(exceptionText(exception), /secret/);
    assert.equal(error.stack.length > 10_000_000, true, 'the thrown error is not changed');
    injector.destroy();
  });

  // A value thrown or rejected that is not an Error of this realm was logged by its text alone, with
  // no exception: `Promise.reject({ status: 401, reason: 'expired' })` as "[object Object]" and
  // nothing else, `{ code, message }` without its code, an iframe's Error without its stack. It is
  // the event's exception now, as `log.error(value, …)` makes it in a catch.
  void it('keeps the data of a non-Error value as the exception, and the stack of an Error of another realm', () => {
    const { memory, injector, handler } = setup();
    const foreign = vm.runInNewContext('new TypeError("from an iframe")') as Error;
    handler.handleError({ status: 401, reason: 'expired' });
    handler.handleError({ code: 'E_CART', message: 'Cart is locked' });
    handler.handleError(foreign);
    assert.deepEqual(
      memory.events.map((e) => [e.renderMessage(), e.exception?.name, e.exception?.message]),
      [
        ['Uncaught error: [object Object]', 'ThrownValueError', '{"status":401,"reason":"expired"}'],
        ['Uncaught error: Cart is locked', 'ThrownValueError', '{"code":"E_CART","message":"Cart is locked"}'],
        ['Uncaught error: from an iframe', 'TypeError', 'from an iframe'],
      ],
    );
    assert.ok(memory.events[2].exception === foreign, 'the foreign Error itself, with its stack');
    // One whose stack names a script with a query value is redacted as this realm's are, on a copy.
    const stack = 'TypeError: from an iframe\n    at f (https://shop.example/frame.js?token=secret:1:2)';
    const framed = vm.runInNewContext('new TypeError("from an iframe")') as Error;
    framed.stack = stack;
    handler.handleError(framed);
    assert.equal(exceptionText(memory.events[3].exception), stack.replace('token=secret', 'token=***'));
    assert.equal(memory.events[3].exception?.name, 'TypeError');
    assert.equal(framed.stack, stack);
    injector.destroy();
  });

  void it("keeps a thrown object's secrets to the logger's redaction, as log.error does", () => {
    const memory = new MemorySink();
    const injector = testInjector([
      provideRxlog((c) => c.destructure.redact({ keys: /token/i }).writeTo.sink(memory), withErrorHandler({ console: false })),
    ]);
    injector.get(ErrorHandler).handleError({ code: 'E_AUTH', accessToken: 's3cret' });
    assert.equal(memory.events[0].exception?.message, '{"code":"E_AUTH","accessToken":"[Redacted]"}');
    injector.destroy();
  });

  void it('logs an HttpErrorResponse nobody handled by its message and status, query values redacted', () => {
    const { memory, injector, handler } = setup();
    const response = new HttpErrorResponse({ url: '/api/orders?token=secret', status: 503, statusText: 'Service Unavailable' });
    handler.handleError(response);
    const message = 'Http failure response for /api/orders?token=***: 503 Service Unavailable';
    assert.deepEqual(
      memory.events.map((e) => [e.renderMessage(), e.exception?.name, e.exception?.message]),
      [[`Uncaught error: ${message}`, 'HttpErrorResponse', message]],
    );
    assert.equal(memory.events[0].properties.StatusCode, 503);
    assert.equal(memory.events[0].properties.Url, '/api/orders?token=***');
    assert.equal(JSON.stringify(memory.events[0]).includes('secret'), false);
    injector.destroy();
  });

  // HttpClient's fetch backend writes "0 undefined" for a timeout and a refused connection alike.
  void it('says why an HttpErrorResponse of status 0 got no answer, its URL redacted', () => {
    const { memory, injector, handler } = setup();
    const url = '/api/slow?token=secret';
    handler.handleError(new HttpErrorResponse({ url, status: 0, error: new DOMException('signal timed out', 'TimeoutError') }));
    handler.handleError(new HttpErrorResponse({ url, status: 0, error: new TypeError(`Failed to parse URL from ${url}`) }));
    handler.handleError(new HttpErrorResponse({ url, status: 500, error: new TypeError('not a body') }));
    assert.deepEqual(
      memory.events.map((e) => e.properties.ErrorMessage),
      [
        'Http failure response for /api/slow?token=***: 0 undefined (TimeoutError: signal timed out)',
        'Http failure response for /api/slow?token=***: 0 undefined (TypeError: Failed to parse URL from /api/slow?token=***)',
        'Http failure response for /api/slow?token=***: 500 undefined',
      ],
    );
    assert.doesNotMatch(JSON.stringify(memory.events.map((e) => [e.properties, e.exception?.stack])), /secret/);
    injector.destroy();
  });

  // Promise.any over requests to mirrors rejects, when all fail, with an AggregateError of their
  // HttpErrorResponses; an error of the app's may hold one in its cause's data or in thrown data.
  // Each was written as its data, the URL's query values and the response body included.
  void it('keeps the query values and the body of an HttpErrorResponse inside the error out of the event', async () => {
    const { memory, injector, handler } = setup();
    const response = (mirror: string) =>
      new HttpErrorResponse({
        url: `/${mirror}/orders?token=secret`,
        status: 502,
        statusText: 'Bad Gateway',
        error: 'BODY'.repeat(100),
      });
    // What firstValueFrom(http.get(…)) rejects with when the request fails.
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- HttpClient's error is no Error
    const failed = (mirror: string) => Promise.reject(response(mirror));
    const [any] = await Promise.allSettled([Promise.any([failed('a'), failed('b')])]);
    handler.handleError((any as PromiseRejectedResult).reason);
    handler.handleError(new Error('Orders not loaded', { cause: { step: 'load', detail: response('a') } }));
    handler.handleError({ code: 'E_ORDERS', response: response('a') });
    const written = memory.events.map((e) => (e.exception === undefined ? '' : exceptionText(e.exception)));
    assert.equal(written.length, 3);
    for (const text of written) {
      assert.match(text, /HttpErrorResponse/);
      assert.doesNotMatch(text, /secret|BODY/);
    }
    // A plain cause's data is written as its JSON, which holds an Error's own enumerable properties only.
    for (const text of [written[0], written[2]])
      assert.match(text, /Http failure response for \/a\/orders\?token=\*\*\*: 502 Bad Gateway/);
    assert.match(written[0], /Http failure response for \/b\/orders\?token=\*\*\*: 502 Bad Gateway/);
    injector.destroy();
  });

  // configure may return a Logger made from a configuration of its own, without the transform
  // provideRxlog registers for an HttpErrorResponse captured as a value: the handler makes the
  // redacted exception itself, so its events keep the query values and the body out all the same.
  void it('keeps the query values and the body of an HttpErrorResponse out with a Logger configure creates itself', async () => {
    const memory = new MemorySink();
    const injector = testInjector([
      provideRxlog(() => new LoggerConfiguration().writeTo.sink(memory).createLogger(), withErrorHandler({ console: false })),
    ]);
    const handler = injector.get(ErrorHandler);
    const response = (mirror: string) =>
      new HttpErrorResponse({ url: `/${mirror}/orders?token=secret`, status: 502, statusText: 'Bad Gateway', error: 'BODY' });
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- HttpClient's error is no Error
    const failed = (mirror: string) => Promise.reject(response(mirror));
    const [any] = await Promise.allSettled([Promise.any([failed('a'), failed('b')])]);
    handler.handleError(response('a'));
    handler.handleError((any as PromiseRejectedResult).reason);
    handler.handleError(new Error('Orders not loaded', { cause: { step: 'load', detail: response('a') } }));
    handler.handleError({ code: 'E_ORDERS', response: response('a') });
    assert.equal(memory.events.length, 4);
    assert.deepEqual(
      [memory.events[0].renderMessage(), memory.events[0].properties.StatusCode, memory.events[0].properties.Url],
      ['Uncaught error: Http failure response for /a/orders?token=***: 502 Bad Gateway', 502, '/a/orders?token=***'],
    );
    for (const event of memory.events) {
      const text = event.exception === undefined ? '' : exceptionText(event.exception);
      assert.match(text, /HttpErrorResponse/);
      assert.doesNotMatch(`${text} ${JSON.stringify(event.properties)}`, /secret|BODY/);
    }
    injector.destroy();
  });

  // Angular 21's httpResource: a template that reads value() of a failed request throws
  // ResourceValueError, whose message quotes HttpClient's (the URL, query and all) and whose cause
  // is the HttpErrorResponse, response body included. Both were logged as they were.
  void it("keeps the URL's query values and the response body of a failed httpResource out of the event", async () => {
    const memory = new MemorySink();
    const injector = testInjector([
      provideZonelessChangeDetection(),
      { provide: DOCUMENT, useValue: { title: '', getElementById: () => null } },
      provideHttpClient(),
      provideHttpClientTesting(),
      provideRxlog((c) => c.writeTo.sink(memory), withErrorHandler({ console: false })),
    ]);
    const orders = runInInjectionContext(injector, () => httpResource(() => '/api/orders?token=s3cret'));
    injector.get(ApplicationRef).tick();
    injector
      .get(HttpTestingController)
      .expectOne('/api/orders?token=s3cret')
      .flush({ detail: 'card 4111 declined' }, { status: 500, statusText: 'Internal Server Error' });
    await injector.get(ApplicationRef).whenStable();
    assert.throws(
      () => orders.value(),
      (error: unknown) => (injector.get(ErrorHandler).handleError(error), true),
    );
    const [event] = memory.events;
    const http = 'Http failure response for /api/orders?token=***: 500 Internal Server Error';
    assert.equal(
      event.renderMessage(),
      `Uncaught error: Resource is currently in an error state (see Error.cause for details): ${http}`,
    );
    assert.equal(event.properties.StatusCode, 500);
    assert.equal(event.properties.Url, '/api/orders?token=***');
    const text = exceptionText(event.exception);
    assert.match(text, /^Error: Resource is currently in an error state[^\n]*token=\*\*\*: 500[^\n]*\n\s+at /);
    assert.match(text, new RegExp(`\\ncaused by: HttpErrorResponse: ${http.replace(/[*?]/g, '\\$&')}$`));
    assert.doesNotMatch(`${JSON.stringify(event)} ${text}`, /s3cret|4111/);
    injector.destroy();
  });

  void it('keeps credentials of an HttpErrorResponse URL (user:password@) out of the event', () => {
    const { memory, injector, handler } = setup();
    handler.handleError(new HttpErrorResponse({ url: 'https://ann:s3cret@api.example.com/orders?token=t0ken', status: 500 }));
    assert.equal(memory.events[0].properties.Url, 'https://***@api.example.com/orders?token=***');
    assert.doesNotMatch(JSON.stringify(memory.events[0]), /s3cret|t0ken/);
    assert.doesNotMatch(`${memory.events[0].renderMessage()} ${String(memory.events[0].exception?.stack)}`, /s3cret|t0ken/);
    injector.destroy();
  });

  void it("keeps Angular's console output when asked (the default in dev mode)", () => {
    const { injector, handler } = setup({ console: true });
    const printed: unknown[][] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void printed.push(args);
    try {
      handler.handleError(new Error('shown'));
    } finally {
      console.error = original;
    }
    assert.equal(printed.length, 1);
    assert.equal(printed[0][0], 'ERROR');
    injector.destroy();
  });

  void it('never throws and logs something for hostile values: throwing getters, proxies, objects without a prototype', () => {
    const { memory, injector, handler } = setup({ console: true });
    const original = console.error;
    console.error = () => {
      throw new Error('console.error is broken');
    };
    const rejection = Object.defineProperty(new Error('wrapped'), 'rejection', {
      get: () => {
        throw new Error('rejection getter');
      },
    });
    const proxy = new Proxy(
      {},
      {
        getPrototypeOf: () => {
          throw new Error('getPrototypeOf trap');
        },
        has: () => {
          throw new Error('has trap');
        },
        get: () => {
          throw new Error('get trap');
        },
      },
    );
    const bare = Object.create(null) as object;
    const noMessage = {
      get message(): string {
        throw new Error('message getter');
      },
    };
    try {
      for (const value of [rejection, proxy, bare, noMessage]) assert.doesNotThrow(() => handler.handleError(value));
    } finally {
      console.error = original;
    }
    assert.equal(memory.events.length, 4, 'each uncaught value is logged');
    assert.deepEqual(
      memory.events.map((e) => e.renderMessage()),
      ['Uncaught error: wrapped', 'Uncaught error: [object]', 'Uncaught error: [object]', 'Uncaught error: [object]'],
    );
    injector.destroy();
  });

  // An Error whose message could not be read was logged as a bare '[object]' without its
  // exception: the one thing known for sure (an Error, with its name and stack) was thrown away.
  void it('logs an Error whose message getter throws as that Error, with its name for a message', () => {
    const { memory, injector, handler } = setup();
    const error = Object.defineProperty(new TypeError('hidden'), 'message', {
      get: () => {
        throw new Error('message getter');
      },
    });
    assert.doesNotThrow(() => handler.handleError(error));
    assert.deepEqual(
      memory.events.map((e) => [e.level, e.renderMessage()]),
      [['error', 'Uncaught error: [TypeError]']],
    );
    // ok(===), not equal(): comparing or printing the Error would read its message.
    assert.ok(memory.events[0].exception === error, 'the Error itself is the exception');
    injector.destroy();
  });

  // Angular takes the last provider of a token: an error tracker's ErrorHandler given after
  // provideRxlog (`{ provide: ErrorHandler, useClass: … }`) replaced withErrorHandler()'s, and no
  // uncaught error was logged, without a word anywhere.
  void it('says on SelfLog when an ErrorHandler provided after it replaces it, and logs then nothing', () => {
    class TrackerErrorHandler extends ErrorHandler {
      readonly seen: unknown[] = [];
      override handleError(error: unknown): void {
        this.seen.push(error);
      }
    }
    const diagnostics: string[] = [];
    SelfLog.enable((line) => diagnostics.push(String(line)));
    const tracker = { provide: ErrorHandler, useClass: TrackerErrorHandler };
    try {
      for (const kept of [false, true]) {
        diagnostics.length = 0;
        const memory = new MemorySink();
        const rxlog = provideRxlog((c) => c.writeTo.sink(memory), withErrorHandler({ console: false }));
        const providers = kept ? [tracker, rxlog] : [rxlog, tracker];
        const injector = testInjector([{ provide: DOCUMENT, useValue: { title: '' } }, ...providers]);
        const handler = injector.get(ErrorHandler);
        handler.handleError(new Error('boom'));
        assert.equal(handler instanceof TrackerErrorHandler, !kept, 'Angular takes the last provider');
        assert.equal(memory.events.length, kept ? 1 : 0);
        assert.deepEqual(
          diagnostics.map((line) => /replaces its handler .*uncaught errors are not logged: TrackerErrorHandler/.test(line)),
          kept ? [] : [true],
        );
        injector.destroy();
      }
    } finally {
      SelfLog.disable();
    }
  });

  // An injector has one ErrorHandler, so an app's own reaction to uncaught errors (an error
  // tracker, a toast) cannot wrap rxlog's: it runs from what the handler logs instead, a sink for a
  // tracker and the logger's events$ for the page, each given the exception rxlog logs.
  void it("hands each uncaught error to an app's tracker from a sink and to its page from events$", () => {
    const captured: Error[] = [];
    const toasts: string[] = [];
    const injector = testInjector([
      { provide: DOCUMENT, useValue: { title: '' } },
      provideRxlog(
        (c) =>
          c.writeTo.sink({
            emit(events: readonly LogEvent[]): void {
              for (const e of events)
                if (e.properties['SourceContext'] === 'ErrorHandler' && e.exception !== undefined) captured.push(e.exception);
            },
          }),
        withErrorHandler({ console: false }),
      ),
    ]);
    const subscription = injector
      .get(RXLOG_LOGGER)
      .events$.pipe(filter((e) => e.properties['SourceContext'] === 'ErrorHandler'))
      .subscribe((e) => toasts.push(String(e.properties['ErrorMessage'])));
    const error = new Error('boom');
    injector.get(ErrorHandler).handleError(error);
    injector
      .get(ErrorHandler)
      .handleError(new HttpErrorResponse({ url: '/api/orders?token=secret', status: 500, error: 'BODY' }));
    injector.get(RXLOG_LOGGER).flushSync();
    assert.deepEqual(toasts, ['boom', 'Http failure response for /api/orders?token=***: 500 undefined']);
    assert.equal(captured.length, 2);
    assert.equal(captured[0], error);
    assert.equal(captured[1].name, 'HttpErrorResponse');
    assert.doesNotMatch(exceptionText(captured[1]), /secret|BODY/);
    subscription.unsubscribe();
    injector.destroy();
  });

  // Angular hands uncaught errors to the root injector's ErrorHandler: withErrorHandler() in a lazy
  // route's providers made a handler nobody called, and nothing said so.
  void it("says on SelfLog when it is given in a route's providers under a root without it", () => {
    const diagnostics: string[] = [];
    SelfLog.enable((line) => diagnostics.push(String(line)));
    try {
      for (const rootHasIt of [false, true]) {
        diagnostics.length = 0;
        // Angular's own ErrorHandler, as @angular/platform-browser provides it to every app's root.
        const root = testInjector([
          { provide: DOCUMENT, useValue: { title: '' } },
          { provide: ErrorHandler, useFactory: () => new ErrorHandler() },
          ...(rootHasIt ? [provideRxlog((c) => c, withErrorHandler({ console: false }))] : []),
        ]);
        const route = createEnvironmentInjector([provideRxlog((c) => c, withErrorHandler({ console: false }))], root, 'route');
        assert.deepEqual(
          diagnostics.map((line) => /in a route's providers, it has no effect .*not logged: ErrorHandler$/.test(line)),
          rootHasIt ? [] : [true],
        );
        route.destroy();
        root.destroy();
      }
    } finally {
      SelfLog.disable();
    }
  });

  // Angular's ErrorHandler is what everything reports to, so services inject it: a configure that
  // injected it (or a service or sink that does) failed the bootstrap with "NG0200: Circular
  // dependency detected for InjectionToken rxlog Logger", since the handler needed the logger
  // before the logger was built.
  void it('lets configure inject the ErrorHandler, and prints what is reported while the logger is built', () => {
    const memory = new MemorySink();
    const printed: unknown[][] = [];
    const diagnostics: string[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void printed.push(args);
    SelfLog.enable((line) => diagnostics.push(String(line)));
    const early = new Error('reported while configure runs');
    let injector: ReturnType<typeof testInjector> | undefined;
    try {
      injector = testInjector([
        provideRxlog(
          (c) => {
            inject(ErrorHandler).handleError(early);
            return c.writeTo.sink(memory);
          },
          withErrorHandler({ console: false }),
        ),
      ]);
    } finally {
      console.error = original;
      SelfLog.disable();
    }
    assert.deepEqual(printed, [['ERROR', early]], 'not lost: printed as Angular prints it');
    assert.equal(diagnostics.length, 1);
    assert.match(diagnostics[0], /before the logger was built/);
    injector.get(ErrorHandler).handleError(new Error('later'));
    assert.deepEqual(
      memory.events.map((e) => e.renderMessage()),
      ['Uncaught error: later'],
    );
    injector.destroy();
  });

  // An app error thrown on every animation frame (a template that throws in change detection).
  void it('logs at most maxErrorsPerSecond errors a second, then one summary of the rest when the second ends', (context) => {
    context.mock.timers.enable({ apis: ['Date', 'setTimeout', 'setInterval'], now: 1_000_000 });
    const { memory, injector, handler } = setup({ console: false, maxErrorsPerSecond: 3 });
    for (let frame = 0; frame < 120; frame += 1) {
      handler.handleError(new Error(`frame ${frame}`));
      context.mock.timers.tick(16);
    }
    context.mock.timers.tick(2_000);
    // Frames 0 to 62 fall in the first second, 63 to 119 in the one that starts with frame 63.
    assert.deepEqual(
      memory.events.map((e) => e.renderMessage()),
      [
        'Uncaught error: frame 0',
        'Uncaught error: frame 1',
        'Uncaught error: frame 2',
        'Skipped 60 uncaught errors: more than 3 a second',
        'Uncaught error: frame 63',
        'Uncaught error: frame 64',
        'Uncaught error: frame 65',
        'Skipped 54 uncaught errors: more than 3 a second',
      ],
    );
    assert.equal(memory.events[3].properties.SkippedErrors, 60);
    assert.equal(memory.events[3].properties.MaxErrorsPerSecond, 3);
    // The logger's close keeps the process alive until it ends, on timers that must be real then.
    context.mock.timers.reset();
    injector.destroy();
  });

  // The app ends within the second that skipped errors (a test, a server render, a page that
  // navigates away): the summary's timer fired after the logger had closed, which refused it, so
  // the skipped errors were counted nowhere a user reads.
  void it('logs the summary of the skipped errors when the injector is destroyed within their second', async (context) => {
    context.mock.timers.enable({ apis: ['Date', 'setTimeout', 'setInterval'], now: 1_000_000 });
    const { memory, injector, handler } = setup({ console: false, maxErrorsPerSecond: 2 });
    for (let i = 0; i < 7; i += 1) handler.handleError(new Error(`error ${i}`));
    context.mock.timers.tick(100);
    const logger = injector.get(RXLOG_LOGGER);
    context.mock.timers.reset();
    injector.destroy();
    await logger.close();
    assert.deepEqual(
      memory.events.map((e) => e.renderMessage()),
      ['Uncaught error: error 0', 'Uncaught error: error 1', 'Skipped 5 uncaught errors: more than 2 a second'],
    );
    assert.equal(logger.metrics().rejectedAfterClose, 0);
  });

  // Normal apps keep what they had: a few errors a second are each logged, nothing skipped, no timer.
  void it('logs every error of an app below the limit, with no summary', (context) => {
    context.mock.timers.enable({ apis: ['Date', 'setTimeout', 'setInterval'], now: 1_000_000 });
    const { memory, injector, handler } = setup();
    for (let i = 0; i < 10; i += 1) handler.handleError(new Error(`error ${i}`));
    context.mock.timers.tick(5_000);
    for (let i = 10; i < 20; i += 1) handler.handleError(new Error(`error ${i}`));
    context.mock.timers.tick(5_000);
    assert.equal(memory.events.length, 20);
    assert.ok(memory.events.every((e) => e.properties.SkippedErrors === undefined));
    context.mock.timers.reset();
    injector.destroy();
  });

  // A sink that reports to the ErrorHandler synchronously (a catch that calls handleError) was
  // stopped only by the logger's re-entrancy guard, whose SelfLog line named the template
  // ('Uncaught error: {ErrorMessage}'), not the error: which error it was was lost.
  void it('does not recurse when logging an error reports another synchronously; SelfLog names it', () => {
    const diagnostics: string[] = [];
    const target: { handler?: ErrorHandler } = {};
    let emitted = 0;
    const memory = new MemorySink();
    const reporting = {
      emit: () => {
        emitted += 1;
        target.handler?.handleError(new Error(`reported by the sink ${emitted}`));
      },
    };
    const injector = testInjector([
      provideRxlog((c) => c.writeTo.sink(memory).writeTo.sink(reporting), withErrorHandler({ console: false })),
    ]);
    const handler = injector.get(ErrorHandler);
    target.handler = handler;
    SelfLog.enable((line) => diagnostics.push(String(line)));
    try {
      assert.doesNotThrow(() => handler.handleError(new Error('the app failed')));
    } finally {
      SelfLog.disable();
    }
    assert.deepEqual(
      memory.events.map((e) => e.renderMessage()),
      ['Uncaught error: the app failed'],
    );
    assert.equal(emitted, 1);
    assert.equal(diagnostics.length, 1, diagnostics.join('\n'));
    assert.match(diagnostics[0], /while it logged another.*reported by the sink 1/s);
    injector.destroy();
  });

  // A console.error that reports to the ErrorHandler (error trackers patch it) recursed through the
  // handler's own console output, with no logger call in between to stop it, until the stack overflowed.
  void it('does not recurse through a console.error that reports to the ErrorHandler', () => {
    const { memory, injector, handler } = setup({ console: true });
    const diagnostics: string[] = [];
    const original = console.error;
    let printed = 0;
    console.error = () => {
      printed += 1;
      handler.handleError(new Error(`reported by console.error ${printed}`));
    };
    SelfLog.enable((line) => diagnostics.push(String(line)));
    try {
      assert.doesNotThrow(() => handler.handleError(new Error('the app failed')));
    } finally {
      console.error = original;
      SelfLog.disable();
    }
    assert.equal(printed, 1);
    assert.deepEqual(
      memory.events.map((e) => e.renderMessage()),
      ['Uncaught error: the app failed'],
    );
    assert.equal(diagnostics.length, 1, diagnostics.join('\n'));
    assert.match(diagnostics[0], /while it logged another.*reported by console.error 1/s);
    injector.destroy();
  });

  // Angular's application error handler keeps calling the ErrorHandler it has taken once its
  // injector is destroyed (an effect or a callback that fails afterwards): once the handler had
  // logged an error, a later one went to the closed logger and was dropped, printed nowhere.
  void it('prints an error reported after the app is destroyed, once it has logged an earlier one', async () => {
    const { memory, injector, handler } = setup();
    handler.handleError(new Error('before'));
    injector.destroy();
    await new Promise((done) => setTimeout(done, 10));
    const printed: unknown[][] = [];
    const diagnostics: string[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void printed.push(args);
    SelfLog.enable((line) => diagnostics.push(String(line)));
    const late = new Error('after');
    try {
      handler.handleError(late);
    } finally {
      console.error = original;
      SelfLog.disable();
    }
    assert.deepEqual(
      memory.events.map((e) => e.renderMessage()),
      ['Uncaught error: before'],
    );
    assert.deepEqual(printed, [['ERROR', late]], 'not lost: printed as Angular prints it');
    assert.equal(diagnostics.length, 1, diagnostics.join('\n'));
    assert.match(diagnostics[0], /after its injector was destroyed/);
  });

  void it('never throws, even when the logger is closed', async () => {
    const { memory, injector, handler } = setup();
    injector.destroy();
    await new Promise((done) => setTimeout(done, 10));
    assert.doesNotThrow(() => handler.handleError(new Error('late')));
    assert.equal(memory.events.length, 0);
  });
});

// docs/angular.md: an HttpErrorResponse a user logs in catchError with log.error(err, …) is no Error;
// provideRxlog makes it the exception the error handler logs, not its data as JSON (which would carry
// the query values, the response body and HttpClient's header internals).
void describe('an HttpErrorResponse logged with log.error in catchError', () => {
  const failure = () =>
    new HttpErrorResponse({
      url: 'https://shop.example.com/api/orders?token=s3cret',
      status: 500,
      statusText: 'Internal Server Error',
      error: '<html><body>Stack trace of the server</body></html>',
    });

  void it('is the exception the error handler logs: query values redacted, no response body', () => {
    const memory = new MemorySink();
    const injector = testInjector([provideRxlog((c) => c.writeTo.sink(memory))]);
    injector.get(RXLOG_LOGGER).error(failure(), 'Orders not loaded');
    const exception = memory.events[0]?.exception;
    assert.equal(exception?.name, 'HttpErrorResponse');
    assert.equal(
      exception?.message,
      'Http failure response for https://shop.example.com/api/orders?token=***: 500 Internal Server Error',
    );
    assert.doesNotMatch(exception?.stack ?? '', /s3cret|Stack trace of the server|normalizedNames/);
    injector.destroy();
  });

  // tapLog on an HttpClient call logged its failure as `Error: [object Object]`, with a stack inside
  // tapLog: the status and the URL were lost.
  void it('is the exception tapLog logs for a stream that fails with it', () => {
    const memory = new MemorySink();
    const injector = testInjector([provideRxlog((c) => c.writeTo.sink(memory))]);
    let seen: unknown;
    const err = failure();
    throwError(() => err)
      .pipe(tapLog(injector.get(RXLOG_LOGGER), { name: 'orders', subscribe: 'off' }))
      .subscribe({ error: (e: unknown) => (seen = e) });
    assert.equal(seen, err);
    const exception = memory.events[0]?.exception;
    assert.equal(exception?.name, 'HttpErrorResponse');
    assert.equal(
      exception?.message,
      'Http failure response for https://shop.example.com/api/orders?token=***: 500 Internal Server Error',
    );
    assert.doesNotMatch(exception?.stack ?? '', /s3cret|Stack trace of the server|normalizedNames|tap-log/);
    injector.destroy();
  });

  // A failed httpResource's ResourceValueError, caught where the value was read, quoted the URL and
  // held the HttpErrorResponse (its body) as its cause, written as JSON.
  void it('makes an Error whose cause is an HttpErrorResponse the same redacted exception', () => {
    const memory = new MemorySink();
    const injector = testInjector([provideRxlog((c) => c.writeTo.sink(memory))]);
    const err = failure();
    const wrapper = new Error(`Resource is currently in an error state (see Error.cause for details): ${err.message}`, {
      cause: err,
    });
    injector.get(RXLOG_LOGGER).error(wrapper, 'Total not computed');
    const text = exceptionText(memory.events[0]?.exception);
    assert.match(text, /^Error: Resource is currently in an error state .*api\/orders\?token=\*\*\*: 500/);
    assert.match(
      text,
      /\ncaused by: HttpErrorResponse: Http failure response for https:\/\/shop\.example\.com\/api\/orders\?token=\*\*\*: 500 Internal Server Error$/,
    );
    assert.doesNotMatch(text, /s3cret|Stack trace of the server|normalizedNames/);
    // Any other Error is the exception as it is.
    const plain = new Error('plain', { cause: new Error('inner') });
    injector.get(RXLOG_LOGGER).error(plain, 'Failed');
    assert.equal(memory.events[1]?.exception, plain);
    injector.destroy();
  });

  // Promise.any over requests to mirrors, all failed: the AggregateError's errors were written as
  // their data, the query values and the response bodies included.
  void it("makes each HttpErrorResponse of an AggregateError (Promise.any's) the same redacted exception", async () => {
    const memory = new MemorySink();
    const injector = testInjector([provideRxlog((c) => c.writeTo.sink(memory))]);
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- HttpClient's error is no Error
    const [any] = await Promise.allSettled([Promise.any([Promise.reject(failure()), Promise.reject(failure())])]);
    const aggregate = (any as PromiseRejectedResult).reason as AggregateError;
    injector.get(RXLOG_LOGGER).error(aggregate, 'No mirror answered');
    const text = exceptionText(memory.events[0]?.exception);
    assert.match(text, /^AggregateError: All promises were rejected/);
    const quoted =
      'HttpErrorResponse: Http failure response for https://shop.example.com/api/orders?token=***: 500 Internal Server Error';
    assert.equal(text.split(quoted).length, 3, text);
    assert.doesNotMatch(text, /s3cret|Stack trace of the server|normalizedNames/);
    // The app's own error is left as it is.
    assert.ok(aggregate.errors.every((e) => e instanceof HttpErrorResponse));
    injector.destroy();
  });

  void it('leaves any other thrown object to the usual rules (its data as JSON)', () => {
    const memory = new MemorySink();
    const injector = testInjector([provideRxlog((c) => c.writeTo.sink(memory))]);
    injector.get(RXLOG_LOGGER).error({ name: 'HttpErrorResponse', code: 7 }, 'Not HttpClient');
    assert.equal(memory.events[0]?.exception?.message, '{"name":"HttpErrorResponse","code":7}');
    injector.destroy();
  });

  void it('leaves both out when the status is logged instead, as the page shows', () => {
    const memory = new MemorySink();
    const injector = testInjector([provideRxlog((c) => c.writeTo.sink(memory))]);
    const err = failure();
    injector.get(RXLOG_LOGGER).warning('Orders not loaded: {StatusCode}', err.status);
    assert.equal(memory.events[0]?.renderMessage(), 'Orders not loaded: 500');
    assert.equal(memory.events[0]?.exception, undefined);
    injector.destroy();
  });
});
