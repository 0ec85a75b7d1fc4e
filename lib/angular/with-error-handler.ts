import { ENVIRONMENT_INITIALIZER, ErrorHandler, inject, Injector, isDevMode, NgZone, PLATFORM_ID } from '@angular/core';
import { checkOptionKeys } from '../core/check-option-keys';
import { describeValue } from '../core/describe-value';
import { hasErrorBrand } from '../core/has-error-brand';
import { keepErrorText } from '../core/keep-error-text';
import { expectOption } from '../core/expect-option';
import { SelfLog } from '../core/self-log';
import { truncatedText } from '../core/truncated-text';
import { exceptionFrom } from '../templates/exception-from';
import type { Logger } from '../pipeline/logger';
import { currentRoute, type RouteProperties, routePath } from './current-route';
import type { HttpErrorResponse } from '@angular/common/http';
import { errorWithHttpCause, httpErrorException, isHttpErrorResponse } from './http-error-exception';
import { redactQuery, redactStackUrls } from './redact-query';
import { repairZoneRejections } from './repair-zone-rejections';
import { ROOT_ERROR_HANDLER } from './root-error-handler';
import { NAVIGATION_FAILED, type NavigationFailureHandler, ROUTER_HOLDER } from './router-holder';
import { rxlogFeature, type RxlogFeature } from './rxlog-feature';
import { RXLOG_LOGGER, RXLOG_LOGGER_SLOT } from './rxlog-tokens';

/** Options of {@link withErrorHandler}. */
export interface ErrorHandlerOptions {
  /** Also writes errors to the console as Angular's own ErrorHandler does (`console.error('ERROR', error)`). Default `isDevMode()`. */
  console?: boolean | undefined;
  /** The `SourceContext` of the error events. Default `'ErrorHandler'`. */
  sourceContext?: string | undefined;
  /**
   * Most uncaught errors logged in one second, a positive integer or `Infinity`; the rest of that
   * second are counted and logged as one `Skipped {SkippedErrors} uncaught errors` event when it
   * ends. Stops a sink that fails asynchronously (its error comes back here) or an error thrown on
   * every frame from flooding the log. Default `10`.
   */
  maxErrorsPerSecond?: number | undefined;
}

/**
 * A `provideRxlog` feature: replaces Angular's ErrorHandler with one that logs every uncaught
 * error as an `error` event, `Uncaught error on {Route}: {ErrorMessage}`, with the error as the
 * event's exception and the active route (`Route`, `RoutePattern`) when `withRouterContext()` is
 * given too (and then a navigation that fails as `Navigation to {TargetRoute} failed: {ErrorMessage}`,
 * once); in dev mode it also keeps Angular's console output. An `HttpErrorResponse` is logged by its
 * message (query values redacted) with `StatusCode` and `Url`, and so is an Error whose cause is
 * one (the `ResourceValueError` of a failed `httpResource` whose value a template reads). Together with
 * `provideBrowserGlobalErrorListeners()` (Angular 20+) it receives uncaught errors and unhandled
 * promise rejections outside Angular too, and logs each error once even if Angular reports it
 * twice (the same error object within a second of logging it); the same object thrown again later
 * is logged again. A window `error` event without an error (a cross-origin script's muted
 * `Script error.`, `throw null`), which Angular wraps in an Error of its own, is logged by the
 * event's message with `ErrorFile`, `ErrorLine` and `ErrorColumn` where the browser gives them; any
 * other value Angular's global listener hands on (a thrown string or object included) carries them
 * too, its exception's stack frames naming scripts with query values redacted as `ErrorFile`'s, and
 * an unhandled rejection `UnhandledRejection: true`. What Angular hands on while the browser
 * dispatches another event (a template's `(click)` listener threw) carries that event's `EventName`
 * and `EventTarget` (`button#buy.primary`).
 *
 * @throws ConfigurationError naming a bad or misspelt option.
 */
export function withErrorHandler(options: ErrorHandlerOptions = {}): RxlogFeature<'error-handler'> {
  /* eslint-disable @typescript-eslint/no-unnecessary-condition -- JavaScript callers can pass anything */
  expectOption(typeof options === 'object' && options !== null, 'withErrorHandler', 'an options object', options);
  checkOptionKeys('withErrorHandler', options, ['console', 'sourceContext', 'maxErrorsPerSecond']);
  const { console, sourceContext, maxErrorsPerSecond } = options;
  expectOption(console === undefined || typeof console === 'boolean', 'withErrorHandler.console', 'a boolean', console);
  expectOption(
    sourceContext === undefined || (typeof sourceContext === 'string' && sourceContext !== ''),
    'withErrorHandler.sourceContext',
    'a non-empty string',
    sourceContext,
  );
  expectOption(
    maxErrorsPerSecond === undefined ||
      maxErrorsPerSecond === Infinity ||
      (Number.isSafeInteger(maxErrorsPerSecond) && maxErrorsPerSecond > 0),
    'withErrorHandler.maxErrorsPerSecond',
    'a positive integer or Infinity',
    maxErrorsPerSecond,
  );
  /* eslint-enable @typescript-eslint/no-unnecessary-condition */
  return rxlogFeature('error-handler', [
    // The values checked, not the object: one changed before Angular makes the handler gives nothing unchecked.
    {
      provide: ErrorHandler,
      useFactory: () => {
        // With zone.js, a promise rejected outside Angular's zone reached no listener, Angular's neither.
        if (inject(PLATFORM_ID) !== 'server') repairZoneRejections();
        return new RxlogErrorHandler(inject(Injector), { console, sourceContext, maxErrorsPerSecond });
      },
    },
    { provide: ENVIRONMENT_INITIALIZER, multi: true, useValue: checkHandlerKept },
  ]);
}

