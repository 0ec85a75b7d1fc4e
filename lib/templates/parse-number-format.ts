import { readLiteral } from './read-literal';

/**
 * One `;`-separated section of a custom number format, read once: its items (`0`, `#`, `.`, `,`, a
 * literal as its text after a leading `'`, or an exponent as written: `E+00`) and what filling them
 * takes, which depends on the format alone.
 */
export interface NumberFormatSection {
  readonly items: readonly string[];
  /** The power of ten the value is scaled by: `%` +2, `‰` +3, each `,` right after the last integer digit -3. */
  readonly scaleBy: number;
  /** Integer digit placeholders (`0` or `#` before the point). */
  readonly intDigits: number;
  /** Integer digits always written: the placeholders from the first `0` on. */
  readonly minInt: number;
  /** Whether a `,` between integer placeholders groups the digits in threes. */
  readonly grouping: boolean;
  /** Fraction digit placeholders, and how many of them are always written (up to the last `0`). */
  readonly maxFrac: number;
  readonly minFrac: number;
  /** Whether the section has an exponent (scientific notation). */
  readonly sci: boolean;
}

/** A custom number format, read: its sections (at least one; an empty one has no items). */
export type NumberFormat = readonly NumberFormatSection[];

/** A custom format's exponent (`E+00`), read from `lastIndex`. */
const EXPONENT = /[Ee][+-]?0+/y;

const isDigit = (item: string): boolean => item === '0' || item === '#';

/** Most formats kept; when a new one would go past it, the cache is cleared (Serilog's policy, as `TemplateCache`). */
const MAX_ENTRIES = 1_000;
/** Longest format kept, in UTF-16 code units, so the cache holds at most 64 Ki characters of formats (real ones are a few). */
const MAX_CACHED_LENGTH = 64;

const cache = new Map<string, NumberFormat>();

/**
 * A custom number format read into its sections, from a bounded cache keyed by the format text:
 * reading one costs about as much as filling it, and a template's holes use the same few formats
 * again and again. A format longer than 64 characters is read every time, never held.
 */
export function parseNumberFormat(format: string): NumberFormat {
  // Hot path: one Map lookup on a hit.
  const hit = cache.get(format);
  if (hit !== undefined) return hit;
  const parsed = readNumberFormat(format);
  if (format.length <= MAX_CACHED_LENGTH) {
    if (cache.size >= MAX_ENTRIES) cache.clear();
    cache.set(format, parsed);
  }
  return parsed;
}

/** Forgets every cached format (tests compare a cold read with a cached one). */
export function clearNumberFormatCache(): void {
  cache.clear();
}

/** Reads a custom format's `;`-separated sections; see {@link NumberFormatSection}. */
function readNumberFormat(format: string): NumberFormat {
  const sections: string[][] = [[]];
  // The power of ten each section's `%` (+2) and `‰` (+3) scale by.
  const exponents = [0];
  for (let i = 0; i < format.length; i++) {
    const c = format[i];
    const items = sections[sections.length - 1];
    if (c === ';') {
      sections.push([]);
      exponents.push(0);
    } else if ('0#.,'.includes(c)) items.push(c);
    else if (((EXPONENT.lastIndex = i), EXPONENT.test(format))) {
      // An exponent, as written: `E0`, `E+00`, `e-0`.
      items.push(format.slice(i, EXPONENT.lastIndex));
      i = EXPONENT.lastIndex - 1;
    }
    // A trailing `\` escapes nothing, but its section is not empty.
    else if (c === '\\' || c === "'" || c === '"') {
      const [text, next] = readLiteral(format, i);
      items.push(`'${text}`);
      i = next - 1;
    } else {
      if (c === '%') exponents[exponents.length - 1] += 2;
      else if (c === '‰') exponents[exponents.length - 1] += 3;
      items.push(`'${c}`);
    }
  }
  return sections.map((items, index) => layout(items, exponents[index]));
}

/** What filling a section's `items` takes, worked out from them alone. */
function layout(items: readonly string[], exponent: number): NumberFormatSection {
  const pointAt = items.indexOf('.');
  const intEnd = pointAt === -1 ? items.length : pointAt;
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
  let scaleBy = exponent;
  // Every `,` after the last integer placeholder scales, literals between them or not (`0 %,`), as .NET counts them.
  for (let i = lastDigit + 1; lastDigit !== -1 && i < intEnd; i++) if (items[i] === ',') scaleBy -= 3;
  let maxFrac = 0;
  let minFrac = 0;
  for (let i = intEnd + 1; i < items.length; i++) {
    if (!isDigit(items[i])) continue;
    maxFrac++;
    if (items[i] === '0') minFrac = maxFrac;
  }
  // An exponent makes the section scientific.
  const sci = items.some((item) => item.length > 1 && item[0] !== "'");
  return { items, scaleBy, intDigits, minInt, grouping, maxFrac, minFrac, sci };
}
