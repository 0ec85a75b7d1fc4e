import { isLevelName, type LogLevelName, levelValue } from '../core/log-level';
import { cutText } from '../core/truncated-text';

// Serilog's monikers, indexed by width - 1 (`u3` is `INF`, `w1` is `i`), up to the full name.
/**
 * Serilog's monikers that are not the name cut to their width, at index width - 1 (the others
 * are), for each level by its value: verbose, debug, information, warning, error, fatal.
 */
const MONIKERS: readonly (readonly string[])[] = [
  ['', 'Vb', 'Vrb'],
  ['', '', 'Dbg', 'Dbug'],
  [],
  ['', 'Wn', 'Wrn'],
  ['', '', '', 'Eror'],
  ['', '', 'Ftl', 'Fatl'],
];

/** A casing (`u`, `w`, `t`) and an optional width of one or two digits. */
const FORMAT = /^([uwt])([0-9]{1,2})?$/;

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
  const match = format === undefined ? null : FORMAT.exec(format);
  if (match === null) return title;
  const casing = match[1];
  // An optional group that did not match is undefined.
  const widthText = match[2] as string | undefined;
  let text = title;
  if (widthText !== undefined) {
    const width = Number(widthText);
    if (width === 0) return '';
    text = (known ? MONIKERS[levelValue(level)][width - 1] : undefined) || cutText(title, width);
  }
  return casing === 'u' ? text.toUpperCase() : casing === 'w' ? text.toLowerCase() : text;
}