/**
 * Says on SelfLog when the ErrorHandler Angular uses is not this feature's, and uncaught errors
 * would go unlogged without a word: a provider of ErrorHandler given after provideRxlog (an error
 * tracker's) replaces it, as Angular takes the last provider; and in a lazy route's providers
 * Angular still takes the root injector's. Angular makes the ErrorHandler as the injector starts
 * all the same (its bootstrap's own environment initializer injects it).
 */
function checkHandlerKept(): void {
  try {
    const handler: unknown = inject(ErrorHandler, { optional: true });
    const root: unknown = inject(ROOT_ERROR_HANDLER, { optional: true }) ?? handler;
    if (!(handler instanceof RxlogErrorHandler))
      SelfLog.write(
        'withErrorHandler: a provider of ErrorHandler given after provideRxlog replaces its handler (Angular takes the last one), so uncaught errors are not logged: {Handler}',
        describeValue(handler),
      );
    else if (!(root instanceof RxlogErrorHandler))
      SelfLog.write(
        "withErrorHandler: given in a route's providers, it has no effect (Angular takes the root injector's ErrorHandler), so uncaught errors are not logged: {Handler}",
        describeValue(root),
      );
  } catch (error) {
    SelfLog.write('withErrorHandler: making the ErrorHandler failed', error);
  }
}

/** Angular's ErrorHandler, logging to rxlog. Made by `withErrorHandler()`. */
class RxlogErrorHandler extends ErrorHandler implements NavigationFailureHandler {
  // Taken at the first error, not when Angular makes the handler: what configure injects (a
  // service, a sink) may inject the ErrorHandler, which would then need the logger being built.
  private log: Logger | undefined;
  private readonly sourceContext: string;
  private readonly console: boolean;
  // When each error object was last logged: reported again within DOUBLE_REPORT_MS (by a zone and
  // a global listener) it is the same report, logged once; later, it is another occurrence (a
  // constant error thrown again, an error replayed to a new subscriber) and is logged again.
  private readonly reported = new WeakMap<object, number>();
  private readonly maxErrorsPerSecond: number;
  // The rate window: when it started, how many errors it logged, how many it skipped, and the
  // timer that logs the summary of the skipped ones when it ends.
  private windowStart = -Infinity;
  private logged = 0;
  private skipped = 0;
  private summaryTimer: ReturnType<typeof setTimeout> | undefined;
  // Set while an error is logged or printed: an error reported meanwhile (by a sink, an enricher or
  // a console.error that reports to the ErrorHandler) is not logged, so the handler cannot recurse.
  private handling = false;
  // Set when provideRxlog closes the logger (the injector destroyed).
  private closed = false;
  // The last failed navigation's error and when it was logged: Angular may hand it on just after
  // (a routerLink's rejection), also when it is no object, which `reported` cannot hold.
  private navigationFailure: { error: unknown; at: number } | undefined;

  constructor(
    private readonly injector: Injector,
    options: ErrorHandlerOptions,
  ) {
    super();
    this.sourceContext = options.sourceContext ?? 'ErrorHandler';
    this.console = options.console ?? isDevMode();
    this.maxErrorsPerSecond = options.maxErrorsPerSecond ?? DEFAULT_MAX_ERRORS_PER_SECOND;
  }

  override handleError(error: unknown): void {
    this.report(error);
  }

  /** A navigation that failed (withRouterContext() hands on the Router's NavigationError), logged naming the URL it was for. */
  [NAVIGATION_FAILED](error: unknown, url: string): void {
    this.report(error, typeof url === 'string' ? url : undefined);
  }

