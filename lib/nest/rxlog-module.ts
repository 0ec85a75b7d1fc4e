import {
  type DynamicModule,
  Global,
  Inject,
  type MiddlewareConsumer,
  Module,
  type NestModule,
  type OnApplicationBootstrap,
  type Provider,
  RequestMethod,
  type Type,
} from '@nestjs/common';
import * as nestCommon from '@nestjs/common';
import { APP_INTERCEPTOR, HttpAdapterHost, ModulesContainer } from '@nestjs/core';
import { isObservable, take } from 'rxjs';
import { checkOptionKeys } from '../core/check-option-keys';
import { describeValue, shortText } from '../core/describe-value';
import { checkItems } from '../core/expect-option';
import { ConfigurationError } from '../core/errors/configuration-error';
import { SelfLog } from '../core/self-log';
import { type FastifyLikeRequest, followFastifyRequest, noteRequestLogging } from '../node/http/fastify-request-logging';
import { Logger } from '../pipeline/logger';
import { createModuleLogger, MODULE_OPTION_NAMES, shutdownSettings } from './create-module-logger';
import { injectedLoggerContexts, tokenOf } from './inject-logger';
import { requestLoggingSettings } from './request-logging-settings';
import { RxlogLoggerService } from './rxlog-logger-service';
import {
  RXLOG_MODULE_OPTIONS,
  type RxlogModuleAsyncOptions,
  type RxlogModuleOptions,
  type RxlogOptionsFactory,
} from './rxlog-module-options';
import type { RawRequest, RawResponse, RxlogRequestContext as RequestContext } from './rxlog-request-context';
import { noteRoute, RxlogRequestContext } from './rxlog-request-context';
import { RxlogRequestInterceptor } from './rxlog-request-interceptor';
import { RxlogShutdown } from './rxlog-shutdown';
import { shutDownLast } from './shut-down-last';
import { writeUnansweredExpressErrors, writeUnansweredFastifyErrors } from './unanswered-errors';

/**
 * Every path, in the route syntax of the Nest in use. Nest 11 moved to path-to-regexp 8, where `*`
 * is a legacy wildcard it converts, with a warning at boot once a global prefix stands before it
 * (`/api/*`); `{*path}` covers the same paths (the prefix itself too). `IntrinsicException` came
 * with Nest 11.
 */
const ALL_PATHS = 'IntrinsicException' in nestCommon ? '{*path}' : '*';

/** Where `forRootAsync`'s options come from: exactly one is given. */
const ASYNC_SOURCES = ['useFactory', 'useClass', 'useExisting'] as const;

/**
 * rxlog for NestJS: a global module that provides the app's `Logger` (inject it with
 * `@Inject(Logger)` or `@InjectLogger('Orders')` for a `SourceContext` child), the
 * `RxlogLoggerService` for `app.useLogger(...)`, a request context that puts a `RequestId` on
 * every event logged while handling a request (taken from `x-request-id` or `traceparent`, else
 * generated), a request-logging interceptor that writes one completion event per request, and a
 * shutdown hook that closes the logger gracefully. Made with `forRoot(options)` or
 * `forRootAsync({ imports, inject, useFactory })` (or `useClass` / `useExisting`, an
 * `RxlogOptionsFactory`), as `@nestjs/config` and `@nestjs/typeorm` are.
 *
 * @example
 * ```ts fragment
 * Module({ imports: [RxlogModule.forRoot({ configure: (c) => c.minimumLevel.debug().writeTo.console() })] })(AppModule);
 * ```
 */
export class RxlogModule implements NestModule, OnApplicationBootstrap {
  constructor(
    private readonly requests: RequestContext,
    private readonly adapterHost?: HttpAdapterHost,
    private readonly log?: Logger,
  ) {
    openRequestsFirst(requests, adapterHost, log);
  }

  /** A global module built from `options`. @throws ConfigurationError for a bad option. */
  static forRoot(options: RxlogModuleOptions = {}): DynamicModule {
    const given: unknown = options;
    if (typeof given !== 'object' || given === null)
      throw new ConfigurationError(`RxlogModule.forRoot: expected an options object, got ${describeValue(given)}`);
    checkOptionKeys('RxlogModule', given, MODULE_OPTION_NAMES);
    return rxlogModule({ provide: RXLOG_MODULE_OPTIONS, useValue: options }, []);
  }

