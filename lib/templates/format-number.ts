type Item =
  | { readonly kind: 'digit'; readonly zero: boolean }
  | { readonly kind: 'point' }
  | { readonly kind: 'group' }
  | { readonly kind: 'literal'; readonly text: string };

interface Section {
  readonly items: readonly Item[];
  readonly intDigits: number;
  readonly minInt: number;
  readonly minFrac: number;
  readonly maxFrac: number;
  readonly grouping: boolean;
  /** Power of ten the value is multiplied by: +2 per `%`, +3 per `‰`, -3 per scaling `,`. */
  readonly exponent: number;
}

const STANDARD = /^([A-Za-z])(\d{0,2})$/;

function fixed(abs: number, decimals: number): string {
  if (abs < 1e21) return abs.toFixed(decimals);
  const digits = BigInt(Math.round(abs)).toString();
  return decimals > 0 ? `${digits}.${'0'.repeat(decimals)}` : digits;
}

function group(digits: string): string {
  let out = '';
  for (let end = digits.length; end > 0; end -= 3) {
    const start = end > 3 ? end - 3 : 0;
    out = out.length === 0 ? digits.slice(start, end) : `${digits.slice(start, end)},${out}`;
  }
  return out;
}

function signed(value: number, body: string): string {
  return value < 0 && /[1-9]/.test(body) ? `-${body}` : body;
}

function integerDigits(abs: number): string {
  return abs < 1e21 ? String(abs) : BigInt(abs).toString();
}

function standard(value: number, letter: string, precisionText: string): string | undefined {
  const precision = precisionText.length > 0 ? Number(precisionText) : undefined;
  const abs = Math.abs(value);
  switch (letter) {
    case 'D':
    case 'd':
      if (!Number.isInteger(value)) return undefined;
      return signed(value, integerDigits(abs).padStart(precision ?? 0, '0'));
    case 'F':
    case 'f':
      return signed(value, fixed(abs, precision ?? 2));
    case 'N':
    case 'n': {
      const [int, frac] = fixed(abs, precision ?? 2).split('.') as [string, string?];
      return signed(value, frac === undefined ? group(int) : `${group(int)}.${frac}`);
    }
    case 'P':
    case 'p': {
      const [int, frac] = fixed(abs * 100, precision ?? 2).split('.') as [string, string?];
      return signed(value, `${frac === undefined ? group(int) : `${group(int)}.${frac}`}%`);
    }
    case 'E':
    case 'e': {
      const [mantissa, exp] = abs.toExponential(precision ?? 6).split('e');
      const sign = exp.startsWith('-') ? '-' : '+';
      return signed(value, `${mantissa}${letter}${sign}${exp.replace(/^[+-]/, '').padStart(3, '0')}`);
    }
    case 'X':
    case 'x': {
      if (!Number.isSafeInteger(value)) return undefined;
      // Negative int32 values print as two's complement, as .NET prints an Int32.
      const bits = value < 0 && value >= -0x80000000 ? value >>> 0 : value;
      const hex = bits.toString(16).padStart(precision ?? 0, '0');
      return letter === 'X' ? hex.toUpperCase() : hex;
    }
    case 'G':
    case 'g':
      return precision === undefined || precision === 0
        ? String(value)
        : String(Number(value.toPrecision(Math.min(precision, 21))));
    case 'R':
    case 'r':
      return String(value);
    default:
      return undefined;
  }
}

function splitSections(format: string): string[] {
  const sections: string[] = [];
  let start = 0;
  let quote = '';
  for (let i = 0; i < format.length; i++) {
    const c = format[i];
    if (quote !== '') {
      if (c === quote) quote = '';
    } else if (c === '\\') {
      i++;
    } else if (c === "'" || c === '"') {
      quote = c;
    } else if (c === ';') {
      sections.push(format.slice(start, i));
      start = i + 1;
    }
  }
  sections.push(format.slice(start));
  return sections;
}