  /** `navigation`: the URL a failed navigation was for. */
  private report(error: unknown, navigation?: string): void {
    // Whatever was thrown (getters that throw, proxies, objects without a prototype), the handler
    // itself never throws: Angular calls it where nothing else would catch.
    const unwrapped = unwrap(error);
    if (this.handling) {
      SelfLog.write(
        'withErrorHandler: an uncaught error reported while it logged another (by a sink, an enricher or console.error) is not logged, so that the handler cannot recurse',
        unwrapped,
      );
      return;
    }
    const now = Date.now();
    if (typeof unwrapped === 'object' && unwrapped !== null) {
      const last = this.reported.get(unwrapped);
      if (last !== undefined && now - last < DOUBLE_REPORT_MS) return;
      this.reported.set(unwrapped, now);
    } else {
      const failure = this.navigationFailure;
      if (failure !== undefined && Object.is(failure.error, unwrapped) && now - failure.at < DOUBLE_REPORT_MS) return;
    }
    if (navigation !== undefined) this.navigationFailure = { error: unwrapped, at: now };
    if (!this.admit(now)) return;
    this.handling = true;
    try {
      this.handle(error, unwrapped, navigation);
    } finally {
      this.handling = false;
    }
  }

  private handle(error: unknown, unwrapped: unknown, navigation: string | undefined): void {
    const logger = this.logger();
    if (logger === undefined) {
      // Reported while configure builds the logger, after it failed, or once the injector is
      // destroyed: printed as Angular prints it, not lost.
      SelfLog.write(
        'withErrorHandler: no logger for an uncaught error (reported before the logger was built, or after its injector was destroyed); printed to the console',
        unwrapped,
      );
      this.print(error);
      return;
    }
    try {
      const route = this.route();
      const reported = reportedBy(error, unwrapped);
      const target = navigation === undefined ? undefined : routePath(navigation);
      const read =
        navigation === undefined ? readUncaught(reported.value) : withoutUrlExtras(readUncaught(reported.value), navigation);
      const { message, exception } = read;
      const properties = reported.properties === undefined ? read.properties : { ...read.properties, ...reported.properties };
      const template: string =
        target !== undefined
          ? 'Navigation to {TargetRoute} failed: {ErrorMessage}'
          : route === undefined
            ? 'Uncaught error: {ErrorMessage}'
            : 'Uncaught error on {Route}: {ErrorMessage}';
      const args = target !== undefined ? [target, message] : route === undefined ? [message] : [route.Route, message];
      const extra = route === undefined ? properties : { ...route, ...properties };
      const log = extra === undefined ? logger : logger.child(extra);
      if (exception !== undefined) log.error(exception, template, ...args);
      else log.error(template, ...args);
    } catch (failure) {
      SelfLog.write('withErrorHandler: logging an uncaught error failed', failure);
    }
    if (this.console) this.print(error);
  }

  /**
   * Whether an error reported at `now` is within maxErrorsPerSecond of its window; if not, it is
   * counted, and the summary is logged when the window ends.
   */
  private admit(now: number): boolean {
    if (now - this.windowStart >= RATE_WINDOW_MS || now < this.windowStart) {
      // The timer may fire late (a busy page, a background tab): the summary comes first.
      this.summarize();
      this.windowStart = now;
      this.logged = 0;
    }
    if (this.logged < this.maxErrorsPerSecond) {
      this.logged += 1;
      return true;
    }
    this.skipped += 1;
    if (this.summaryTimer === undefined) {
      const delay = this.windowStart + RATE_WINDOW_MS - now;
      // Outside Angular's zone: the timer triggers no change detection and keeps no server render waiting.
      const schedule = () => setTimeout(() => this.summarize(), delay);
      try {
        this.summaryTimer = this.injector.get(NgZone, null)?.runOutsideAngular(schedule) ?? schedule();
      } catch {
        // The injector is destroyed.
        this.summaryTimer = schedule();
      }
    }
    return false;
  }

  /** Logs how many errors the window skipped, if any. */
  private summarize(): void {
    if (this.summaryTimer !== undefined) clearTimeout(this.summaryTimer);
    this.summaryTimer = undefined;
    const skipped = this.skipped;
    if (skipped === 0) return;
    this.skipped = 0;
    const template = 'Skipped {SkippedErrors} uncaught errors: more than {MaxErrorsPerSecond} a second';
    this.handling = true;
    try {
      const logger = this.logger();
      if (logger === undefined)
        SelfLog.write(
          `withErrorHandler: skipped ${skipped} uncaught errors (more than ${this.maxErrorsPerSecond} a second) while it had no logger`,
        );
      else logger.error(template, skipped, this.maxErrorsPerSecond);
    } catch (failure) {
      SelfLog.write('withErrorHandler: logging how many uncaught errors were skipped failed', failure);
    } finally {
      this.handling = false;
    }
  }

  /** Angular's own output, `console.error('ERROR', error)`. */
  private print(error: unknown): void {
    try {
      super.handleError(error);
    } catch (failure) {
      SelfLog.write('withErrorHandler: printing an uncaught error to the console failed', failure);
    }
  }

