import type { LogLevelName } from '../core/log-level';

/** How each level looks: ANSI escape codes for terminals, CSS for browser consoles. */
export interface ConsoleTheme {
  /** ANSI SGR codes (e.g. `'\u001b[31m'`) that start a line of each level in a terminal. */
  readonly ansi: Readonly<Record<LogLevelName, string>>;
  /** CSS applied with `%c` to a line of each level in a browser console. */
  readonly css: Readonly<Record<LogLevelName, string>>;
}

/**
 * Dim for verbose and debug, plain for information, yellow, red, and white on red for fatal.
 * Frozen: it is the theme of every ConsoleSink given none, so a change made to it from JavaScript
 * would reach them all without the checks a `theme` option gets. Spread it to make your own.
 */
export const defaultConsoleTheme: ConsoleTheme = Object.freeze({
  ansi: Object.freeze({
    verbose: '\u001b[90m',
    debug: '\u001b[90m',
    information: '',
    warning: '\u001b[33m',
    error: '\u001b[31m',
    fatal: '\u001b[97;41m',
  }),
  css: Object.freeze({
    verbose: 'color: gray',
    debug: 'color: gray',
    information: '',
    warning: 'color: darkorange',
    error: 'color: red',
    fatal: 'color: white; background: red; font-weight: bold',
  }),
});

/** The ANSI code that ends a coloured line. */
export const ANSI_RESET = '\u001b[0m';
