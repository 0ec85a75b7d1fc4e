import { type NumberFormatSection, parseNumberFormat } from './parse-number-format';

/** A standard format: a letter and a precision; one above 100 is not applied. */
const STANDARD = /^([A-Za-z])(\d*)$/;

/** Longest format applied, in characters; a longer one is ignored, so a template cannot make rendering costly. */
const MAX_FORMAT_LENGTH = 1000;

/**
 * `rounded`, digits of `abs` from toFixed or toExponential whose last digit stands for 10^-`decimals`, with an exact
 * tie rounded to the even digit as .NET Core 3.0+ rounds it (Dragon4), where JavaScript rounds it up. `abs` is a tie
 * when it is halfway between two multiples of 10^-`decimals`; rounded up to an odd digit, the even one is one less.
 */
function toEven(rounded: string, abs: number, decimals: number): string {
  const last = rounded.charCodeAt(rounded.length - 1) - 48;
  // A tie is abs × 2^(decimals + 1) an odd integer, or abs mod 10^-decimals half of 10^-decimals: exact (a power of
  // two; fmod), and 10^-decimals is exact where a double can be a tie (up to 10^22: its odd part 5^n fits 53 bits).
  const unit = 10 ** -decimals;
  return last & 1 && (decimals < 0 ? (abs % unit) * 2 === unit : (abs * 2 ** (decimals + 1)) % 2 === 1)
    ? `${rounded.slice(0, -1)}${last - 1}`
    : rounded;
}

/** `abs.toExponential(digits)` as its mantissa and exponent (`+4`), an exact tie rounded to the even digit (see {@link toEven}). */
function exponential(abs: number, digits?: number): [string, string] {
  const [mantissa, exponent] = abs.toExponential(digits).split('e');
  return [digits === undefined ? mantissa : toEven(mantissa, abs, digits - +exponent), exponent];
}

/** An exponent as .NET writes it: `letter`, the sign of toExponential's `exponent` (`+4`, `-12`), its digits padded to `width`. */
function exponentText(letter: string, exponent: string, width: number): string {
  return `${letter}${exponent[0]}${exponent.slice(1).padStart(width, '0')}`;
}

/** The exact digits of `abs` rounded to `decimals` decimals (an exact tie to the even digit), as 0.<digits> × 10^point. */
function exactDigits(abs: number, decimals: number): [string, number] {
  const fixed = Math.min(decimals, 100);
  const [int, frac = ''] = (abs < 1e21 ? toEven(abs.toFixed(fixed), abs, fixed) : BigInt(abs).toString()).split('.');
  const all = `${int}${frac}`;
  let lead = 0;
  while (all[lead] === '0') lead++;
  return [all.slice(lead), int.length - lead];
}

/** `body` with a minus sign when `negative`. */
function signed(negative: boolean, body: string): string {
  return negative ? `-${body}` : body;
}

/**
 * A standard format; undefined for a letter .NET does not know here, and for `D` with a fraction.
 * `D`, `F`, `N` and `P` are the custom format they amount to once their digits are exact: `D5` is
 * `00000`, `F2` `0.00`, `N2` `#,##0.00`, `P1` `#,##0.0 %` (the invariant culture's percent
 * pattern `n %`).
 */