  /** The logger, once provideRxlog has built it; undefined while its configure runs. */
  private logger(): Logger | undefined {
    if (this.closed) return undefined;
    if (this.log === undefined) {
      try {
        const slot = this.injector.get(RXLOG_LOGGER_SLOT, null);
        if (slot?.building === true) return undefined;
        this.log = this.injector.get(RXLOG_LOGGER).forContext('SourceContext', this.sourceContext);
        // The injector destroyed: the errors skipped in the second that had not ended are summarized
        // before the logger closes, not by the window's timer after it, which the closed logger refuses.
        // Not ngOnDestroy: a lifecycle hook would make Angular's compiler demand a decorator (NG2007).
        // Angular's application error handler keeps calling this handler after the injector is
        // destroyed: from then on an error has no logger to go to, and is printed.
        slot?.beforeClose.push(() => {
          this.summarize();
          this.closed = true;
        });
      } catch {
        // configure failed (and the bootstrap with it: Angular reports that very error here), or
        // the injector is destroyed.
        return undefined;
      }
    }
    return this.log;
  }

  /**
   * The route, from the Router withRouterContext() took when the injector started: injecting the
   * Router here by its class would bundle @angular/router into every app, those without routes too.
   */
  private route(): RouteProperties | undefined {
    try {
      const router = this.injector.get(ROUTER_HOLDER, null)?.router ?? null;
      return router === null ? undefined : currentRoute(router);
    } catch {
      // The router's state unreadable.
      return undefined;
    }
  }
}

/** How long after it was logged the same error object reported again is taken as the same report. */
const DOUBLE_REPORT_MS = 1_000;

/** The window `maxErrorsPerSecond` counts in. */
const RATE_WINDOW_MS = 1_000;

/** The default of `maxErrorsPerSecond`. */
const DEFAULT_MAX_ERRORS_PER_SECOND = 10;

/** What an uncaught value tells: its message, the exception to log and extra properties. */
interface Uncaught {
  readonly message: string;
  readonly exception?: Error;
  readonly properties?: Record<string, unknown>;
}

/**
 * An Error as it is. An HttpErrorResponse (HttpClient's error, which is no Error subclass) as an
 * Error of that name with `StatusCode` and `Url`, query values redacted as the HTTP logging does.
 * Any other object with a text `message` by that message, anything else by its text, each with
 * the exception `log.error(value, …)` makes of it.
 */
function readUncaught(value: unknown): Uncaught {
  try {
    const read = readValue(value);
    const thrown: unknown = isErrorEvent(value) ? value.error : value;
    return { ...read, exception: stackUrlsRedacted(read.exception, thrown) };
  } catch {
    // A getter, a proxy trap or a toString that throws, or an object without a prototype
    // (exceptionFrom never throws: it says what it can).
    return { message: `[${typeof value}]`, exception: exceptionFrom(value) };
  }
}

function readValue(value: unknown): Uncaught {
  if (isErrorEvent(value)) return readErrorEvent(value);
  if (value instanceof Error) {
    // A template that read a failed httpResource's value: its URL and body kept out as the response's are.
    const wrapped = readWrapped(value);
    return wrapped ?? { message: errorMessage(value), exception: value };
  }
  if (isHttpErrorResponse(value)) {
    const exception = httpErrorException(value);
    return { message: exception.message, exception, properties: httpProperties(value) };
  }
  // The exception log.error(value, …) would make of it in a catch: an Error of another realm (an
  // iframe's) as it is, with its stack; an object's data as JSON, which redaction policies redact,
  // the stacks in it (an Error's, captured) redacted first.
  const exception = exceptionFrom(withStackUrlsRedacted(value));
  if (typeof value === 'object' && value !== null) {
    const message: unknown = (value as { message?: unknown }).message;
    if (typeof message === 'string') return { message, exception };
  }
  return { message: String(value), exception };
}

/**
 * What a window's ErrorEvent tells: its `error` read as any other uncaught value, or, when it has
 * none (a cross-origin script's muted error, `throw null`, `throw undefined`), the event's message
 * and no exception (a made-up one would point at Angular's listener, not at the script). Where the
 * browser says where it was thrown, as `ErrorFile` (the script's URL, query values redacted),
 * `ErrorLine` and `ErrorColumn`: properties rather than a made-up stack line, so that they can be
 * queried and need no stack parser. A muted error (message `Script error.`, no file) says so.
 */
function readErrorEvent(event: ErrorEvent): Uncaught {
  const { message, filename, lineno, colno } = event;
  const error: unknown = event.error;
  const location: Record<string, unknown> = {};
  if (typeof filename === 'string' && filename !== '') location.ErrorFile = redactQuery(filename);
  if (lineno > 0) location.ErrorLine = lineno;
  if (colno > 0) location.ErrorColumn = colno;
  if (error === null || error === undefined) {
    const text = String(message);
    const muted = text === MUTED_MESSAGE && location.ErrorFile === undefined;
    return { message: muted ? `${text} ${MUTED_NOTE}` : text, properties: location };
  }
  const read = readValue(error);
  return { ...read, properties: { ...read.properties, ...location } };
}

