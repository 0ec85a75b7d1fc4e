import { MAX_EXACT_INTEGER_DIGITS } from '../templates/safe-json';

// An integer JSON.parse may round has 16 digits or more (2^53 has 16).
const LONG_DIGITS = /\d{16}/;
// U+FDD0, a noncharacter, marks an integer rewritten as a string for the reviver; a string value
// of the text that starts with it gets one more, so the reviver tells the two apart.
const MARK = '\ufdd0';
// The mark at the start of a string's text, as itself or escaped.
const MARK_FIRST = /\ufdd0|\\ufdd0/iy;

// Defined beside the writer, which writes a longer bigint as a string, so every line rxlog writes is one this reads.
export { MAX_EXACT_INTEGER_DIGITS };

/** Whether a character code continues a JSON number after its first character: `0-9 . e E + -`. */
function isNumberPart(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === 0x2d;
}

function reviveMarked(_key: string, value: unknown): unknown {
  if (typeof value !== 'string' || value.charCodeAt(0) !== 0xfdd0) return value;
  // A marked string value (`MARK` + its own first mark), else a marked integer (`MARK` + its digits).
  return value.charCodeAt(1) === 0xfdd0 ? value.slice(1) : BigInt(value.slice(1));
}

/** Whether the string that closes at `end` (its closing quote) is an object key: a colon follows, after any JSON whitespace. */
function isKey(text: string, end: number): boolean {
  let i = end + 1;
  while (text.charCodeAt(i) === 0x20 || text.charCodeAt(i) === 0x0a || text.charCodeAt(i) === 0x0d || text.charCodeAt(i) === 0x09)
    i++;
  return text.charCodeAt(i) === 0x3a;
}

/**
 * `JSON.parse(text)`, but an integer literal that a number cannot hold exactly
 * (`12345678901234567890`, a 64-bit id from .NET or a bigint rxlog wrote) is read as a bigint,
 * so its digits survive: rxlog writes a bigint back as the same integer literal. Every other
 * number is a number, as JSON.parse reads it (`9007199254740992`, `1e21` and `1e999999999`,
 * Infinity, included). Lines without 16 digits in a row, the common case, cost one JSON.parse.
 *
 * An integer literal of more than {@link MAX_EXACT_INTEGER_DIGITS} (4300) digits, sign not
 * counted, is an error rather than a bigint, as in Python's `json.loads`: it is neither
 * converted (which would take seconds on a line of millions of digits) nor rounded to a number
 * (which would read it as Infinity), so a reader can say why the text was not read and show it
 * as it is.
 *
 * @throws SyntaxError when `text` is not JSON, as JSON.parse does.
 * @throws RangeError when `text` holds an integer literal of more than 4300 digits.
 * @example parseJsonExact('{"Id":12345678901234567890}') // { Id: 12345678901234567890n }
 */
export function parseJsonExact(text: string): unknown {
  const value: unknown = JSON.parse(text);
  if (!LONG_DIGITS.test(text)) return value;
  // Outside strings, valid JSON has digits only in numbers: copy the text, marking each integer a number would round.
  let out = '';
  let copied = 0;
  let marked = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      const start = i + 1;
      // Skip the string: a backslash escapes the next character.
      for (i++; text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
      // A value starting with the mark gets one more (the reviver takes it off); a key is never revived.
      MARK_FIRST.lastIndex = start;
      if (MARK_FIRST.test(text) && !isKey(text, i)) {
        out += `${text.slice(copied, start)}${MARK}`;
        copied = start;
      }
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      const start = i;
      while (i + 1 < text.length && isNumberPart(text.charCodeAt(i + 1))) i++;
      if (i + 1 - start < 16) continue;
      const token = text.slice(start, i + 1);
      if (/[.eE]/.test(token)) continue;
      const digits = c === 0x2d ? token.length - 1 : token.length;
      if (digits > MAX_EXACT_INTEGER_DIGITS)
        throw new RangeError(`an integer of ${digits} digits, past the ${MAX_EXACT_INTEGER_DIGITS} read exactly`);
      if (String(Number(token)) === token) continue;
      out += `${text.slice(copied, start)}"${MARK}${token}"`;
      copied = i + 1;
      marked = true;
    }
  }
  if (!marked) return value;
  try {
    return JSON.parse(out + text.slice(copied), reviveMarked);
  } catch {
    // The reviver walks recursively: a structure nested past the stack keeps JSON.parse's numbers.
    return value;
  }
}