  /**
   * A global module whose options come from `useFactory` (with `inject`), or from the
   * `createRxlogOptions()` of a `useClass` the module provides or of a `useExisting` provider.
   *
   * @throws ConfigurationError for bad options, and unless exactly one of the three is given.
   */
  static forRootAsync(options: RxlogModuleAsyncOptions): DynamicModule {
    const given: unknown = options;
    if (typeof given !== 'object' || given === null)
      throw new ConfigurationError(`RxlogModule.forRootAsync: expected an options object, got ${describeValue(given)}`);
    checkOptionKeys('RxlogModule.forRootAsync', given, [
      'imports',
      'inject',
      'useFactory',
      'useClass',
      'useExisting',
      'extraProviders',
      'provideInjectionTokensFrom',
    ]);
    const { inject, imports } = options as { inject?: unknown; imports?: unknown };
    const extraProviders = providerList('extraProviders', options.extraProviders) ?? [];
    const providersFrom = providerList('provideInjectionTokensFrom', options.provideInjectionTokensFrom);
    // Nest would spread a string into its letters (it "can't resolve" argument "C"), or fail on imports.map.
    if (imports !== undefined && !Array.isArray(imports))
      throw new ConfigurationError(
        `RxlogModule.forRootAsync imports: expected an array of modules, got ${describeValue(imports)}`,
      );
    // Nest's builder takes the first it finds and ignores the others: one is required, and one alone.
    const sources = ASYNC_SOURCES.filter((name) => options[name] !== undefined);
    if (sources.length !== 1)
      throw new ConfigurationError(
        sources.length === 0
          ? 'RxlogModule.forRootAsync: expected one of useFactory, useClass or useExisting, got none'
          : `RxlogModule.forRootAsync: give one of useFactory, useClass or useExisting, not ${sources.join(' and ')}`,
      );
    const [source] = sources;
    const made: unknown = options[source];
    if (typeof made !== 'function')
      throw new ConfigurationError(
        `RxlogModule.forRootAsync ${source}: expected ${source === 'useFactory' ? 'a function' : 'a class'}, got ${describeValue(made)}`,
      );
    if (source === 'useFactory') {
      if (inject !== undefined && !Array.isArray(inject))
        throw new ConfigurationError(
          `RxlogModule.forRootAsync inject: expected an array of the providers useFactory takes, got ${describeValue(inject)}`,
        );
      if (providersFrom !== undefined && inject === undefined)
        throw new ConfigurationError(
          'RxlogModule.forRootAsync provideInjectionTokensFrom: it provides what inject names, and inject is not given',
        );
      const factory = made as (...args: unknown[]) => unknown;
      const useFactory = async (...args: unknown[]): Promise<unknown> => {
        try {
          return await factory(...args);
        } catch (error) {
          throw factoryFailed('useFactory', error);
        }
      };
      const tokens = options.inject ?? [];
      return rxlogModule({ provide: RXLOG_MODULE_OPTIONS, useFactory, inject: tokens }, options.imports ?? [], [
        ...injectionProviders(providersFrom, tokens),
        ...extraProviders,
      ]);
    }
    if (inject !== undefined)
      throw new ConfigurationError(
        `RxlogModule.forRootAsync inject: only for useFactory; ${source}'s class gets its dependencies injected into its constructor`,
      );
    // Nest's builder passes it over with useClass, whose constructor's dependencies it cannot name.
    if (providersFrom !== undefined && source === 'useClass')
      throw new ConfigurationError(
        "RxlogModule.forRootAsync provideInjectionTokensFrom: only for useFactory (with inject) or useExisting; give useClass's dependencies in extraProviders or imports",
      );
    const factoryClass = made as Type<RxlogOptionsFactory>;
    const fromFactory: Provider = {
      provide: RXLOG_MODULE_OPTIONS,
      useFactory: async (factory: Partial<RxlogOptionsFactory> | undefined) => {
        if (typeof factory?.createRxlogOptions !== 'function')
          throw new ConfigurationError(
            `RxlogModule.forRootAsync ${source}: ${factoryClass.name || 'the class'} has no createRxlogOptions() method (expected an RxlogOptionsFactory)`,
          );
        try {
          return await factory.createRxlogOptions();
        } catch (error) {
          throw factoryFailed(`${source} ${factoryClass.name || 'the class'}.createRxlogOptions()`, error);
        }
      },
      inject: [factoryClass],
    };
    return rxlogModule(fromFactory, options.imports ?? [], [
      ...(source === 'useClass'
        ? [{ provide: factoryClass, useClass: factoryClass }]
        : injectionProviders(providersFrom, [factoryClass])),
      ...extraProviders,
    ]);
  }

