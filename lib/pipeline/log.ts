import type { Logger } from './logger';
import type { CloseOptions, ShutdownReport } from './shutdown-report';

let current: Logger | undefined;

/**
 * The global facade: set `Log.logger` once at start-up and log from anywhere. Before a logger is
 * set, every call is a silent no-op.
 *
 * @example
 * Log.logger = new LoggerConfiguration().writeTo.console().createLogger();
 * Log.information('Started in {Ms} ms', 12);
 * await Log.closeAndFlush();
 */
export class Log {
  /** The logger the facade writes to; undefined until set. */
  static get logger(): Logger | undefined {
    return current;
  }

  static set logger(logger: Logger | undefined) {
    current = logger;
  }

  static verbose(template: string, ...args: unknown[]): void;
  static verbose(error: Error, template?: string, ...args: unknown[]): void;
  static verbose(first: string | Error, ...args: unknown[]): void {
    current?.verbose(first as string, ...args);
  }

  static debug(template: string, ...args: unknown[]): void;
  static debug(error: Error, template?: string, ...args: unknown[]): void;
  static debug(first: string | Error, ...args: unknown[]): void {
    current?.debug(first as string, ...args);
  }

  static information(template: string, ...args: unknown[]): void;
  static information(error: Error, template?: string, ...args: unknown[]): void;
  static information(first: string | Error, ...args: unknown[]): void {
    current?.information(first as string, ...args);
  }

  static warning(template: string, ...args: unknown[]): void;
  static warning(error: Error, template?: string, ...args: unknown[]): void;
  static warning(first: string | Error, ...args: unknown[]): void {
    current?.warning(first as string, ...args);
  }

  static error(template: string, ...args: unknown[]): void;
  static error(error: Error, template?: string, ...args: unknown[]): void;
  static error(first: string | Error, ...args: unknown[]): void {
    current?.error(first as string, ...args);
  }

  static fatal(template: string, ...args: unknown[]): void;
  static fatal(error: Error, template?: string, ...args: unknown[]): void;
  static fatal(first: string | Error, ...args: unknown[]): void {
    current?.fatal(first as string, ...args);
  }

  /** Closes the current logger (gracefully by default), resets the facade to a no-op and returns the report; undefined when no logger was set. */
  static async closeAndFlush(options?: CloseOptions): Promise<ShutdownReport | undefined> {
    const logger = current;
    current = undefined;
    return logger === undefined ? undefined : logger.close(options);
  }
}
