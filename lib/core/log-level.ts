import { ConfigurationError } from './errors/configuration-error';
import { describeValue } from './describe-value';

/** The six levels, least to most severe. */
export type LogLevelName = 'verbose' | 'debug' | 'information' | 'warning' | 'error' | 'fatal';

/**
 * A level as configuration, `LevelSwitch` and `isEnabled` take it: one of the six names or the aliases
 * `trace`, `info`, `warn`, in any case; other text is refused at run time. Editors offer the names
 * (`string & Record<never, never>` keeps them from being absorbed into `string`, which completes nothing).
 */
export type LogLevelText = LogLevelName | 'trace' | 'info' | 'warn' | (string & Record<never, never>);

/**
 * The level names as constants: `LogLevel.Warning === 'warning'`. Frozen, as LOG_LEVELS. Marked
 * pure, so a bundle that never reads it leaves it out (a bundler keeps a call it cannot prove free of
 * side effects).
 */
export const LogLevel = /* @__PURE__ */ Object.freeze({
  Verbose: 'verbose',
  Debug: 'debug',
  Information: 'information',
  Warning: 'warning',
  Error: 'error',
  Fatal: 'fatal',
} as const);

/**
 * Every level, least severe first; a level's index is its numeric value. Frozen: every logger reads
 * it for each event's level name, so a JavaScript caller's `LOG_LEVELS.reverse()` (to list them
 * most severe first) would relabel every event in the process; it throws instead. Copy it first.
 */
export const LOG_LEVELS: readonly LogLevelName[] = Object.freeze([
  'verbose',
  'debug',
  'information',
  'warning',
  'error',
  'fatal',
]);

export const VERBOSE = 0;
export const DEBUG = 1;
export const INFORMATION = 2;
export const WARNING = 3;
export const ERROR = 4;
export const FATAL = 5;

/** Each level's numeric value: its index in LOG_LEVELS. */
const VALUES = Object.fromEntries(LOG_LEVELS.map((name, value) => [name, value])) as Readonly<Record<LogLevelName, number>>;

/** The other names configuration accepts for a level (pino's and winston's). */
const ALIASES: Readonly<Record<string, LogLevelName>> = {
  trace: 'verbose',
  info: 'information',
  warn: 'warning',
};

/** The numeric value of a level: `verbose` is 0, `fatal` is 5. */
export function levelValue(level: LogLevelName): number {
  return VALUES[level];
}

/** Whether `value` is one of the six canonical level names. */
export function isLevelName(value: unknown): value is LogLevelName {
  return typeof value === 'string' && Object.hasOwn(VALUES, value);
}

/**
 * Reads a level name as configuration accepts it: the six names plus `trace`, `info` and `warn`,
 * in any case.
 *
 * @throws ConfigurationError naming the value when it is not a level.
 * @example parseLevel('WARN') // 'warning'
 */
export function parseLevel(text: unknown, where = 'level'): LogLevelName {
  if (typeof text === 'string') {
    const key = text.trim().toLowerCase();
    if (isLevelName(key)) return key;
    if (Object.hasOwn(ALIASES, key)) return ALIASES[key];
  }
  // A string is quoted ("chatty"); anything else says what it is (undefined, number NaN, Array).
  const named = describeValue(text);
  throw new ConfigurationError(
    `${where}: unknown level ${named} (expected one of ${LOG_LEVELS.join(', ')}, or trace, info, warn)`,
  );
}
