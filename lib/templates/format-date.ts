import { readLiteral } from './read-literal';

const MONTHS = 'January February March April May June July August September October November December'.split(' ');
const DAYS = 'Sunday Monday Tuesday Wednesday Thursday Friday Saturday'.split(' ');

/** The Date fields tokens read, through `get…` in local time or `getUTC…` in UTC. */
type Field = 'FullYear' | 'Month' | 'Date' | 'Day' | 'Hours' | 'Minutes' | 'Seconds' | 'Milliseconds';

function pad(value: number, width: number): string {
  const text = String(Math.abs(value)).padStart(width, '0');
  return value < 0 ? `-${text}` : text;
}

function offset(minutes: number, width: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  // `z` hours, `zz` two-digit hours, `zzz` and longer hours and minutes.
  const hours = `${sign}${pad(Math.floor(abs / 60), Math.min(width, 2))}`;
  return width === 3 ? `${hours}:${pad(abs % 60, 2)}` : hours;
}

/** A month or day name: its first three letters for `MMM` / `ddd`, in full for longer runs. */
function nameOf(name: string, run: number): string {
  return run === 3 ? name.slice(0, 3) : name;
}

/**
 * A Date read from text that held more of its second than milliseconds: `subMillisecond` is the fraction's digits
 * past the third (`'4567'` of Serilog's `.1234567`), which `formatDate` shows in `f` and `F` runs past three.
 */
export type FineDate = Date & { readonly subMillisecond?: string | undefined };

/**
 * One token (a letter of `TOKEN_LETTERS`); `zone` is the offset in minutes east of UTC, undefined in UTC (`K` writes
 * `Z`); `fine` the fraction's digits past the millisecond.
 */
function token(get: (field: Field) => number, zone: number | undefined, letter: string, run: number, fine: string): string {
  // Hours, minutes and seconds have at most two digits, however long the run.
  const upToTwo = Math.min(run, 2);
  switch (letter) {
    case 'y': {
      const year = get('FullYear');
      return pad(run <= 2 ? year % 100 : year, run);
    }
    case 'M':
      return run <= 2 ? pad(get('Month') + 1, run) : nameOf(MONTHS[get('Month')], run);
    case 'd':
      return run <= 2 ? pad(get('Date'), run) : nameOf(DAYS[get('Day')], run);
    case 'H':
      return pad(get('Hours'), upToTwo);
    case 'h':
      return pad(get('Hours') % 12 || 12, upToTwo);
    case 'm':
      return pad(get('Minutes'), upToTwo);
    case 's':
      return pad(get('Seconds'), upToTwo);
    case 'f':
    case 'F': {
      const digits = `${pad(get('Milliseconds'), 3)}${fine}0000`.slice(0, Math.min(run, 7));
      return letter === 'f' ? digits : digits.replace(/0+$/, '');
    }
    case 't': {
      const pm = get('Hours') >= 12;
      return run === 1 ? (pm ? 'P' : 'A') : pm ? 'PM' : 'AM';
    }
    case 'z':
      return offset(zone ?? 0, Math.min(run, 3));
    case 'g':
      // The era, once for a run of any length: the invariant culture's name of the Gregorian calendar's one era.
      return 'A.D.';
    default:
      // K
      return zone === undefined ? 'Z' : offset(zone, 3);
  }
}

const TOKEN_LETTERS = 'yMdHhmsfFtzKg';

/**
 * The invariant culture's one-letter standard formats, as .NET (and so Serilog's default format
 * provider) defines them; `r` is handled in `formatDate`. `U` is `F` in UTC, and `u` is in UTC too.
 */
const STANDARD_PATTERNS: Readonly<Record<string, string>> = {
  o: "yyyy-MM-dd'T'HH:mm:ss.fffffffK",
  O: "yyyy-MM-dd'T'HH:mm:ss.fffffffK",
  s: "yyyy-MM-dd'T'HH:mm:ss",
  u: "yyyy-MM-dd HH:mm:ss'Z'",
  d: 'MM/dd/yyyy',
  D: 'dddd, dd MMMM yyyy',
  f: 'dddd, dd MMMM yyyy HH:mm',
  F: 'dddd, dd MMMM yyyy HH:mm:ss',
  U: 'dddd, dd MMMM yyyy HH:mm:ss',
  g: 'MM/dd/yyyy HH:mm',
  G: 'MM/dd/yyyy HH:mm:ss',
  m: 'MMMM dd',
  M: 'MMMM dd',
  t: 'HH:mm',
  T: 'HH:mm:ss',
  y: 'yyyy MMMM',
  Y: 'yyyy MMMM',
};