/**
 * The exception with the script URLs in its stacks redacted, whether the browser reported it or
 * Angular caught it (a template's event handler, zone.js): the thrown Error as a copy
 * ({@link withStackUrlsRedacted}); one made here (a ThrownValueError, an HttpErrorResponse's copy)
 * as it is, since a copy would lose the thrown data a redaction policy rewrites its message from.
 */
function stackUrlsRedacted(exception: Error | undefined, thrown: unknown): Error | undefined {
  if (exception === undefined) return undefined;
  if (exception === thrown) return withStackUrlsRedacted(exception);
  if (typeof exception.stack === 'string') exception.stack = redactStackUrls(exception.stack);
  return exception;
}

/**
 * The value with the script URLs redacted as `ErrorFile` is (the same script's URL, query and all,
 * is in them) in every stack its exception text writes: its own, its causes', an AggregateError's
 * `errors`' and theirs, walked as exceptionText walks them (the first eight errors of each, eight
 * causes of each chain, 64 in all; one met again inside itself is its copy, which the text writes
 * as `[Circular]`), through a plain object in a chain too (`cause: { code, cause: error }`), and
 * the `stack` of such an object, which the text writes as any other. A plain object (or array) the
 * text writes as JSON, or the data of a thrown object, holds stacks too once captured (an Error in
 * it becomes `{ name, message, stack }`, as a redaction policy or a ThrownValueError captures it):
 * its own data properties are walked for Errors and stacks, the first 1 000 values in all, ten
 * levels deep, as capture keeps them (a getter is not called). The value itself when no stack
 * changes; otherwise a copy (same prototype, own properties) of it and of each Error, plain object
 * and array walked. A value is never changed; an object of a class other than Error's is kept as it
 * is (a copy could break its methods), and so is what is behind it, and one whose getter or Proxy
 * trap throws (what exception text reads of it is as much as it gives here).
 */
function withStackUrlsRedacted<T>(value: T): T {
  const walk: RedactWalk = {
    above: new Map(),
    done: new Map(),
    left: MAX_PARTS,
    data: MAX_DATA_VALUES,
    chars: MAX_NESTED_STACKS,
    copies: new WeakSet(),
    changed: false,
  };
  const copy = copyRedacted(value, walk, MAX_TOP_STACK);
  if (copy === undefined) return value;
  walk.above.set(value, copy);
  redactTail(value, copy, walk);
  redactData(copy, walk, 0);
  return walk.changed ? (copy as T) : value;
}

/** What one withStackUrlsRedacted call has walked, counted as exceptionText counts it. */
interface RedactWalk {
  /** The errors and causes above the current one, each with what stands for it in the copy. */
  readonly above: Map<unknown, unknown>;
  /** How many more errors and causes the text writes. */
  left: number;
  /** The values of data copied so far, each with its copy: one met again is that copy. */
  readonly done: Map<object, object>;
  /** How many more values of data may be copied (each copy costs as many as it has own properties). */
  data: number;
  /** How many more characters of stacks other than the top one are kept. */
  chars: number;
  /** The copies made: met again in a copy's data, they are walked already. */
  readonly copies: WeakSet<object>;
  /** Whether a stack has changed. */
  changed: boolean;
}

/** Whether a value is a plain object as capture tells one: its prototype is an `Object.prototype` (of any realm) or none. May throw. */
function isPlainObject(value: unknown): value is object {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === null || Object.getPrototypeOf(prototype) === null;
}

/**
 * A copy of an Error of any realm or a plain object, with its stack redacted, or of an array no
 * longer than the walk's data budget, and an HttpErrorResponse as its exception; undefined for
 * anything else, or when a getter or Proxy trap throws. Its own properties are copied as they are, getters as getters, but writable and
 * configurable, so that a frozen value's copy takes its redacted stack and links.
 */
function copyRedacted(value: unknown, walk: RedactWalk, max?: number): object | undefined {
  try {
    let copy: object;
    if (isHttpErrorResponse(value)) {
      // HttpClient's error inside the error (Promise.any over requests, a cause's or thrown data):
      // the exception the handler logs of one, not its data (the unredacted URL, the body).
      copy = httpErrorException(value);
      walk.changed = true;
    } else if (Array.isArray(value)) {
      // Checked before the copy: slicing a sparse array of 10⁸ items takes seconds.
      if (value.length > walk.data) return undefined;
      copy = value.slice();
      walk.data -= value.length;
    } else {
      // An Error of another realm (an iframe's) too: exception text writes its stack as any other.
      const error = value instanceof Error || hasErrorBrand(value);
      if (!error && !isPlainObject(value)) return undefined;
      const stack: unknown = (value as { stack?: unknown }).stack;
      const text = typeof stack === 'string' ? redactStackUrls(boundedStack(stack, walk, max)) : stack;
      const descriptors = Object.getOwnPropertyDescriptors(value);
      walk.data -= Object.keys(descriptors).length;
      copy = copyWith(value as object, descriptors, error);
      if (error || text !== stack) Object.defineProperty(copy, 'stack', { value: text, writable: true, configurable: true });
      if (text !== stack) walk.changed = true;
    }
    walk.copies.add(copy);
    return copy;
  } catch {
    return undefined;
  }
}

