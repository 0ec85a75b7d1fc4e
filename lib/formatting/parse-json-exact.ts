import { MAX_EXACT_INTEGER_DIGITS } from '../templates/safe-json';

// An integer JSON.parse may round has 16 digits or more (2^53 has 16).
const LONG_DIGITS = /\d{16}/;
// U+FDD0, a noncharacter, marks an integer rewritten as a string for the reviver.
const MARK = '\ufdd0';
const MARK_IN_TEXT = /\ufdd0|\\ufdd0/i;

// Defined beside the writer, which writes a longer bigint as a string, so every line rxlog writes is one this reads.
export { MAX_EXACT_INTEGER_DIGITS };

/** Whether a character code continues a JSON number after its first character: `0-9 . e E + -`. */
function isNumberPart(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === 0x2d;
}

function reviveMarked(_key: string, value: unknown): unknown {
  return typeof value === 'string' && value.charCodeAt(0) === 0xfdd0 ? BigInt(value.slice(1)) : value;
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
  // A string that holds the mark itself could not be told from a marked integer: keep JSON.parse's reading.
  const keep = MARK_IN_TEXT.test(text);
  // Outside strings, valid JSON has digits only in numbers: copy the text, marking each integer a number would round.
  let out = '';
  let copied = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // Skip the string: a backslash escapes the next character.
      for (i++; text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      const start = i;
      while (i + 1 < text.length && isNumberPart(text.charCodeAt(i + 1))) i++;
      if (i + 1 - start < 16) continue;
      const token = text.slice(start, i + 1);
      if (/[.eE]/.test(token)) continue;
      const digits = c === 0x2d ? token.length - 1 : token.length;
      if (digits > MAX_EXACT_INTEGER_DIGITS)
        throw new RangeError(`an integer of ${digits} digits, past the ${MAX_EXACT_INTEGER_DIGITS} read exactly`);
      if (keep || String(Number(token)) === token) continue;
      out += `${text.slice(copied, start)}"${MARK}${token}"`;
      copied = i + 1;
    }
  }
  if (copied === 0) return value;
  try {
    return JSON.parse(out + text.slice(copied), reviveMarked);
  } catch {
    // The reviver walks recursively: a structure nested past the stack keeps JSON.parse's numbers.
    return value;
  }
}