/**
 * Formats a Date in local time (or in UTC with `utc`, as Serilog's `{UtcTimestamp}`) with .NET-style
 * custom tokens, as Serilog renders a DateTime: `yyyy yy y MMMM MMM MM M dddd ddd dd d HH H hh h mm m ss s fff ff f FFF tt t zzz zz z K`
 * (English month and day names) and the era, any run of `g` (`gg`, `%g`): `A.D.`, the invariant culture's name of the
 * Gregorian era, as .NET writes it (for a year before 1 too, which .NET cannot hold); text in `'…'` or `"…"` and `\c` as
 * literals (`\c` inside quotes too, as in .NET: `'it\'s'` is `it's`), `%c` for a lone token (`%dd` is `d` twice); every other character is literal.
 * The standard formats `o`/`O` (round trip with offset), `s` (sortable), `u` (`yyyy-MM-dd HH:mm:ssZ`, UTC) and `r`/`R` (RFC 1123, UTC) are understood
 * (`o`, `s` and `u` write a year outside 0000–9999 as ISO 8601's expanded year, `+010000` or `-000001`, as `toISOString` does), and
 * the invariant culture's `d D f F g G m M t T U y Y` (`d` is `MM/dd/yyyy`, `T` is `HH:mm:ss`; `U` in UTC);
 * in UTC, `K` and the end of `o` are `Z` and `zzz` is `+00:00` (each `K` is a token of its own:
 * `KK` writes the offset twice, as in .NET); no format (or an empty one, or Serilog's rendering hints `l`, `j` and
 * `lj`, which change nothing here) gives ISO 8601 in UTC (`toISOString()`), an invalid Date gives `Invalid Date`. A `FineDate` shows its digits past the millisecond in
 * `ffff` to `fffffff` (and `F`), `o` and ISO 8601: `.1234567` as .NET shows a DateTimeOffset's ticks.
 *
 * @param utc Read the fields in UTC instead of local time. Default `false`.
 * @example formatDate(new Date(2026, 10, 22, 9, 5), 'yyyy-MM-dd HH:mm') // '2026-11-22 09:05'
 */
export function formatDate(date: Date, format?: string, utc = false): string {
  const time = date.getTime();
  if (time !== time) return 'Invalid Date';
  const fine = (date as FineDate).subMillisecond ?? '';
  // `l`, `j` and `lj` are Serilog's rendering hints, which change nothing in rxlog (as for a number), not custom tokens.
  if (!format || format === 'l' || format === 'j' || format === 'lj') return `${date.toISOString().slice(0, -1)}${fine}Z`;
  if (format === 'r' || format === 'R') return date.toUTCString();
  // u and U are UTC, as .NET converts a DateTimeOffset for them; u is a pattern, not toISOString's text, so it keeps
  // its seconds for a year past 9999 (toISOString's is `+010000-01-01T…`, longer).
  if (format === 'u' || format === 'U') utc = true;
  let zone: number | undefined;
  // Years added to the fields read: the UTC Date below is 400 years (whole weeks, the same leap years) nearer 1970, so
  // that it holds fields past the range of a Date (-271821-04-19 at -04:56), which would make it Invalid Date.
  let years = 0;
  // The local fields, read in UTC at the offset in whole minutes within ±14:00, as .NET holds it: TimeZoneInfo cuts a
  // local mean time's seconds (New York's -4:56:02 before 1883 is -4:56, as V8's getTimezoneOffset has it) and one
  // past ±14:00 (Asia/Manila's -15:56 before 1845) to ±14:00, so the fields and zzz name the Date's own instant.
  if (!utc) {
    zone = Math.max(-840, Math.min(840, Math.trunc(-date.getTimezoneOffset())));
    years = time < 0 ? -400 : 400;
    date = new Date(time + zone * 60_000 - years * 31_556_952_000);
  }
  const get = (field: Field): number => date[`getUTC${field}`]() + (field === 'FullYear' ? years : 0);
  // One letter only: a longer format named like an Object.prototype member stays custom tokens.
  const pattern = (format.length === 1 && STANDARD_PATTERNS[format]) || format;
  let out = '';
  // The index just after a `%`: the letter there is a token of its own (`%dd` is `d` twice, as in .NET).
  let lone = -1;
  for (let i = 0; i < pattern.length;) {
    const c = pattern[i];
    if (c === "'" || c === '"' || c === '\\') {
      const [text, next] = readLiteral(pattern, i, true);
      out += text;
      i = next;
    } else if (c === '%') {
      lone = ++i;
    } else if (TOKEN_LETTERS.includes(c)) {
      let run = 1;
      // .NET's FormatCustomized reads a run of each letter but one: `case 'K': tokenLen = 1;`, so KK is K twice.
      while (c !== 'K' && i !== lone && pattern[i + run] === c) run++;
      const text = token(get, zone, c, run, fine);
      // .NET drops the separator before an all-zero `F` fraction as well.
      out = c === 'F' && text.length === 0 && out.endsWith('.') ? out.slice(0, -1) : out + text;
      i += run;
    } else {
      out += c;
      i++;
    }
  }
  // o, O, s and u are ISO 8601: a year outside 0000–9999 is its expanded form, a sign and six digits, as toISOString
  // writes it, so parseIsoInstant and Date.parse read it back; yyyy's 10000 or -0001 neither reads (Date.parse takes
  // -0001-01-01 00:00:00Z for 2001). yyyy is the patterns' first token.
  if (!/^[oOsu]$/.test(format)) return out;
  const year = get('FullYear');
  return year < 0 || year > 9999 ? out.replace(/^-?\d+/, `${year > 0 ? '+' : ''}${pad(year, 6)}`) : out;
}
