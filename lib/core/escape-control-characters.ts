// C0 controls, DEL, C1 controls (0x9b is a one-byte CSI), the Unicode line and paragraph separators,
// and the bidirectional embeddings, overrides and isolates (Trojan Source, CVE-2021-42574).
// eslint-disable-next-line no-control-regex
export const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const CONTROL_ALL = new RegExp(CONTROL.source, 'g');
// A CRLF first: it is a line break (a .NET exception from Windows), a lone CR is not.
// eslint-disable-next-line no-control-regex
const CONTROL_BUT_LINES = /\r\n|[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * Characters escaped at a time: one replace over a long run of controls holds all its matches at
 * once (about 100 bytes each; 16 Mi NULs took over 1 GB).
 */
const SLICE = 8192;

/** `text` with `pattern`'s matches escaped, a slice at a time, a CRLF never cut in two. */
function escapeSliced(text: string, pattern: RegExp): string {
  let out = '';
  for (let start = 0, end; start < text.length; start = end) {
    end = start + SLICE;
    if (text.charCodeAt(end - 1) === 13 && text.charCodeAt(end) === 10) end++;
    out += text.slice(start, end).replace(pattern, escapeOne);
  }
  return out;
}

function escapeOne(c: string): string {
  return c === '\r\n'
    ? '\n'
    : c === '\n'
      ? '\\n'
      : c === '\r'
        ? '\\r'
        : c === '\t'
          ? '\\t'
          : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/**
 * `text` with every control character written as a visible escape (`\n`, `\r`, `\t`, `\u001b` …):
 * C0 controls, DEL, C1 controls, U+2028 / U+2029 and the bidirectional embeddings, overrides and
 * isolates (U+202A–U+202E, U+2066–U+2069). Text output applies it to values that come from data, so
 * a value cannot move the terminal's cursor, change its title, forge a log line or make the rest
 * of its line read backwards (right-to-left text itself, and the marks U+200E / U+200F, stay).
 * With `keepLineBreaks`, `\n` and `\t` stay as they are and `\r\n` becomes `\n` (for stack traces).
 *
 * @example escapeControlCharacters('a\u001b[2Jb\nc') // 'a\\u001b[2Jb\\nc'
 */
export function escapeControlCharacters(text: string, keepLineBreaks = false): string {
  if (!CONTROL.test(text)) return text;
  return escapeSliced(text, keepLineBreaks ? CONTROL_BUT_LINES : CONTROL_ALL);
}

const PAST_C0 = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * `text` with the control characters but the C0 ones written as escapes (DEL, C1, U+2028 / U+2029
 * and the bidirectional controls): those JSON leaves raw, so a JSON line stays the same JSON, and
 * another formatter's line breaks and ANSI colours are kept. ConsoleSink applies it to a
 * formatter's text.
 */
export function escapeControlsPastC0(text: string): string {
  return escapeSliced(text, PAST_C0);
}