function standard(value: number, negative: boolean, letter: string, precision: number | undefined): string | undefined {
  const abs = Math.abs(value);
  // Upper-case letters sort before lower-case ones.
  const upper = letter < 'a';
  const lower = letter.toLowerCase();
  const decimals = precision ?? 2;
  switch (lower) {
    case 'd':
      // An integer has no negative zero.
      return Number.isInteger(value) ? custom('0'.repeat(precision || 1), value < 0, ...exactDigits(abs, 0)) : undefined;
    case 'c':
    case 'f':
    case 'n':
    case 'p':
      return fixed(lower, precision, negative, ...exactDigits(abs, lower === 'p' ? decimals + 2 : decimals));
    case 'e': {
      const [mantissa, exp] = exponential(abs, precision ?? 6);
      return signed(negative, `${mantissa}${exponentText(letter, exp, 3)}`);
    }
    case 'x':
    case 'b': {
      if (!Number.isSafeInteger(value)) return undefined;
      // A negative value prints as two's complement, of an Int32 when it fits one, else of an Int64, as .NET prints them.
      const out = (value < 0 ? BigInt.asUintN(value < -0x80000000 ? 64 : 32, BigInt(value)) : value)
        .toString(lower === 'x' ? 16 : 2)
        .padStart(precision ?? 0, '0');
      return upper ? out.toUpperCase() : out;
    }
    case 'g':
    case 'r':
      // Since .NET Core 3.0, R is G without a precision: the shortest round-trip digits.
      return signed(negative, general(abs, lower === 'r' ? undefined : precision, upper ? 'E' : 'e'));
  }
  return undefined;
}

/**
 * The standard format `C`, `F`, `N` or `P` (`lower`) of the non-negative number 0.`digits` × 10^`point`, exact to the
 * format's decimals: the custom format each amounts to (`F2` is `0.00`, `N2` `#,##0.00`, `P1` `#,##0.0 %`, the
 * invariant culture's percent pattern `n %`), and `C2` is `¤#,##0.00`, a negative value in parentheses (the invariant
 * culture's currency symbol `¤` and negative pattern `($n)`).
 */
function fixed(lower: string, precision: number | undefined, negative: boolean, digits: string, point: number): string {
  const fraction = precision === 0 ? '' : `.${'0'.repeat(precision ?? 2)}`;
  if (lower === 'c') {
    const body = custom(`#,##0${fraction}`, false, digits, point);
    return negative ? `(¤${body})` : `¤${body}`;
  }
  const pattern = lower === 'f' ? `0${fraction}` : lower === 'n' ? `#,##0${fraction}` : `#,##0${fraction} %`;
  return custom(pattern, negative, digits, point);
}

/**
 * `value` in two's complement in base 2^`bits` (16 or 2), in the fewest digits whose first one carries the sign, padded
 * to `width` with the sign's digit, as .NET's BigInteger writes `X` and `B`: 128 is `080`, -128 `80`, -1 `f`.
 */
function twosComplement(value: bigint, bits: number, width: number): string {
  const radix = 2 ** bits;
  // A negative value's digits are those of ~value (-value - 1), each inverted.
  let digits = (value < 0n ? ~value : value).toString(radix);
  // A first digit with its top bit set reads as negative: one more digit carries the sign.
  if (parseInt(digits[0], radix) >= radix / 2) digits = `0${digits}`;
  if (value < 0n) digits = (value + (1n << BigInt(digits.length * bits))).toString(radix);
  return digits.padStart(width, value < 0n ? (radix - 1).toString(radix) : '0');
}

/**
 * A bigint with a format, as .NET's BigInteger.ToString(format) writes it with the invariant culture, from its exact
 * digits: `D`, `G` and `R` write every digit, zero-padded to the precision (.NET makes a BigInteger's `G5` a `D5`), `X`
 * and `B` its shortest two's complement ({@link twosComplement}); `C`, `E`, `F`, `N`, `P` and custom formats as for a
 * number, a dropped digit rounded half away from zero (.NET's RoundNumber for an integer, where a double's exact tie
 * goes to the even digit), and a negative value that rounds to zero unsigned (an integer has no -0).
 */
