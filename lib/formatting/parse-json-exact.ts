// An integer JSON.parse may round has 16 digits or more (2^53 has 16).
const LONG_DIGITS = /\d{16}/;
// U+FDD0, a noncharacter, marks an integer rewritten as a string for the reviver.
const MARK = '\ufdd0';
const MARK_IN_TEXT = /\ufdd0|\\ufdd0/i;
// What follows the first character of a JSON number.
const NUMBER_PART = /[0-9.eE+-]/;

function reviveMarked(_key: string, value: unknown): unknown {
  return typeof value === 'string' && value.charCodeAt(0) === 0xfdd0 ? BigInt(value.slice(1)) : value;
}

/**
 * `JSON.parse(text)`, but an integer literal that a number cannot hold exactly
 * (`12345678901234567890`, a 64-bit id from .NET or a bigint rxlog wrote) is read as a bigint,
 * so its digits survive: rxlog writes a bigint back as the same integer literal. Every other
 * number is a number, as JSON.parse reads it (`9007199254740992` and `1e21` included). Lines
 * without 16 digits in a row, the common case, cost one JSON.parse.
 *
 * @throws SyntaxError when `text` is not JSON, as JSON.parse does.
 * @example parseJsonExact('{"Id":12345678901234567890}') // { Id: 12345678901234567890n }
 */
export function parseJsonExact(text: string): unknown {
  const value: unknown = JSON.parse(text);
  // A string that holds the mark itself could not be told from a marked integer: keep JSON.parse's reading.
  if (!LONG_DIGITS.test(text) || MARK_IN_TEXT.test(text)) return value;
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
      while (i + 1 < text.length && NUMBER_PART.test(text[i + 1])) i++;
      const token = text.slice(start, i + 1);
      if (token.length < 16 || /[.eE]/.test(token) || String(Number(token)) === token) continue;
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
