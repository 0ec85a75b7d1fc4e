import {
  type BeforeApplicationShutdown,
  ConsoleLogger,
  type LoggerService,
  type LogLevel,
  Logger as NestLogger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { SelfLog } from '../core/self-log';
import { shutdownReportLost, shutdownReportText } from '../node/shutdown-report-text';
import type { Logger } from '../pipeline/logger';
import type { ShutdownReport } from '../pipeline/shutdown-report';
import { fallBackWhenClosed, markClosedAtShutdown } from './closed-loggers';
import { RxlogLoggerService } from './rxlog-logger-service';
import { flushAtExit } from './flush-at-exit';
import type { RxlogShutdownOptions } from './rxlog-module-options';
import type { RxlogRequestContext } from './rxlog-request-context';

/**
 * How many initialised apps, not yet shut down, log through each logger: two apps alive at once
 * may share one (`RxlogModule.forRoot({ logger })`), and the first app's shutdown must not close it
 * under the other. A count, so that an app never closed holds nothing of its own alive.
 */
const openApps = new WeakMap<Logger, number>();

/** Longest wait at shutdown for responses whose connection is gone to close, in milliseconds: a few turns of the event loop is usual. */
const CUT_RESPONSES_LIMIT_MS = 1_000;

/**
 * Closes the app's logger when the application shuts down (`app.close()`, or a signal after
 * `app.enableShutdownHooks()`), after every other module's shutdown hooks, global modules' and
 * deeper modules' included (`RxlogModule` has Nest call its hooks last), and after the HTTP
 * server stopped, so nothing the app logs on the way out is lost; then hands the shutdown report
 * to the `report` option. A logger that another app, initialised and not yet shut down, also logs
 * through stays open for it: the last of the apps sharing it closes it, under its own `shutdown`
 * options, and only its report is written.
 */
export class RxlogShutdown implements OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown {
  private closing: Promise<void> | undefined;
  /** Whether this app counts among the apps logging through the logger (from its init to its shutdown). */
  private holding = false;
  /** Stops writing the logger out at process exit, once the shutdown closed it (with `shutdown: false`, closing it is the app's job). */
  private readonly stopFlushAtExit: () => void;
  /** The Nest logger for the report and for what Nest logs once the logger is closed: the app's own, else Nest's console. */
  private readonly console: () => LoggerService;

  constructor(
    private readonly log: Logger,
    private readonly options: false | RxlogShutdownOptions,
    private readonly requests?: RxlogRequestContext,
  ) {
    // Made while Nest creates the app, before `app.useLogger` replaces the logger it was created with.
    const created = appLogger();
    this.console = () => created ?? nestConsole();
    // Also when the app closes the logger itself (shutdown: false, or in a hook of its own): what
    // Nest logs after that (later hooks, the next app's boot) goes to its console, not to a closed logger.
    fallBackWhenClosed(log, this.console);
    this.stopFlushAtExit = flushAtExit(log);
  }

  /**
   * Called by Nest as the app initialises (`app.init()`, `listen()`): the app logs through the
   * logger until it shuts down. A module compiled and never initialised (a unit test's) is not counted.
   */
  onModuleInit(): void {
    if (this.holding || this.closing !== undefined) return;
    this.holding = true;
    openApps.set(this.log, (openApps.get(this.log) ?? 0) + 1);
  }

  /** Ends this app's hold on the logger; whether another app still logs through it. */
  private sharedStill(): boolean {
    if (this.holding) {
      this.holding = false;
      openApps.set(this.log, (openApps.get(this.log) ?? 1) - 1);
    }
    return (openApps.get(this.log) ?? 0) > 0;
  }

  /**
   * Called by Nest after every other module's hook of this kind, just before it stops the HTTP
   * server: the responses still to be sent close their keep-alive connection once complete, so the
   * server's close ends when the requests in flight are answered rather than when their clients
   * close those connections.
   */
  beforeApplicationShutdown(): void {
    this.requests?.closeConnectionsAfterResponses(true);
  }

  /**
   * Called by Nest. Closes the logger and reports once: Nest 12 lets an app be closed again once a
   * shutdown has settled, and runs the hooks again; the second time waits for the first.
   */
  onApplicationShutdown(): Promise<void> {
    // The server is closed: requests served after it (an Express instance the app shares with a server of its own) keep their connections.
    this.requests?.closeConnectionsAfterResponses(false);
    this.closing ??= this.close().finally(() => {
      this.stopFlushAtExit();
      this.requests?.stopFollowingClose();
    });
    return this.closing;
  }

  private async close(): Promise<void> {
    if (this.options === false) {
      this.sharedStill();
      return;
    }
    const {
      report = (closed: ShutdownReport) => writeReport(closed, this.console(), this.log),
      strategy = 'graceful',
      timeoutMs,
    } = this.options;
    // Responses the server's shutdown cut (forceCloseConnections) close a moment after it stopped:
    // their completion events are written before the logger closes, not rejected by it.
    if (this.requests !== undefined) await this.requests.whenCutResponsesClosed(CUT_RESPONSES_LIMIT_MS);
    // Another app still logs through it: the last one to shut down closes it.
    if (this.sharedStill()) return;
    markClosedAtShutdown(this.log, this.console);
    const shutdown = await this.log.close(timeoutMs === undefined ? { strategy } : { strategy, timeoutMs });
    if (report === false) return;
    try {
      // An async callback (posting the report somewhere) is not waited for; its rejection must not
      // be left unhandled, which would end the process with exit code 1 in the middle of its shutdown.
      const result: unknown = report(shutdown);
      if (isThenable(result))
        result.then(undefined, (error: unknown) => SelfLog.write('RxlogModule shutdown report callback threw', error));
    } catch (error) {
      SelfLog.write('RxlogModule shutdown report callback threw', error);
    }
  }
}

/** Nest's levels, from the lowest. */
const NEST_LEVELS: LogLevel[] = ['verbose', 'debug', 'log', 'warn', 'error', 'fatal'];

/**
 * Nest's console for the calls made once the logger is closed, at the levels Nest's `Logger`
 * holds (`NestFactory.create(App, { logger: ['warn'] })` sets them before the app has its logger,
 * so they never reach `RxlogLoggerService`), as the shutdown report is; levels given to the
 * service later (`app.useLogger(['error'])`) are passed on to it by the service.
 */
function nestConsole(): ConsoleLogger {
  return new ConsoleLogger({ logLevels: NEST_LEVELS.filter(nestLevelEnabled) });
}

/**
 * Whether Nest's logging is on at `level`, read as Nest 12's `Logger.isLevelEnabled` reads it, on
 * every Nest version rxlog supports: no logger (`logger: false`) writes nothing, a `ConsoleLogger`
 * its own levels, another `LoggerService` the levels the app named, every level when it named
 * none. Nest 10 and 11 answer false for every level when the app named none
 * (`NestFactory.create(App)`), though their console writes them all: the shutdown report and what
 * Nest logs after the close were lost there.
 */
function nestLevelEnabled(level: LogLevel): boolean {
  const nest = NestLogger as unknown as { logLevels?: LogLevel[]; staticInstanceRef?: LoggerService };
  const instance = nest.staticInstanceRef;
  if (instance === undefined) return false;
  if (instance instanceof ConsoleLogger) return instance.isLevelEnabled(level);
  return nest.logLevels === undefined || NestLogger.isLevelEnabled(level);
}

/**
 * The logger the app was created with (`logger: new ConsoleLogger({ json: true })`, `forceConsole:
 * true`, a `LoggerService` of its own), read through Nest's public `Logger` while Nest creates the
 * app; undefined when it is Nest's default console (each `Logger` then makes one of its own:
 * `nestConsole` reads the levels when it is needed), when logging is off (`logger: false`), and when
 * it is an `RxlogLoggerService` (another app's, in an e2e spec that makes one app after another).
 */
function appLogger(): LoggerService | undefined {
  try {
    const instance = new NestLogger().localInstance as LoggerService | undefined;
    if (instance === undefined || instance !== new NestLogger().localInstance) return undefined;
    return instance instanceof RxlogLoggerService ? undefined : instance;
  } catch (error) {
    SelfLog.write('RxlogModule: the logger the app was created with cannot be read', error);
    return undefined;
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * The default report: one line through the app's Nest logger (the one it was created with), since
 * the app's logger is closed; none when the app turned Nest's logging off (`logger: false`) or that
 * level off (`useLogger(['error'])`).
 */
function writeReport(report: ShutdownReport, console: LoggerService, log: Logger): void {
  const line = `Logger closed ${shutdownReportText(report)}`;
  // With the metrics, the drops of rxlog's filtering operators (filterEvents …) are no loss.
  const lost = shutdownReportLost(report, log.metrics());
  if (!nestLevelEnabled(lost ? 'warn' : 'log')) return;
  if (lost) console.warn(line, 'RxlogModule');
  else console.log(line, 'RxlogModule');
}
