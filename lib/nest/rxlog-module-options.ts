import type { FactoryProvider, ModuleMetadata, Provider, Type } from '@nestjs/common';
import type { LoggerConfiguration } from '../configuration/logger-configuration';
import type { LogLevelName } from '../core/log-level';
import type { Logger } from '../pipeline/logger';
import type { CloseOptions, ShutdownReport } from '../pipeline/shutdown-report';

/** The injection token of the options given to `RxlogModule.forRoot` or made by `forRootAsync`'s factory. */
export const RXLOG_MODULE_OPTIONS = 'RXLOG_MODULE_OPTIONS';

/** Options of `RxlogModule.forRoot`, and what `forRootAsync`'s `useFactory` returns. */
export interface RxlogModuleOptions {
  /**
   * Configures the app's logger: receives a `LoggerConfiguration` that already has
   * `.enrich.fromLogContext()` (so request ids reach every event) and returns it, or a Logger made
   * from it. Default: `writeTo.console()` at the `information` level.
   */
  configure?: ((configuration: LoggerConfiguration) => LoggerConfiguration | Logger) | undefined;
  /**
   * A logger made elsewhere, used instead of `configure`. Give it `.enrich.fromLogContext()` for
   * the request id to reach its events. The app's shutdown closes it (unless `shutdown: false`): one
   * an earlier app closed is refused (a `ConfigurationError`). Apps alive at once may share it: it
   * stays open until the last of them shuts down, whose shutdown closes it. Default: none.
   */
  logger?: Logger | undefined;
  /**
   * The request context and the request-logging interceptor: `true` (default) or options;
   * `false` keeps the request context (request ids on events) but writes no completion events,
   * nor the unfinished events of requests and microservice messages in flight at shutdown.
   */
  requestLogging?: boolean | RxlogRequestLoggingOptions | undefined;
  /**
   * How the logger closes when the application shuts down (`app.close()`, or a signal after
   * `app.enableShutdownHooks()`); `false` leaves it open for the app to close (what Nest logs
   * through `RxlogLoggerService` after that goes to the logger the app was created with, else Nest's
   * `ConsoleLogger`). Default `{ strategy: 'graceful', timeoutMs: 5000 }`.
   */
  shutdown?: false | RxlogShutdownOptions | undefined;
}

/** Options of the request context and the completion event written for every HTTP request. */
export interface RxlogRequestLoggingOptions {
  /**
   * Requests whose path (without the query) equals one of these strings or matches one of these
   * patterns get no completion event (health checks) unless they failed (a 5xx status or an
   * unknown error: a failing health check is written); their events still carry the request id.
   * Default none.
   */
  ignorePaths?: readonly (string | RegExp)[] | undefined;
  /**
   * The completion event's level from the status code, the handler's error (if any) and the
   * milliseconds the request took (the event's `Elapsed`, as Serilog's `GetLevel` is given it), so
   * a slow request can be a warning: `(status, error, elapsed) => (status >= 500 ? 'error' : elapsed > 1000 ? 'warning' : 'information')`.
   * Default: `error` for 5xx, `warning` for 4xx, else `information`. A request the client
   * abandoned is a `warning` without asking it; one whose handler failed with a 5xx error before
   * the client left unanswered is asked, with the status that error maps to.
   */
  level?: ((statusCode: number, error: unknown, elapsed: number) => LogLevelName) | undefined;
  /**
   * The response header that echoes the request id, or `false` for none. Default `'x-request-id'`.
   */
  requestIdHeader?: string | false | undefined;
  /**
   * The completion event's template; its holes are filled from the event's properties
   * (`RequestMethod`, `RequestPath`, `RoutePattern`, `StatusCode`, `Elapsed`, `RequestId` and what
   * `diagnosticContext.set` added). Default `'HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed:0.0000} ms'`.
   */
  messageTemplate?: string | undefined;
  /**
   * The template of the event for a request the client abandoned before the response was complete
   * (a download cut short, a slow handler left behind); the event has `Aborted: true`, no
   * `StatusCode`, and is a `warning`. Default `'HTTP {RequestMethod} {RequestPath} aborted by the client after {Elapsed:0.0000} ms'`.
   */
  abortedTemplate?: string | undefined;
  /**
   * Whether a request id the client sends is taken (a valid `x-request-id`, else a valid
   * `traceparent`'s trace id). `false` generates every id, for a server whose clients are not
   * trusted to choose the ids its events are found by. Default `true`.
   */
  trustIncomingRequestId?: boolean | undefined;
  /**
   * Makes a request id when the request brings none (or is not trusted to): when it throws or
   * returns no id, SelfLog is told and a UUID is used. Default `crypto.randomUUID`.
   */
  generateRequestId?: (() => string) | undefined;
}

/** How the logger closes at application shutdown. */
export interface RxlogShutdownOptions extends CloseOptions {
  /**
   * Receives the shutdown report; `false` for none. Default: one line through the logger the app
   * was created with (`logger: new ConsoleLogger({ json: true })`), else Nest's `ConsoleLogger` (the
   * app's rxlog logger is closed by then), a warning when anything was lost; none
   * when Nest's logging is off (`logger: false`) or that level is (`app.useLogger(['error'])`).
   * The callback is not waited for; one that throws, or returns a Promise that rejects, is
   * reported to SelfLog.
   */
  report?: false | ((report: ShutdownReport) => void) | undefined;
}

/**
 * A class that makes the module's options, for `forRootAsync`'s `useClass` or `useExisting` (as
 * `JwtOptionsFactory` is for `@nestjs/jwt` and `TypeOrmOptionsFactory` for `@nestjs/typeorm`): its
 * constructor's dependencies are injected, then `createRxlogOptions()` is called once.
 */
export interface RxlogOptionsFactory {
  /** The module's options, checked as `forRoot`'s are; Nest waits for a returned Promise before the logger is built. */
  createRxlogOptions(): RxlogModuleOptions | Promise<RxlogModuleOptions>;
}

/**
 * Options of `RxlogModule.forRootAsync`: where the module's options come from, with exactly one of
 * `useFactory`, `useClass` and `useExisting`, as Nest's `ConfigurableModuleBuilder` makes them.
 */
export interface RxlogModuleAsyncOptions {
  /** Modules that export what the factory or class injects (e.g. `ConfigModule`), or the `useExisting` provider. Default none. */
  imports?: ModuleMetadata['imports'] | undefined;
  /** Providers passed to `useFactory`, in order (only with `useFactory`). Default none. */
  inject?: FactoryProvider['inject'] | undefined;
  /** Makes the module's options from the injected providers; may return a Promise. */
  useFactory?: ((...args: never[]) => RxlogModuleOptions | Promise<RxlogModuleOptions>) | undefined;
  /** A class the module provides (its constructor's dependencies injected), whose `createRxlogOptions()` makes the options. */
  useClass?: Type<RxlogOptionsFactory> | undefined;
  /** A provider the app already has (exported by a module in `imports`, or global) whose `createRxlogOptions()` makes the options. */
  useExisting?: Type<RxlogOptionsFactory> | undefined;
  /**
   * Providers the module adds for the factory or class to inject, as `@nestjs/jwt`'s
   * `extraProviders` (nestjs-pino's `providers`): a service that needs no module of its own. They
   * are not exported. Default none.
   */
  extraProviders?: Provider[] | undefined;
  /**
   * As Nest's `ConfigurableModuleBuilder`: providers of the importing module, of which the module
   * adds those that `useFactory`'s `inject` (or `useExisting`) names, and those they inject in
   * turn. Default none.
   */
  provideInjectionTokensFrom?: Provider[] | undefined;
}
