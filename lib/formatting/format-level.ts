import type { LogLevelName } from '../core/log-level';

const TITLE: Readonly<Record<LogLevelName, string>> = {
  verbose: 'Verbose',
  debug: 'Debug',
  information: 'Information',
  warning: 'Warning',
  error: 'Error',
  fatal: 'Fatal',
};

// Serilog's abbreviations, indexed by width - 1: `u3` is `INF`, `w1` is `i`.
const SHORT: Readonly<Record<LogLevelName, readonly string[]>> = {
  verbose: ['V', 'Vb', 'Vrb', 'Verb'],
  debug: ['D', 'De', 'Dbg', 'Dbug'],
  information: ['I', 'In', 'Inf', 'Info'],
  warning: ['W', 'Wn', 'Wrn', 'Warn'],
  error: ['E', 'Er', 'Err', 'Eror'],
  fatal: ['F', 'Fa', 'Ftl', 'Fatl'],
};

/**
 * A level as an output template shows it (Serilog's level formats): no format gives the title
 * case name (`Information`); `u`, `w` and `t` give the full name in upper, lower and title case;
 * with a width of 1 to 4 they give Serilog's abbreviations (`u3` → `VRB DBG INF WRN ERR FTL`,
 * `w3` the same in lower case, `t4` → `Info`). An unknown format gives the title case name.
 *
 * @example formatLevel('warning', 'u3') // 'WRN'
 */
export function formatLevel(level: LogLevelName, format?: string): string {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- events read back from JSON or built in JavaScript can carry a level outside LogLevelName
  const title = TITLE[level] ?? String(level);
  if (format === undefined || format.length === 0) return title;
  const casing = format[0];
  if (casing !== 'u' && casing !== 'w' && casing !== 't') return title;
  const width = format.length > 1 ? Number(format.slice(1)) : 0;
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- events read back from JSON or built in JavaScript can carry a level outside LogLevelName
  const text = width >= 1 && width <= 4 && Number.isInteger(width) ? (SHORT[level]?.[width - 1] ?? title) : title;
  return casing === 'u' ? text.toUpperCase() : casing === 'w' ? text.toLowerCase() : text;
}