/**
 * A copy of `value` (same prototype) with its own properties `descriptors`, getters as getters, made
 * writable and configurable so that a frozen value's copy takes a new stack or message; for an
 * Error, its name and message kept readable (a DOMException's class reads them from the error's
 * slot, which the copy has not: see keepErrorText). Throws what a Proxy trap throws.
 */
function copyWith(value: object, descriptors: PropertyDescriptorMap, error: boolean): object {
  for (const descriptor of Object.values(descriptors)) {
    descriptor.configurable = true;
    if ('value' in descriptor) descriptor.writable = true;
  }
  const copy = Object.create(Object.getPrototypeOf(value) as object | null, descriptors) as object;
  if (error) keepErrorText(copy, value);
  return copy;
}

/**
 * A stack cut as it is written: the top one (`max`) at 256 KiB, a queued sink's default
 * `maxEventBytes`; any other at 64 KiB and the walk's 1 MiB in all, as exception text writes causes
 * and errors and capture a string. Redacting the megabytes of a stack no sink writes
 * (`Error.stackTraceLimit = Infinity` and a deep recursion) held the page for seconds.
 */
function boundedStack(stack: string, walk: RedactWalk, max?: number): string {
  if (max === undefined) {
    max = Math.min(MAX_NESTED_STACK, walk.chars);
    walk.chars -= Math.min(stack.length, max);
  }
  return stack.length > max ? truncatedText(stack, max) : stack;
}

/** Sets a copy's own `key` to `value`, keeping it enumerable if it was. */
function setOwn(copy: object | undefined, key: string, value: unknown): void {
  if (copy !== undefined) Object.defineProperty(copy, key, { value, writable: true, configurable: true });
}

/** The errors of `value` (an AggregateError's) and its causes, redacted into `copy` as exceptionText's tailText writes them. */
function redactTail(value: unknown, copy: object | undefined, walk: RedactWalk): void {
  redactErrors(value, copy, walk);
  const chain: unknown[] = [];
  const copies: object[] = [];
  let current = value;
  let currentCopy = copy;
  for (;;) {
    let cause: unknown;
    try {
      cause = typeof current === 'object' && current !== null ? (current as { cause?: unknown }).cause : undefined;
    } catch {
      break;
    }
    if (cause === undefined) break;
    if (walk.above.has(cause)) {
      setOwn(currentCopy, 'cause', walk.above.get(cause));
      break;
    }
    if (chain.length === MAX_CAUSES || walk.left === 0) break;
    walk.left--;
    const causeCopy = copyRedacted(cause, walk);
    setOwn(currentCopy, 'cause', causeCopy ?? cause);
    walk.above.set(cause, causeCopy ?? cause);
    chain.push(cause);
    if (causeCopy !== undefined) copies.push(causeCopy);
    redactErrors(cause, causeCopy, walk);
    // Without a copy, what is behind it stays as it is: the copy above links to the value itself.
    if (causeCopy === undefined) break;
    current = cause;
    currentCopy = causeCopy;
  }
  // A plain cause's data after the chain, so that the chain's stacks come first.
  for (const causeCopy of copies) redactData(causeCopy, walk, 0);
  for (const cause of chain) walk.above.delete(cause);
}

/** An AggregateError's first eight errors, each with its own errors and causes, redacted into `copy`. */
function redactErrors(value: unknown, copy: object | undefined, walk: RedactWalk): void {
  let errors: unknown;
  try {
    errors =
      value instanceof AggregateError || (value as { name?: unknown } | null | undefined)?.name === 'AggregateError'
        ? (value as { errors?: unknown }).errors
        : undefined;
    if (!Array.isArray(errors) || copy === undefined) return;
    const items: unknown[] = errors.slice();
    setOwn(copy, 'errors', items);
    for (let index = 0; index < Math.min(items.length, MAX_CAUSES) && walk.left > 0; index++) {
      const item = items[index];
      if (walk.above.has(item)) {
        items[index] = walk.above.get(item);
        continue;
      }
      walk.left--;
      const itemCopy = copyRedacted(item, walk);
      if (itemCopy === undefined) continue;
      items[index] = itemCopy;
      walk.above.set(item, itemCopy);
      redactTail(item, itemCopy, walk);
      redactData(itemCopy, walk, 0);
      walk.above.delete(item);
    }
  } catch {
    // A getter or Proxy trap that throws: exception text's writing of these errors stops there too.
  }
}

/**
 * The data of a copied plain object, array or Error (its own enumerable properties, read from the
 * copy: a getter's value is not walked) with each Error, plain object and array in it copied and
 * redacted (an Error with its causes and errors), to `MAX_DATA_DEPTH` levels, while the walk's
 * data budget lasts; a value met again is its copy (a cycle, one object listed many times).
 */
