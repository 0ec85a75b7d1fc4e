const STANDARD = /^([A-Za-z])(\d{0,2})$/;

/** Longest format applied, in characters; a longer one is ignored, so a template cannot make rendering costly. */
const MAX_FORMAT_LENGTH = 1000;

function fixed(abs: number, decimals: number): string {
  if (abs < 1e21) return abs.toFixed(decimals);
  const digits = BigInt(Math.round(abs)).toString();
  return decimals > 0 ? `${digits}.${'0'.repeat(decimals)}` : digits;
}

/**
 * `abs` × 100 with `decimals` decimals, as .NET's `P` computes it: the value rounded to two more
 * decimals, then the point moved, so no multiplication error creeps in (1.44225 → `144.23`).
 */
function percent(abs: number, decimals: number): string {
  const text = fixed(abs, Math.min(decimals + 2, 100));
  const point = text.indexOf('.');
  const digits = `${text.slice(0, point)}${text.slice(point + 1)}`.padEnd(point + 2 + decimals, '0');
  const int = digits.slice(0, point + 2).replace(/^0+(?=\d)/, '');
  return decimals > 0 ? `${int}.${digits.slice(point + 2)}` : int;
}

/** Digits with `,` between groups of three. */
function group(digits: string): string {
  // One pass: a lookahead regex would rescan the rest of the digits at every position.
  let out = digits.slice(0, ((digits.length - 1) % 3) + 1);
  for (let i = out.length; i < digits.length; i += 3) out += `,${digits.slice(i, i + 3)}`;
  return out;
}

/** A fixed-point text (no sign) with its integer part grouped. */
function grouped(text: string): string {
  return text.replace(/\d+/, group);
}

/** `body` with a minus sign when `value` is negative or -0: .NET Core 3.0+ keeps the sign of a double that rounds to zero. */
function signed(value: number, body: string): string {
  return value < 0 || Object.is(value, -0) ? `-${body}` : body;
}

function standard(value: number, letter: string, precisionText: string): string | undefined {
  const precision = precisionText.length > 0 ? Number(precisionText) : undefined;
  const abs = Math.abs(value);
  // Upper-case letters sort before lower-case ones.
  const upper = letter < 'a';
  switch (letter.toLowerCase()) {
    case 'd':
      if (!Number.isInteger(value)) return undefined;
      // An integer has no negative zero.
      return `${value < 0 ? '-' : ''}${(abs < 1e21 ? String(abs) : BigInt(abs).toString()).padStart(precision ?? 0, '0')}`;
    case 'f':
      return signed(value, fixed(abs, precision ?? 2));
    case 'n':
      return signed(value, grouped(fixed(abs, precision ?? 2)));
    case 'p':
      return signed(value, `${grouped(percent(abs, precision ?? 2))}%`);
    case 'e': {
      // toExponential's exponent always carries its sign: `1.23e+4`.
      const [mantissa, exp] = abs.toExponential(precision ?? 6).split('e');
      return signed(value, `${mantissa}${letter}${exp[0]}${exp.slice(1).padStart(3, '0')}`);
    }
    case 'x': {
      if (!Number.isSafeInteger(value)) return undefined;
      // Negative int32 values print as two's complement, as .NET prints an Int32.
      const hex = (value < 0 && value >= -0x80000000 ? value >>> 0 : value).toString(16).padStart(precision ?? 0, '0');
      return upper ? hex.toUpperCase() : hex;
    }
    case 'g':
      return signed(value, general(abs, precision, upper ? 'E' : 'e', Number.isSafeInteger(value)));
    case 'r':
      return signed(value, String(abs));
  }
  return undefined;
}

/**
 * .NET's general format `G` / `Gn` of a non-negative finite number: `n` significant digits (without
 * `n`, the shortest round-trip digits), written in fixed point when the decimal exponent is above
 * -5 and below the precision (15 for a fraction without `n`; any for an integer without
 * `n`, as .NET prints integral types), else as `d.dddE+XX` with at least two exponent digits;
 * trailing zeros dropped.
 */