  /** Called by Nest: opens the request context for every route, before guards and interceptors run. */
  configure(consumer: MiddlewareConsumer): void {
    const requests = this.requests;
    consumer
      .apply(function rxlogRequestContext(request: RawRequest, response: RawResponse, next: () => void): void {
        requests.enter(request, response, () => next());
      })
      .forRoutes({ path: ALL_PATHS, method: RequestMethod.ALL });
    noteFastifyRoutes(this.adapterHost);
  }

  /** Called by Nest once the app has initialised: Nest's Express error layer is set by then. */
  onApplicationBootstrap(): void {
    const express = httpAdapterOf(this.adapterHost, 'express');
    if (express !== undefined && this.log !== undefined) writeUnansweredExpressErrors(express, this.requests, this.log);
  }
}
Global()(RxlogModule);
Module({})(RxlogModule);
Inject(RxlogRequestContext)(RxlogModule, undefined, 0);
Inject(HttpAdapterHost)(RxlogModule, undefined, 1);
Inject(Logger)(RxlogModule, undefined, 2);

/**
 * `forRootAsync`'s list of providers named `name`, each a class or an object with `provide`.
 *
 * @throws ConfigurationError naming the option, or the item, that is not.
 */
function providerList(name: string, given: unknown): Provider[] | undefined {
  if (given === undefined) return undefined;
  const where = `RxlogModule.forRootAsync ${name}`;
  if (!Array.isArray(given))
    throw new ConfigurationError(`${where}: expected an array of providers, got ${describeValue(given)}`);
  // Item by item, each read once (checkItems): forEach passed over a hole, which reached Nest, and
  // over `new Array(1e8)`'s for seconds; the list Nest gets is the one checked.
  return checkItems(given, (item, index) => {
    if (typeof item !== 'function' && (typeof item !== 'object' || item === null || !('provide' in item)))
      throw new ConfigurationError(
        `${where}[${index}]: expected a provider (a class, or an object with provide), got ${describeValue(item)}`,
      );
    return item as Provider;
  });
}

/**
 * The providers among `providers` that `tokens` name, and those they inject or alias in turn, as
 * Nest's `ConfigurableModuleBuilder` picks them for `provideInjectionTokensFrom`.
 */
function injectionProviders(providers: readonly Provider[] | undefined, tokens: readonly unknown[]): Provider[] {
  const picked: Provider[] = [];
  const tokenOf = (item: unknown): unknown => (typeof item === 'object' && item !== null && 'token' in item ? item.token : item);
  let wanted = tokens.map(tokenOf);
  while (providers !== undefined && wanted.length > 0) {
    const found = providers.filter(
      (provider) =>
        !picked.includes(provider) && (wanted.includes(provider) || wanted.includes((provider as { provide?: unknown }).provide)),
    );
    picked.push(...found);
    wanted = found
      .flatMap((provider) => {
        const { useExisting, inject } = provider as { useExisting?: unknown; inject?: unknown[] };
        return useExisting !== undefined ? [useExisting] : (inject ?? []);
      })
      .map(tokenOf);
  }
  return picked;
}

/** The app's HTTP adapter when it is of `type` (an application context has none: Nest's host holds null). */
function httpAdapterOf(host: HttpAdapterHost | undefined, type: string): HttpAdapterHost['httpAdapter'] | undefined {
  const adapter: unknown = host?.httpAdapter;
  if (typeof adapter !== 'object' || adapter === null) return undefined;
  const http = adapter as HttpAdapterHost['httpAdapter'];
  return http.getType() === type ? http : undefined;
}

/**
 * Opens the request context before anything of the app's sees the request. On Express, with an
 * app-level middleware added while Nest creates the modules, so before the body parsers
 * `app.init()` adds and before module middleware: a request whose JSON body is malformed
 * (body-parser answers 400) or that the client leaves mid-body never reaches module middleware,
 * and would get no request id and no completion event. On Fastify, with the adapter's `onRequest`
 * hook, which runs before Nest middleware and `app.use()` middleware (Fastify's `onRequest` hooks
 * run in the order added, and the adapter registered its middleware runner before the modules
 * were created), so they log with the request id too (Fastify parses bodies after them, in the
 * request's context). Every request gets them, inside a global prefix or not.
 */
function openRequestsFirst(requests: RequestContext, host: HttpAdapterHost | undefined, log: Logger | undefined): void {
  // An app made by @nestjs/testing (`Test.createTestingModule(...).compile()`, then
  // `createNestApplication()`) creates the modules before it has its adapter: the host's `init$`
  // says when it is set (at once for NestFactory's apps), still before `app.init()` adds the parsers.
  const init$: unknown = host?.init$;
  if (isObservable(init$)) {
    init$.pipe(take(1)).subscribe(() => addRequestStart(requests, host, log));
    return;
  }
  addRequestStart(requests, host, log);
}