function redactData(copy: object, walk: RedactWalk, depth: number): void {
  if (depth === MAX_DATA_DEPTH) return;
  for (const key of Object.keys(copy)) {
    const item: unknown = Object.getOwnPropertyDescriptor(copy, key)?.value;
    if (typeof item !== 'object' || item === null || walk.copies.has(item)) continue;
    const known = walk.above.get(item) ?? walk.done.get(item);
    if (known !== undefined) {
      setOwn(copy, key, known);
      continue;
    }
    if (walk.data <= 0) return;
    const itemCopy = copyRedacted(item, walk);
    if (itemCopy === undefined) continue;
    setOwn(copy, key, itemCopy);
    walk.done.set(item, itemCopy);
    walk.above.set(item, itemCopy);
    redactTail(item, itemCopy, walk);
    redactData(itemCopy, walk, depth + 1);
    walk.above.delete(item);
  }
}

/** How many causes of a chain, and errors of an AggregateError, exception text writes. */
const MAX_CAUSES = 8;

/** How many errors and causes exception text writes in all, nested ones included. */
const MAX_PARTS = 64;

/**
 * How many values of plain objects' data are walked in all: more than the 1 000 characters of
 * JSON exception text writes of a plain object hold, as many as capture keeps of one collection.
 */
const MAX_DATA_VALUES = 1_000;

/** How deep data is walked, as capture keeps it. */
const MAX_DATA_DEPTH = 10;

/** The longest top stack kept, a queued sink's default `maxEventBytes` (256 KiB). */
const MAX_TOP_STACK = 256 * 1024;

/** The longest stack of a cause or another nested error kept, as exception text writes one (64 KiB). */
const MAX_NESTED_STACK = 64 * 1024;

/** How many characters of nested stacks are kept in all, as exception text writes them (1 MiB). */
const MAX_NESTED_STACKS = 1024 * 1024;

/** The message of an ErrorEvent of a cross-origin script the browser mutes (HTML's "report an exception"). */
const MUTED_MESSAGE = 'Script error.';
const MUTED_NOTE = "(a cross-origin script's error, whose details the browser hides)";

/**
 * What a failed navigation tells, without what `TargetRoute` leaves out of the URL it was for (its
 * query and fragment, each segment's matrix parameters), which Angular's own message quotes
 * (`NG04002: Cannot match any routes. URL Segment: 'reset;token=…/x'`, the segments no route
 * matched; in production `NG04002: 'reset;token=…/x'`), and a guard's may (`state.url`). They are
 * taken out of the message and of the exception's message and stack (a copy: the thrown value is
 * not changed), as `TargetRoute` is written.
 */
function withoutUrlExtras(read: Uncaught, url: string): Uncaught {
  const extras = urlExtras(url);
  if (extras.length === 0) return read;
  const exception = read.exception === undefined ? undefined : exceptionWithout(read.exception, extras);
  return { ...read, message: withoutAll(read.message, extras), exception };
}

