import { isLevelName, type LogLevelName } from '../core/log-level';

// Serilog's monikers, indexed by width - 1 (`u3` is `INF`, `w1` is `i`), up to the full name.
/** Serilog's monikers that are not the name cut to their width, at index width - 1 (the others are). */
const MONIKERS: Readonly<Record<LogLevelName, readonly string[]>> = {
  verbose: ['', 'Vb', 'Vrb'],
  debug: ['', '', 'Dbg', 'Dbug'],
  information: [],
  warning: ['', 'Wn', 'Wrn'],
  error: ['', '', '', 'Eror'],
  fatal: ['', '', 'Ftl', 'Fatl'],
};

const WIDTH = /^[0-9]{1,2}$/;

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
  // A level built in JavaScript may be outside the six, even named like an Object.prototype member.
  const known = isLevelName(level);
  // The six names in title case: `Information`.
  const title = known ? level[0].toUpperCase() + level.slice(1) : String(level);
  if (format === undefined || format.length === 0) return title;
  const casing = format[0];
  if (casing !== 'u' && casing !== 'w' && casing !== 't') return title;
  let text = title;
  if (format.length > 1) {
    const widthText = format.slice(1);
    if (!WIDTH.test(widthText)) return title;
    const width = Number(widthText);
    if (width === 0) return '';
    text = (known ? MONIKERS[level][width - 1] : undefined) || title.slice(0, width);
  }
  return casing === 'u' ? text.toUpperCase() : casing === 'w' ? text.toLowerCase() : text;
}