function addRequestStart(requests: RequestContext, host: HttpAdapterHost | undefined, log: Logger | undefined): void {
  const fastify = httpAdapterOf(host, 'fastify');
  if (fastify !== undefined) {
    openOnFastifyRequest(requests, fastify);
    if (requests.logsRequests) noteRequestLogging(fastifyServerOf(fastify));
    if (log !== undefined) writeUnansweredFastifyErrors(fastify, requests, log);
    return;
  }
  const adapter = httpAdapterOf(host, 'express');
  if (adapter === undefined) return;
  try {
    adapter.use(function rxlogRequestStart(request: RawRequest, response: RawResponse, next: () => void): void {
      requests.run(request, response, () => next());
    });
  } catch (error) {
    SelfLog.write('RxlogModule: the Express middleware that opens request contexts could not be added', error);
  }
}

/** The Node server of FastifyAdapter's Fastify instance, on which a fastifyLogger tells the app's requests. */
function fastifyServerOf(adapter: HttpAdapterHost['httpAdapter']): unknown {
  try {
    return adapter.getInstance<{ server?: unknown }>().server;
  } catch (error) {
    SelfLog.write("RxlogModule: the Fastify instance's server could not be read", error);
    return undefined;
  }
}

/** A hook of Fastify's `onRequest` kind, as the adapter runs it (it may return a Promise). */
type FastifyRequestHook = (
  this: unknown,
  request: { raw?: RawRequest },
  reply: { raw?: RawResponse },
  done: (error?: unknown) => void,
) => unknown;

/** FastifyAdapter's one `onRequest` hook: the first hook of every request. */
interface FastifyRequestHookSlot {
  setOnRequestHook?: unknown;
  onRequestHook?: unknown;
}

/**
 * Opens each request's context in FastifyAdapter's `onRequest` hook. The adapter holds one such
 * hook: one the app set before (on the adapter it passed to `NestFactory.create`) or sets later
 * (`app.getHttpAdapter().setOnRequestHook(...)`) runs inside the context rather than replacing it.
 * A `fastifyLogger` given to the adapter is told the request is logged, as `fastifyRequestLogging`
 * tells it: it leaves out Fastify's `incoming request` and `request completed` lines, hands an
 * `onResponse` hook's error (`request errored`) to the request's events, and writes the id Fastify
 * bound to `request.log` as the module's `RequestId`.
 */
function openOnFastifyRequest(requests: RequestContext, adapter: FastifyRequestHookSlot): void {
  const setHook = adapter.setOnRequestHook;
  if (typeof setHook !== 'function') return;
  let appHook = typeof adapter.onRequestHook === 'function' ? (adapter.onRequestHook as FastifyRequestHook) : undefined;
  const open: FastifyRequestHook = function rxlogRequestStart(request, reply, done) {
    const progress = { entered: false };
    const next = (): unknown => {
      progress.entered = true;
      return appHook === undefined ? done() : appHook.call(this, request, reply, done);
    };
    if (request.raw === undefined) return next();
    try {
      return requests.run(request.raw, reply.raw, (state) => {
        if (requests.logsRequests) followFastifyRequest(request as FastifyLikeRequest, requests.trackerOf(state));
        return next();
      });
    } catch (error) {
      // The app's hook threw: the adapter answers that. rxlog's own failure never costs the request.
      if (progress.entered) throw error;
      SelfLog.write('RxlogModule: the request context could not be opened', error);
      return next();
    }
  };
  try {
    setHook.call(adapter, open);
    Object.defineProperty(adapter, 'setOnRequestHook', {
      configurable: true,
      writable: true,
      value: (hook: unknown): void => {
        appHook = typeof hook === 'function' ? (hook as FastifyRequestHook) : undefined;
      },
    });
  } catch (error) {
    SelfLog.write('RxlogModule: the Fastify hook that opens request contexts could not be set', error);
  }
}

/** The part of a Fastify instance used here. */
interface FastifyHooks {
  addHook(
    name: 'onRequest',
    hook: (request: { raw?: object; routeOptions?: { url?: unknown } }, reply: unknown, done: () => void) => void,
  ): unknown;
}

/**
 * On Fastify, notes each request's matched route on its Node request, which is all Nest's
 * middleware and the response's `close` see: a request a guard rejects never reaches the
 * interceptor, and its completion event would have no `RoutePattern` (on Express, the Node request
 * carries it). Added while Nest applies middleware, before it registers the routes, so every route
 * gets the hook.
 */