function formatBigInt(value: bigint, format: string): string {
  const text = String(value);
  if (format.length > MAX_FORMAT_LENGTH || format === 'lj') return text;
  const negative = value < 0n;
  const digits = negative ? text.slice(1) : text;
  // The value is 0.<exact> × 10^digits.length, `exact` empty for zero.
  const exact = digits === '0' ? '' : digits;
  const match = STANDARD.exec(format);
  if (match === null) return custom(format, negative, exact, digits.length, true);
  const letter = match[1];
  const precision = match[2].length > 0 ? Number(match[2]) : undefined;
  const lower = letter.toLowerCase();
  // As for a number, a precision above 100 is not applied: .NET's 999 999 999 would pad a gigabyte of zeros.
  if ((precision ?? 0) > 100) return text;
  switch (lower) {
    case 'd':
    case 'g':
    case 'r':
      return signed(negative, digits.padStart(precision ?? 0, '0'));
    case 'x':
    case 'b': {
      const out = twosComplement(value, lower === 'x' ? 4 : 1, precision ?? 0);
      return letter === 'X' ? out.toUpperCase() : out;
    }
    case 'e':
      return custom(`0${precision === 0 ? '' : `.${'0'.repeat(precision ?? 6)}`}${letter}+000`, negative, exact, digits.length);
    case 'c':
    case 'f':
    case 'n':
    case 'p':
      return fixed(lower, precision, negative, exact, digits.length);
  }
  return text;
}

/**
 * .NET's general format `G` / `Gn` of a non-negative finite number: `n` significant digits (without
 * `n`, the shortest round-trip digits), written in fixed point when the decimal exponent is above
 * -5 and below the precision (17 without `n`: .NET Core 3.0+ writes the shortest digits with
 * DoublePrecision, 17, as their precision, so `1.5e16` is `15000000000000000` and `1e17` is
 * `1E+17`), else as `d.dddE+XX` with at least two exponent digits; trailing zeros dropped.
 */