function parseSection(format: string, allowLiteral: boolean): Section | undefined {
  const items: Item[] = [];
  let exponent = 0;
  for (let i = 0; i < format.length; i++) {
    const c = format[i];
    if (c === '0' || c === '#') items.push({ kind: 'digit', zero: c === '0' });
    else if (c === '.') items.push({ kind: 'point' });
    else if (c === ',') items.push({ kind: 'group' });
    else if (c === '%') {
      exponent += 2;
      items.push({ kind: 'literal', text: '%' });
    } else if (c === '‰') {
      exponent += 3;
      items.push({ kind: 'literal', text: '‰' });
    } else if (c === '\\') {
      if (i + 1 < format.length) items.push({ kind: 'literal', text: format[++i] });
    } else if (c === "'" || c === '"') {
      const end = format.indexOf(c, i + 1);
      const stop = end === -1 ? format.length : end;
      items.push({ kind: 'literal', text: format.slice(i + 1, stop) });
      i = stop;
    } else items.push({ kind: 'literal', text: c });
  }
  const point = items.findIndex((item) => item.kind === 'point');
  const intEnd = point === -1 ? items.length : point;
  let intDigits = 0;
  let minInt = 0;
  let firstDigit = -1;
  let lastDigit = -1;
  for (let i = 0; i < intEnd; i++) {
    const item = items[i];
    if (item.kind !== 'digit') continue;
    if (firstDigit === -1) firstDigit = i;
    lastDigit = i;
    intDigits++;
    if (item.zero || minInt > 0) minInt++;
  }
  let grouping = false;
  for (let i = firstDigit + 1; i < lastDigit; i++) if (items[i].kind === 'group') grouping = true;
  // Commas right after the last integer digit scale the value down by 1000 each.
  for (let i = lastDigit + 1; lastDigit !== -1 && i < intEnd && items[i].kind === 'group'; i++) exponent -= 3;
  let maxFrac = 0;
  let minFrac = 0;
  for (let i = intEnd + 1; i < items.length; i++) {
    const item = items[i];
    if (item.kind !== 'digit') continue;
    maxFrac++;
    if (item.zero) minFrac = maxFrac;
  }
  if (intDigits === 0 && maxFrac === 0 && !allowLiteral) return undefined;
  return { items, intDigits, minInt, minFrac, maxFrac, grouping, exponent };
}

function custom(abs: number, section: Section): string {
  const scaled = section.exponent === 0 ? abs : abs * 10 ** section.exponent;
  const [intText, fracText = ''] = fixed(scaled, section.maxFrac).split('.');
  let frac = fracText;
  while (frac.length > section.minFrac && frac.endsWith('0')) frac = frac.slice(0, -1);
  let int = intText === '0' && section.minInt === 0 ? '' : intText.padStart(section.minInt, '0');
  if (section.grouping) int = group(int);
  const offset = int.length - section.intDigits;
  let out = '';
  let digit = 0;
  let fracDigit = 0;
  let seenPoint = false;
  for (const item of section.items) {
    switch (item.kind) {
      case 'digit':
        if (!seenPoint) {
          // Integer digits fill the placeholders right-aligned; extra leading digits go to the first one.
          if (digit === 0) out += int.slice(0, Math.max(0, offset + 1));
          else if (offset + digit >= 0) out += int[offset + digit];
          digit++;
        } else {
          if (fracDigit < frac.length) out += frac[fracDigit];
          fracDigit++;
        }
        break;
      case 'point':
        if (!seenPoint && section.intDigits === 0) out += int;
        if (!seenPoint && frac.length > 0) out += '.';
        seenPoint = true;
        break;
      case 'group':
        break;
      case 'literal':
        out += item.text;
        break;
    }
  }
  return out;
}

/**
 * Formats a number with a .NET-style format string; an unknown format gives the default rendering
 * (`String(value)`), and NaN and ±Infinity always render as `NaN`, `Infinity`, `-Infinity`.
 *
 * Standard formats (precision optional): `D5` (zero-padded integer), `F2` (fixed), `N2` (grouped
 * with `,`), `P1` (percent, `12.5%`), `E2` (`1.23E+004`), `X` / `x` / `X8` (hex; a negative 32-bit
 * integer as two's complement), `G`, `R`. Custom formats: `0` (digit), `#` (optional digit), `.`,
 * `,` (grouping between digits, scaling by 1000 after them), `%`, `‰`, `'literal'`, `\c`, and up to
 * three `;`-separated sections (positive; negative; zero). Rounding is JavaScript's `toFixed`.
 *
 * @example formatNumber(1234.5, '#,##0.00') // '1,234.50'
 */
export function formatNumber(value: number, format: string): string {
  if (!Number.isFinite(value)) return String(value);
  const match = STANDARD.exec(format);
  if (match !== null) return standard(value, match[1], match[2]) ?? String(value);
  const sections = splitSections(format);
  let chosen = sections[0];
  let withSign = true;
  if (value < 0 && sections.length > 1 && sections[1].length > 0) {
    chosen = sections[1];
    withSign = false;
  } else if (value === 0 && sections.length > 2 && sections[2].length > 0) {
    chosen = sections[2];
  }
  // A format without digit placeholders is not a number format (`l`, `u3`), unless it has sections.
  const section = parseSection(chosen, sections.length > 1);
  if (section === undefined) return String(value);
  const body = custom(Math.abs(value), section);
  return withSign ? signed(value, body) : body;
}
