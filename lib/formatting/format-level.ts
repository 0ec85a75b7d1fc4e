import type { LogLevelName } from '../core/log-level';

/** Serilog's monikers that are not the title case name cut to their width, keyed by level and width. */
const MONIKERS: Readonly<Record<string, string>> = {
  verbose2: 'Vb',
  verbose3: 'Vrb',
  debug3: 'Dbg',
  debug4: 'Dbug',
  warning2: 'Wn',
  warning3: 'Wrn',
  error4: 'Eror',
  fatal3: 'Ftl',
  fatal4: 'Fatl',
};

const WIDTH = /^\d\d?$/;

/**
 * A level as an output template shows it (Serilog's `LevelOutputFormat`): no format gives the
 * title case name (`Information`); `u`, `w` and `t` give the full name in upper, lower and title
 * case; with a width of one or two digits they give Serilog's monikers (`u3` → `VRB DBG INF WRN
 * ERR FTL`, `w3` the same in lower case, `t4` → `Info`), past 4 the name cut to the width
 * (`t5` → `Infor`, `Warni`) and never longer than the full name; width 0 gives nothing. Any other
 * format gives the title case name.
 *
 * @example formatLevel('warning', 'u3') // 'WRN'
 */
export function formatLevel(level: LogLevelName, format?: string): string {
  const name = String(level);
  const title = `${name.charAt(0).toUpperCase()}${name.slice(1)}`;
  if (format === undefined || format.length === 0) return title;
  const casing = format[0];
  if (casing !== 'u' && casing !== 'w' && casing !== 't') return title;
  let text = title;
  if (format.length > 1) {
    const widthText = format.slice(1);
    if (!WIDTH.test(widthText)) return title;
    const width = Number(widthText);
    const key = `${name}${width}`;
    text = Object.hasOwn(MONIKERS, key) ? MONIKERS[key] : title.slice(0, width);
  }
  return casing === 'u' ? text.toUpperCase() : casing === 'w' ? text.toLowerCase() : text;
}