function general(abs: number, precision: number | undefined, e: string): string {
  if (abs === 0) return '0';
  const digitsGiven = precision !== undefined && precision > 0;
  // The precision is at most 100 (formatNumber applies no larger one), within toExponential's range.
  const [mantissa, exponentDigits] = exponential(abs, digitsGiven ? precision - 1 : undefined);
  const exponent = Number(exponentDigits);
  const digits = mantissa.replace('.', '').replace(/0+$/, '') || '0';
  const limit = digitsGiven ? precision : 17;
  if (exponent > -5 && exponent < limit) {
    if (exponent < 0) return `0.${'0'.repeat(-exponent - 1)}${digits}`;
    if (digits.length <= exponent + 1) return digits.padEnd(exponent + 1, '0');
    return `${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}`;
  }
  const body = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${body}${exponentText(e, exponentDigits, 2)}`;
}

const isDigit = (item: string): boolean => item === '0' || item === '#';

/**
 * One section of a custom format (read by {@link parseNumberFormat}) filled with the non-negative
 * number 0.`digits` × 10^`point`, and whether it rounded to zero; a section without digit
 * placeholders writes only its literals. An exponent item makes it scientific notation, the
 * integer placeholders fixing the exponent. The value is scaled by the section's `scaleBy` and
 * rounded half away from zero to its decimals (.NET's `RoundNumber` on its digits).
 */
function fillSection(section: NumberFormatSection, digits: string, point: number): [string, boolean] {
  const { items, intDigits, grouping, maxFrac, minFrac, sci } = section;
  let minInt = section.minInt;
  // Round to the section's decimals; a carry out of the first digit (999 → 1000) moves the point,
  // or in scientific notation (where the integer placeholders hold the integer digits) the exponent.
  let scale = point + section.scaleBy;
  let power = 0;
  if (sci) {
    power = scale - intDigits;
    // Every integer placeholder is filled, `#` too (zero writes `0E+0` with `#E+0`).
    scale = minInt = intDigits;
  }
  const keep = scale + maxFrac;
  if (keep < 0) digits = '';
  else if (keep < digits.length) {
    const up = digits.charCodeAt(keep) >= 0x35; // '5' or more
    digits = digits.slice(0, keep);
    if (up) {
      const next = String(BigInt(digits || '0') + 1n);
      if (next.length > digits.length) {
        if (sci) power++;
        else scale++;
      }
      digits = next;
    }
  }
  let end = digits.length;
  while (end > 0 && digits[end - 1] === '0') end--;
  digits = digits.slice(0, end);
  if (end === 0) scale = power = 0;
  const intText = scale > 0 ? digits.slice(0, scale).padEnd(scale, '0') : '';
  const frac = (scale >= end ? '' : scale < 0 ? `${'0'.repeat(-scale)}${digits}` : digits.slice(scale)).padEnd(minFrac, '0');

  const int = intText.padStart(minInt, '0');
  const offset = int.length - intDigits;
  // Digits `from` to `to` of `int`, each followed by `,` where a group of three starts after it, as .NET writes the
  // separator with its digit: a literal between placeholders stays between their digits (`0 #,##0` of 12345 is `1 2,345`).
  const digitsOf = (from: number, to: number): string => {
    let text = '';
    for (let k = from; k < to; k++)
      text += grouping && k < int.length - 1 && (int.length - 1 - k) % 3 === 0 ? `${int[k]},` : int[k];
    return text;
  };
  let out = '';
  let digit = 0;
  let fracDigit = 0;
  let seenPoint = false;
  for (const item of items) {
    if (isDigit(item)) {
      if (!seenPoint) {
        // Integer digits fill the placeholders right-aligned; extra leading digits go to the first one.
        if (digit === 0) out += digitsOf(0, offset + 1);
        else if (offset + digit >= 0) out += digitsOf(offset + digit, offset + digit + 1);
        digit++;
      } else {
        if (fracDigit < frac.length) out += frac[fracDigit];
        fracDigit++;
      }
    } else if (item === '.') {
      if (!seenPoint && intDigits === 0) out += int;
      // No point without a fraction placeholder, though rounding left a digit (scientific, no integer placeholder).
      if (!seenPoint && maxFrac && frac.length > 0) out += '.';
      seenPoint = true;
    } else if (item[0] === "'") out += item.slice(1);
    else if (item !== ',') {
      // An exponent: `+` only with `E+`; at least as many digits as zeros, up to 10 (.NET's `if (i > 10) i = 10`).
      out += `${item[0]}${power < 0 ? '-' : item[1] === '+' ? '+' : ''}${String(Math.abs(power)).padStart(Math.min(item.replace(/^.[+-]?/, '').length, 10), '0')}`;
    }
  }
  return [out, end === 0];
}

/**
 * Formats a number, or a bigint, with a .NET-style format string; an unknown standard format (a letter and digits
 * .NET does not know, `l`, `Q2`, where .NET throws), `lj`, or a format longer than 1 000 characters
 * gives the default rendering (`String(value)`), and NaN and ±Infinity always render as `NaN`,
 * `Infinity`, `-Infinity`. A custom format without digit placeholders writes its literals only, as
 * .NET does (5 with `kg` → `kg`, -5 → `-kg`).
 *
 * Standard formats (precision optional, at most 100): `D5` (zero-padded integer), `F2` (fixed), `N2` (grouped
 * with `,`), `P1` (percent, `12.5 %`, as the invariant culture writes it), `C2` (currency, as the invariant culture
 * writes it: `¤1,234.50`, `(¤1,234.50)` when negative), `E2` (`1.23E+004`), `X` / `x` / `X8` (hex; a negative
 * integer as the two's complement of an Int32, or of an Int64 below -2^31), `B` / `B8` (binary, .NET 8's, likewise), `G` / `G3` (.NET's general format: `0.0000023` → `2.3E-06`, `1234`
 * with `G2` → `1.2E+03`), `R` (as `G` without a precision, as .NET Core 3.0+ writes it). Custom formats: `0` (digit), `#` (optional digit), `.`,
 * `,` (grouping between digits, scaling by 1000 after them), `%`, `‰`, `E+0` / `e-00` / `E0` (scientific:
 * `0.00E+00` → `1.23E+00`), `'literal'`, `\c`, and up to
 * three `;`-separated sections (positive; negative; zero): a value that rounds to zero takes the zero
 * section (with two sections, a negative one rounding to zero takes the first, unsigned). As in .NET
 * Core 3.0+, a negative value keeps its sign when it rounds to zero, and so does -0 (`-0.00` with `N2`
 * or `0.00`), except with `D` and `X` (integers) and when a custom format writes nothing (`#` of -0). Rounding
 * follows .NET Core 3.0+: standard formats round the exact value, an exact tie to the even digit (`0.125` with
 * `F2` is `0.12`, `2.5` with `F0` is `2`); custom formats take the first 15 significant digits so, then round
 * them half away from zero (`2.5` with `0` is `3`, `1.005` with `0.00` is `1.01`, `0.1 + 0.2` with 18 decimals
 * is `0.300000000000000000`).
 *
 * A bigint is formatted from its exact digits as .NET formats a BigInteger (D, G and R write every digit, X and B the
 * shortest two's complement, a dropped digit rounds half away from zero, an integer has no -0):
 * `12345678901234567890n` with `N0` is `12,345,678,901,234,567,890`, `128n` with `X` is `080`.
 *
 * @example formatNumber(1234.5, '#,##0.00') // '1,234.50'
 */