/** The query and fragment of a URL, together and each alone, and each matrix parameter (`;k=v`) of its path, longest first. */
function urlExtras(url: string): string[] {
  const end = url.search(/[?#]/);
  const path = end === -1 ? url : url.slice(0, end);
  const extras = new Set(path.match(/;[^/()]*/g));
  if (end !== -1) {
    const rest = url.slice(end);
    const hash = rest.indexOf('#');
    extras.add(rest);
    if (hash > 0) extras.add(rest.slice(0, hash)).add(rest.slice(hash));
  }
  // A lone `;`, `?` or `#` says nothing, and every one of them would go from the message.
  return [...extras].filter((extra) => extra.length > 1).sort((a, b) => b.length - a.length);
}

/** `text` without any of `extras`. */
function withoutAll(text: string, extras: readonly string[]): string {
  return extras.reduce((out, extra) => out.split(extra).join(''), text);
}

/** The exception, or a copy of it (same prototype, own properties) whose message and stack are without `extras`. */
function exceptionWithout(exception: Error, extras: readonly string[]): Error {
  try {
    const { message, stack } = exception as { message: unknown; stack: unknown };
    const text = typeof message === 'string' ? withoutAll(message, extras) : message;
    const trace = typeof stack === 'string' ? withoutAll(stack, extras) : stack;
    if (text === message && trace === stack) return exception;
    const copy = copyWith(exception, Object.getOwnPropertyDescriptors(exception), true) as Error;
    Object.defineProperty(copy, 'message', { value: text, writable: true, configurable: true });
    Object.defineProperty(copy, 'stack', { value: trace, writable: true, configurable: true });
    return copy;
  } catch {
    // A getter or a Proxy trap that throws: what the exception text reads of it is as much as it gives.
    return exception;
  }
}

/** A window's ErrorEvent, of this realm or another; never throws. */
function isErrorEvent(value: unknown): value is ErrorEvent {
  try {
    return Object.prototype.toString.call(value) === '[object ErrorEvent]';
  } catch {
    return false;
  }
}

/** What an Error whose cause is an HttpErrorResponse tells, read as errorWithHttpCause reads it; undefined for any other. */
function readWrapped(error: Error): Uncaught | undefined {
  let read: ReturnType<typeof errorWithHttpCause>;
  try {
    read = errorWithHttpCause(error);
  } catch {
    // A getter that throws: the Error as it is.
    return undefined;
  }
  if (read === undefined) return undefined;
  return { message: read.exception.message, exception: read.exception, properties: httpProperties(read.response) };
}

/** `StatusCode` and the redacted `Url` of an HttpErrorResponse. */
function httpProperties(response: HttpErrorResponse): Record<string, unknown> {
  const url = response.url;
  const properties: Record<string, unknown> = { StatusCode: response.status };
  if (url !== null) properties.Url = redactQuery(url);
  return properties;
}

/**
 * An Error's message, or `[name]` when its `message` getter (or the message's text) throws: the Error
 * itself is still the exception, with its name and stack.
 */
function errorMessage(error: Error): string {
  try {
    const message: unknown = error.message;
    return typeof message === 'string' ? message : String(message);
  } catch {
    // A getter that throws: the name says what kind of failure it was.
  }
  try {
    return `[${String(error.name)}]`;
  } catch {
    return '[Error]';
  }
}

/**
 * The uncaught value together with what the browser's event that reported it tells, when a global
 * listener (`provideBrowserGlobalErrorListeners()`'s) hands it on while that event is dispatched
 * (`window.event`, the event being dispatched, whose `error` or `reason` is this very value): an
 * ErrorEvent, for `ErrorFile`, `ErrorLine` and `ErrorColumn` (the only place where a thrown string
 * or object was thrown is known), or an unhandled rejection, marked `UnhandledRejection`, as is
 * zone.js's wrapper of one. Reported while any other event is dispatched (Angular catches what a
 * template's `(click)` listener throws and hands it on at once, with no word of where), that
 * event's `EventName` and `EventTarget` (see {@link eventTargetText}). Never throws.
 */
function reportedBy(error: unknown, unwrapped: unknown): { value: unknown; properties?: Record<string, unknown> } {
  try {
    // unwrap() took it out of Angular's Error around an ErrorEvent, or out of zone.js's wrapper of a rejection.
    if (error !== unwrapped) return { value: unwrapped, properties: isErrorEvent(unwrapped) ? undefined : REJECTION };
    const event: unknown = (globalThis as { event?: unknown }).event;
    if (isErrorEvent(event) && Object.is(event.error, unwrapped)) return { value: event };
    if (
      Object.prototype.toString.call(event) === '[object PromiseRejectionEvent]' &&
      Object.is((event as PromiseRejectionEvent).reason, unwrapped)
    )
      return { value: unwrapped, properties: REJECTION };
    if (typeof Event !== 'function' || !(event instanceof Event)) return { value: unwrapped };
    return { value: unwrapped, properties: { EventName: event.type, EventTarget: eventTargetText(event.currentTarget) } };
  } catch {
    // A hostile event or value: read as it is.
    return { value: unwrapped };
  }
}

/** What an unhandled rejection is marked with. */
const REJECTION = { UnhandledRejection: true };

/**
 * What the listener that was running listens on (an event's `currentTarget`, the element a
 * template's `(click)` is on, not the child clicked inside it): an element as its tag, `#id` and
 * classes (`button#save.primary`), cut at 100 characters; any other target by its kind (`Window`,
 * `HTMLDocument`, `XMLHttpRequest`).
 */
function eventTargetText(target: EventTarget | null): string {
  if (typeof Element === 'function' && target instanceof Element) {
    let text = target.localName + (target.id === '' ? '' : `#${target.id}`);
    for (const name of Array.from(target.classList)) text += `.${name}`;
    return text.length > MAX_TARGET_TEXT ? `${text.slice(0, MAX_TARGET_TEXT)}…` : text;
  }
  return Object.prototype.toString.call(target).slice(8, -1);
}

/** The longest `EventTarget` text. */
const MAX_TARGET_TEXT = 100;

/**
 * zone.js wraps an unhandled promise rejection in an Error whose `rejection` is the reason, and
 * `provideBrowserGlobalErrorListeners()` an ErrorEvent without an error in an Error whose cause is
 * the event (whose message, file, line and column {@link readErrorEvent} reads).
 */
function unwrap(error: unknown): unknown {
  try {
    if (error instanceof Error) {
      const rejection = (error as { rejection?: unknown }).rejection;
      if (rejection !== undefined) return rejection;
      const cause = error.cause;
      if (isErrorEvent(cause) && !(cause.error as unknown)) return cause;
    }
  } catch {
    // A hostile value: logged as it is.
  }
  return error;
}