function general(abs: number, precision: number | undefined, e: string, integral: boolean): string {
  if (abs === 0) return '0';
  const digitsGiven = precision !== undefined && precision > 0;
  const [mantissa, exponentText] = (digitsGiven ? abs.toExponential(Math.min(precision, 100) - 1) : abs.toExponential()).split(
    'e',
  );
  const exponent = Number(exponentText);
  const digits = mantissa.replace('.', '').replace(/0+$/, '') || '0';
  const limit = digitsGiven ? precision : integral ? Number.POSITIVE_INFINITY : 15;
  if (exponent > -5 && exponent < limit) {
    if (exponent < 0) return `0.${'0'.repeat(-exponent - 1)}${digits}`;
    if (digits.length <= exponent + 1) return digits.padEnd(exponent + 1, '0');
    return `${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}`;
  }
  const body = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${body}${e}${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
}

const isDigit = (item: string): boolean => item === '0' || item === '#';

/** What a custom section asks for: its digit placeholders, grouping and scaling. */
interface Section {
  readonly items: readonly string[];
  /** Placeholders before the point, and how many of them always show a digit. */
  readonly intDigits: number;
  readonly minInt: number;
  readonly grouping: boolean;
  /** Placeholders after the point, and how many of them always show a digit. */
  readonly maxFrac: number;
  readonly minFrac: number;
  /** The power of ten the value is scaled by: `%` +2, `‰` +3, each `,` after the last integer digit -3. */
  readonly exponent: number;
}

/**
 * Reads one section of a custom format, or undefined when it has no digit placeholder and
 * `allowLiteral` is false. Items are `0`, `#`, `.`, `,` or a literal (its text after a leading `'`).
 */
function section(items: readonly string[], exponent: number, allowLiteral: boolean): Section | undefined {
  const point = items.indexOf('.');
  const intEnd = point === -1 ? items.length : point;
  let intDigits = 0;
  let minInt = 0;
  let firstDigit = -1;
  let lastDigit = -1;
  for (let i = 0; i < intEnd; i++) {
    const item = items[i];
    if (!isDigit(item)) continue;
    if (firstDigit === -1) firstDigit = i;
    lastDigit = i;
    intDigits++;
    if (item === '0' || minInt > 0) minInt++;
  }
  let grouping = false;
  for (let i = firstDigit + 1; i < lastDigit; i++) if (items[i] === ',') grouping = true;
  // Commas right after the last integer digit scale the value down by 1000 each.
  for (let i = lastDigit + 1; lastDigit !== -1 && i < intEnd && items[i] === ','; i++) exponent -= 3;
  let maxFrac = 0;
  let minFrac = 0;
  for (let i = intEnd + 1; i < items.length; i++) {
    if (!isDigit(items[i])) continue;
    maxFrac++;
    if (items[i] === '0') minFrac = maxFrac;
  }
  if (intDigits === 0 && maxFrac === 0 && !allowLiteral) return undefined;
  return { items, intDigits, minInt, grouping, maxFrac, minFrac, exponent };
}

/** Significant digits .NET takes of a double before applying a custom format (`DoublePrecisionCustomFormat`). */
const CUSTOM_DIGITS = 15;

/**
 * The integer and fraction digits of the non-negative number 0.`source` × 10^`point` as section `s`
 * writes them, `['', '']` when it rounds to zero: the point moved by the section's scaling, then the
 * digits rounded half away from zero to the section's decimals (.NET's `RoundNumber`), no trailing zeros.
 */
function digitsFor(source: string, point: number, s: Section): [string, string] {
  let digits = source;
  let scale = point + s.exponent;
  const keep = scale + s.maxFrac;
  if (digits.length === 0 || keep < 0) return ['', ''];
  if (keep < digits.length) {
    const up = digits.charCodeAt(keep) >= 0x35; // '5' or more
    digits = digits.slice(0, keep);
    if (up) {
      let i = keep;
      while (i > 0 && digits[i - 1] === '9') i--;
      if (i === 0) {
        digits = '1';
        scale++;
      } else {
        digits = `${digits.slice(0, i - 1)}${String.fromCharCode(digits.charCodeAt(i - 1) + 1)}`;
      }
    }
  }
  let end = digits.length;
  while (end > 0 && digits[end - 1] === '0') end--;
  if (end === 0) return ['', ''];
  digits = digits.slice(0, end);
  if (scale <= 0) return ['', `${'0'.repeat(-scale)}${digits}`];
  return end > scale ? [digits.slice(0, scale), digits.slice(scale)] : [digits.padEnd(scale, '0'), ''];
}

/** Section `s` filled with the digits of a non-negative number. */
function fill(s: Section, intText: string, fracText: string): string {
  const frac = fracText.padEnd(s.minFrac, '0');
  let int = intText.padStart(s.minInt, '0');
  if (s.grouping) int = group(int);
  const intDigits = s.intDigits;
  const offset = int.length - intDigits;
  let out = '';
  let digit = 0;
  let fracDigit = 0;
  let seenPoint = false;
  for (const item of s.items) {
    if (isDigit(item)) {
      if (!seenPoint) {
        // Integer digits fill the placeholders right-aligned; extra leading digits go to the first one.
        if (digit === 0) out += int.slice(0, Math.max(0, offset + 1));
        else if (offset + digit >= 0) out += int[offset + digit];
        digit++;
      } else {
        if (fracDigit < frac.length) out += frac[fracDigit];
        fracDigit++;
      }
    } else if (item === '.') {
      if (!seenPoint && intDigits === 0) out += int;
      if (!seenPoint && frac.length > 0) out += '.';
      seenPoint = true;
    } else if (item !== ',') out += item.slice(1);
  }
  return out;
}

/**
 * A bigint with a format, from its exact digits (as .NET formats a BigInteger): `D`, `F`, `N`, `X` / `x`
 * (hex of the value, `-ff` for a negative one) and custom formats; any other format gives its digits.
 */
function formatBigInt(value: bigint, format: string): string {
  const text = value.toString();
  if (format.length > MAX_FORMAT_LENGTH) return text;
  const negative = value < 0n;
  const digits = negative ? text.slice(1) : text;
  const match = STANDARD.exec(format);
  if (match === null) return custom(format, negative, digits === '0' ? '' : digits, digits.length) ?? text;
  const precision = match[2].length > 0 ? Number(match[2]) : undefined;
  const decimals = precision ?? 2;
  let body: string;
  switch (match[1]) {
    case 'D':
    case 'd':
      body = digits.padStart(precision ?? 0, '0');
      break;
    case 'F':
    case 'f':
      body = decimals > 0 ? `${digits}.${'0'.repeat(decimals)}` : digits;
      break;
    case 'N':
    case 'n':
      body = decimals > 0 ? `${group(digits)}.${'0'.repeat(decimals)}` : group(digits);
      break;
    case 'X':
    case 'x': {
      const hex = (negative ? -value : value).toString(16).padStart(precision ?? 0, '0');
      body = match[1] === 'X' ? hex.toUpperCase() : hex;
      break;
    }
    default:
      return text;
  }
  return negative ? `-${body}` : body;
}

/**
 * Formats a number with a .NET-style format string; an unknown format, or one longer than 1 000
 * characters, gives the default rendering (`String(value)`), and NaN and ±Infinity always render as
 * `NaN`, `Infinity`, `-Infinity`.
 *
 * Standard formats (precision optional): `D5` (zero-padded integer), `F2` (fixed), `N2` (grouped
 * with `,`), `P1` (percent, `12.5%`), `E2` (`1.23E+004`), `X` / `x` / `X8` (hex; a negative 32-bit
 * integer as two's complement), `G` / `G3` (.NET's general format: `0.0000023` → `2.3E-06`, `1234`
 * with `G2` → `1.2E+03`), `R`. Custom formats: `0` (digit), `#` (optional digit), `.`,
 * `,` (grouping between digits, scaling by 1000 after them), `%`, `‰`, `'literal'`, `\c`, and up to
 * three `;`-separated sections (positive; negative; zero): a value that rounds to zero takes the zero
 * section (with two sections, a negative one rounding to zero takes the first, unsigned). As in .NET
 * Core 3.0+, a negative value keeps its sign when it rounds to zero, and so does -0 (`-0.00` with `N2`
 * or `0.00`), except with `D` and `X` (integers) and in a custom format that writes no digit. Rounding
 * follows .NET: standard formats round the exact value half away from zero (JavaScript's `toFixed`);
 * custom formats round the first 15 significant digits half away from zero (`1.005` with `0.00` is
 * `1.01`, `0.1 + 0.2` with 18 decimals is `0.300000000000000000`).
 *
 * A bigint is formatted from its exact digits with `D`, `F`, `N`, `X` and custom formats
 * (`12345678901234567890n` with `#,##0` is `12,345,678,901,234,567,890`); other formats give its digits.
 *
 * @example formatNumber(1234.5, '#,##0.00') // '1,234.50'
 */
export function formatNumber(value: number | bigint, format: string): string {
  if (typeof value === 'bigint') return formatBigInt(value, format);
  if (!Number.isFinite(value) || format.length > MAX_FORMAT_LENGTH) return String(value);
  const match = STANDARD.exec(format);
  if (match !== null) return standard(value, match[1], match[2]) ?? String(value);
  const negative = value < 0 || Object.is(value, -0);
  const abs = Math.abs(value);
  if (abs === 0) return custom(format, negative, '', 0) ?? String(value);
  // .NET formats a double with a custom format from its first 15 significant digits: 0.<digits> × 10^point.
  const [mantissa, exponent] = abs.toExponential(CUSTOM_DIGITS - 1).split('e');
  return custom(format, negative, mantissa.replace('.', ''), Number(exponent) + 1) ?? String(value);
}

/**
 * A non-negative number 0.`digits` × 10^`point` (`digits` empty for zero) with a custom format, the
 * sign of `negative` applied as .NET does, or undefined when the format has no digit placeholder and
 * no sections (not a number format: `l`, `u3`).
 */
function custom(format: string, negative: boolean, digits: string, point: number): string | undefined {
  // The items of each `;`-separated section, and the power of ten its `%` (+2) and `‰` (+3) scale by.
  const sections: string[][] = [[]];
  const exponents = [0];
  for (let i = 0; i < format.length; i++) {
    const c = format[i];
    const items = sections[sections.length - 1];
    if (c === ';') {
      sections.push([]);
      exponents.push(0);
    } else if ('0#.,'.includes(c)) items.push(c);
    // A trailing `\` escapes nothing, but its section is not empty.
    else if (c === '\\') items.push(i + 1 < format.length ? `'${format[++i]}` : "'");
    else if (c === "'" || c === '"') {
      const end = format.indexOf(c, i + 1);
      const stop = end === -1 ? format.length : end;
      items.push(`'${format.slice(i + 1, stop)}`);
      i = stop;
    } else {
      if (c === '%') exponents[exponents.length - 1] += 2;
      else if (c === '‰') exponents[exponents.length - 1] += 3;
      items.push(`'${c}`);
    }
  }
  // A section that is missing or empty falls back to the first (.NET's FindSection).
  const pick = (index: number): number => (index < sections.length && sections[index].length > 0 ? index : 0);
  const literal = sections.length > 1;
  let chosen = digits.length === 0 ? pick(2) : negative ? pick(1) : 0;
  let s = section(sections[chosen], exponents[chosen], literal);
  // A format without digit placeholders is not a number format (`l`, `u3`), unless it has sections.
  if (s === undefined) return undefined;
  let [int, frac] = digitsFor(digits, point, s);
  if (digits.length > 0 && int === '' && frac === '' && pick(2) !== chosen) {
    // Rounded to zero: the zero section, or the first one when there is none.
    chosen = pick(2);
    s = section(sections[chosen], exponents[chosen], literal) ?? s;
    [int, frac] = ['', ''];
  }
  const body = fill(s, int, frac);
  // The first section writes the sign of a negative value (-0 included, as .NET Core 3.0+ does), unless the format has
  // a negative section of its own; nothing is signed when no digit is written.
  return negative && chosen === 0 && pick(1) === 0 && body.length > 0 ? `-${body}` : body;
}