export function formatNumber(value: number | bigint, format: string): string {
  if (typeof value === 'bigint') return formatBigInt(value, format);
  // `lj` is Serilog's rendering hint, which changes nothing in rxlog: not the custom format .NET would read (`lj`).
  if (!Number.isFinite(value) || format.length > MAX_FORMAT_LENGTH || format === 'lj') return String(value);
  // .NET Core 3.0+ keeps the sign of -0 and of a negative value that rounds to zero.
  const negative = value < 0 || Object.is(value, -0);
  const abs = Math.abs(value);
  const match = STANDARD.exec(format);
  if (match !== null) {
    const precision = match[2].length > 0 ? Number(match[2]) : undefined;
    // toFixed and toExponential stop at 100 digits.
    return ((precision ?? 0) <= 100 && standard(value, negative, match[1], precision)) || String(value);
  }
  // .NET formats a double with a custom format from its first 15 significant digits: 0.<digits> × 10^point.
  const [mantissa, exponent] = exponential(abs, 14);
  return custom(format, negative, abs === 0 ? '' : mantissa.replace('.', ''), Number(exponent) + 1);
}

/**
 * A non-negative number 0.`digits` × 10^`point` (`digits` empty for zero) with a custom format, the
 * sign of `negative` applied as .NET does; an `integer` that rounds to zero loses its sign, as .NET's
 * RoundNumber clears it for every type but floating point.
 */
function custom(format: string, negative: boolean, digits: string, point: number, integer = false): string {
  // Read once per format text (a bounded cache): what is left to do here depends on the value.
  const sections = parseNumberFormat(format);
  // A section that is missing or empty falls back to the first (.NET's FindSection).
  const pick = (index: number): number => (index < sections.length && sections[index].items.length > 0 ? index : 0);
  let chosen = digits.length === 0 ? pick(2) : negative ? pick(1) : 0;
  let filled = fillSection(sections[chosen], digits, point);
  if (digits.length > 0 && filled[1] && pick(2) !== chosen) {
    // Rounded to zero: the zero section, or the first one when there is none.
    chosen = pick(2);
    filled = fillSection(sections[chosen], '', 0);
  }
  const body = filled[0];
  // The first section writes the sign of a negative value, unless the format has a negative section of its own: always
  // when it does not round to zero (.NET's `number.Scale != 0`), even before nothing (`''` of -5 is `-`), and when it
  // does (-0 included, as .NET Core 3.0+ does) only before something written, and never for an integer, which has no -0.
  return negative && chosen === 0 && pick(1) === 0 && (!filled[1] || (!integer && body.length > 0)) ? `-${body}` : body;
}