function noteFastifyRoutes(host: HttpAdapterHost | undefined): void {
  const adapter = httpAdapterOf(host, 'fastify');
  if (adapter === undefined) return;
  try {
    adapter.getInstance<FastifyHooks>().addHook('onRequest', (request, _reply, done) => {
      if (request.raw !== undefined) noteRoute(request.raw, request.routeOptions?.url, request as FastifyLikeRequest);
      done();
    });
  } catch (error) {
    SelfLog.write('RxlogModule: the Fastify hook that notes request routes could not be added', error);
  }
}

/**
 * The error a failing `forRootAsync` factory (a secret store down) ends the app's creation with:
 * Nest shows only the factory's own error, which does not say which module's factory it was; this
 * names `RxlogModule` and `what` failed, with the factory's error as its `cause`.
 */
function factoryFailed(what: string, error: unknown): ConfigurationError {
  let text = describeValue(error);
  try {
    const { name, message } = error as { name?: unknown; message?: unknown };
    // An Error of any realm (one from a vm context, or a Jest sandbox's) by its name and message.
    if (typeof error === 'object' && error !== null && typeof message === 'string')
      text = shortText(`${String(name)}: ${message}`);
  } catch {
    // An error whose getters throw is described by its class.
  }
  return new ConfigurationError(`RxlogModule.forRootAsync ${what} failed: ${text}`, { cause: error });
}

function rxlogModule(
  options: Provider,
  imports: NonNullable<DynamicModule['imports']>,
  optionsFactories: Provider[] = [],
): DynamicModule {
  const fixed: Provider[] = [
    options,
    ...optionsFactories,
    { provide: Logger, useFactory: (given: RxlogModuleOptions) => createModuleLogger(given), inject: [RXLOG_MODULE_OPTIONS] },
    { provide: RxlogLoggerService, useFactory: (log: Logger) => new RxlogLoggerService(log), inject: [Logger] },
    {
      provide: RxlogRequestContext,
      useFactory: (log: Logger, given: RxlogModuleOptions) => new RxlogRequestContext(log, requestLoggingSettings(given)),
      inject: [Logger, RXLOG_MODULE_OPTIONS],
    },
    {
      provide: RxlogRequestInterceptor,
      useFactory: (requests: RxlogRequestContext) => new RxlogRequestInterceptor(requests),
      inject: [RxlogRequestContext],
    },
    {
      provide: APP_INTERCEPTOR,
      useFactory: (interceptor: RxlogRequestInterceptor) => interceptor,
      inject: [RxlogRequestInterceptor],
    },
    {
      provide: RxlogShutdown,
      useFactory: (log: Logger, given: RxlogModuleOptions, modules: ModulesContainer, requests: RxlogRequestContext) => {
        refuseSecondRegistration(modules);
        // The logger closes after every other module's shutdown hooks, so what they log lands.
        shutDownLast(modules, RxlogModule);
        return new RxlogShutdown(log, shutdownSettings(given), requests);
      },
      inject: [Logger, RXLOG_MODULE_OPTIONS, ModulesContainer, RxlogRequestContext],
    },
  ];
  const contextProviders = (): Provider[] =>
    injectedLoggerContexts().map((context) => ({
      provide: tokenOf(context),
      useFactory: (log: Logger) => log.forContext('SourceContext', context),
      inject: [Logger],
    }));
  return {
    module: RxlogModule,
    global: true,
    imports,
    // Read when Nest scans the module (at NestFactory.create), so every @InjectLogger context in the
    // app has been seen, whichever file declared it and in whatever order the files loaded.
    get providers(): Provider[] {
      return [...fixed, ...contextProviders()];
    },
    get exports() {
      return [Logger, RxlogLoggerService, RxlogRequestContext, RxlogRequestInterceptor, ...injectedLoggerContexts().map(tokenOf)];
    },
  };
}

/**
 * Two `forRoot` / `forRootAsync` registrations in one app make two loggers, and every request
 * then gets two request ids and two completion events: refused when the app's modules are created.
 *
 * @throws ConfigurationError when the app holds more than one `RxlogModule`.
 */
function refuseSecondRegistration(modules: ModulesContainer): void {
  let count = 0;
  for (const module of modules.values()) if (module.metatype === RxlogModule) count++;
  if (count > 1)
    throw new ConfigurationError(
      `RxlogModule: registered ${count} times in one app (forRoot or forRootAsync); import it once, in the root module: it is global, so every module can inject its Logger`,
    );
}
