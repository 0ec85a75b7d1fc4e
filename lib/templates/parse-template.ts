import type { Capturing, MessageTemplate, PropertyToken, TemplateToken } from '../core/message-template';

const OPEN = 0x7b; // {
const CLOSE = 0x7d; // }
const COLON = 0x3a;
const MINUS = 0x2d;
const AT = 0x40;
const DOLLAR = 0x24;

const NAME = 1;
const FORMAT = 2;
const TAG = 4;

// ASCII character classes as bit flags, so the scan is a table read per character.
const ASCII = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  const name = /[A-Za-z0-9_]/.test(ch);
  const format = c !== CLOSE && (name || /\p{P}/u.test(ch) || ch === ' ' || ch === '+');
  const tag = c !== CLOSE && c !== OPEN && (name || format || c === AT || c === DOLLAR || c === COLON);
  ASCII[c] = (name ? NAME : 0) | (format ? FORMAT : 0) | (tag ? TAG : 0);
}

const UNICODE_NAME = /^[\p{L}\p{Nd}]$/u;
const UNICODE_PUNCTUATION = /^\p{P}$/u;

/** Character class of the code point at `i`, and its length in UTF-16 code units (0 for a lone surrogate). */
function classAt(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c < 128) return ASCII[c];
  const cp = text.codePointAt(i) as number;
  if (cp >= 0xd800 && cp <= 0xdfff) return 0;
  const ch = String.fromCodePoint(cp);
  if (UNICODE_NAME.test(ch)) return NAME | FORMAT | TAG;
  if (UNICODE_PUNCTUATION.test(ch)) return FORMAT | TAG;
  return 0;
}

function width(text: string, i: number): number {
  return (text.codePointAt(i) as number) > 0xffff ? 2 : 1;
}

/**
 * Where the scan of a hole starting at `{` stops: at its `}`, or at the first character a hole's
 * name or alignment cannot hold. After the first `:` the format runs to the next `}`, whatever it
 * holds (messagetemplates.org: `Format ::= [^}]+`).
 */
function scanHole(text: string, open: number): number {
  let i = open + 1;
  while (i < text.length) {
    if (text.charCodeAt(i) === COLON) {
      const close = text.indexOf('}', i + 1);
      return close === -1 ? text.length : close;
    }
    if ((classAt(text, i) & TAG) === 0) return i;
    i += width(text, i);
  }
  return i;
}

// Serilog's property names: digits only (positional), or an identifier (a letter or `_`, then
// letters, digits and `_`), with `.` between identifiers.
const POSITIONAL_NAME = /^\p{Nd}+$/u;
const IDENTIFIER_NAME = /^[\p{L}_][\p{L}\p{Nd}_]*(?:\.[\p{L}_][\p{L}\p{Nd}_]*)*$/u;

function isPropertyName(name: string): boolean {
  return POSITIONAL_NAME.test(name) || IDENTIFIER_NAME.test(name);
}

function parseAlignment(text: string): number | undefined {
  if (text.length === 0 || text.length > 11) return undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === MINUS ? i !== 0 : c < 0x30 || c > 0x39) return undefined;
  }
  const value = Number(text);
  if (!Number.isInteger(value) || Math.abs(value) > 0x7fffffff) return undefined;
  // `{X,0}` and `{X,-0}` are holes that pad nothing (Serilog 4).
  return value === 0 ? 0 : value;
}

/** The property token for the hole `raw` (braces included), or undefined when the hole is malformed. */
function propertyToken(raw: string): PropertyToken | undefined {
  const content = raw.slice(1, -1);
  if (content.length === 0) return undefined;
  const formatAt = content.indexOf(':');
  const alignAt = content.indexOf(',');
  let head = content;
  let format: string | undefined;
  let alignmentText: string | undefined;
  // The split follows Serilog's TrySplitTagContent: the first ':' starts the format (which may
  // contain ',' and ':'), a ',' before it starts the alignment.
  if (formatAt !== -1 && (alignAt === -1 || alignAt > formatAt)) {
    head = content.slice(0, formatAt);
    format = content.slice(formatAt + 1);
  } else if (alignAt !== -1) {
    head = content.slice(0, alignAt);
    if (formatAt === -1) {
      alignmentText = content.slice(alignAt + 1);
    } else {
      alignmentText = content.slice(alignAt + 1, formatAt);
      format = content.slice(formatAt + 1);
    }
    if (alignmentText.length === 0) return undefined;
  }
  if (format !== undefined && format.length === 0) format = undefined;

  let capturing: Capturing = 'default';
  const first = head.charCodeAt(0);
  if (first === AT) capturing = 'structure';
  else if (first === DOLLAR) capturing = 'stringify';
  const name = capturing === 'default' ? head : head.slice(1);
  if (!isPropertyName(name)) return undefined;

  let alignment: number | undefined;
  if (alignmentText !== undefined) {
    alignment = parseAlignment(alignmentText);
    if (alignment === undefined) return undefined;
  }

  let position: number | undefined;
  if (/^[0-9]+$/.test(name)) {
    const index = Number(name);
    // Serilog reads the index with int.TryParse: past int32 the hole is named.
    if (index < 2 ** 31) position = index;
  }
  // Every key always present, in one order: one hidden class for all property tokens.
  return Object.freeze({ kind: 'property', name, raw, capturing, format, alignment, position });
}

/**
 * Parses a message template (messagetemplates.org syntax) into text and property tokens.
 *
 * Holes: `{Name}`, `{@Name}` (structure), `{$Name}` (stringify), `{Name:format}` (the format is
 * any characters but `}`: `{Amount:$0.00}`, `{T:hh:mm}`), `{Name,-10}` / `{Name,10:000}`
 * (alignment; `{Name,0}` pads nothing), positional `{0}`; `{{` and `}}` are literal braces. Names
 * follow Serilog: digits only (positional), or a letter (any script) or `_` followed by letters,
 * digits and `_`, with `.` between such parts (`{http.method}`). A malformed hole is kept as text
 * and never throws. Unlike Serilog, a `{` before a hole's format ends it (`{A{B}` is the text
 * `{A` then the hole `{B}`). Parsing is linear in the text's length; it is not cached (see
 * `parseTemplateCached`). The template and its tokens are frozen.
 *
 * @example parseTemplate('User {@User} took {Ms,6:0.0} ms').tokens.length // 5
 */
export function parseTemplate(text: string): MessageTemplate {
  const tokens: TemplateToken[] = [];
  const n = text.length;
  let pending = '';
  let runStart = 0;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === OPEN) {
      if (text.charCodeAt(i + 1) === OPEN) {
        pending += text.slice(runStart, i + 1);
        i += 2;
        runStart = i;
        continue;
      }
      pending += text.slice(runStart, i);
      const stop = scanHole(text, i);
      if (stop < n && text.charCodeAt(stop) === CLOSE) {
        const raw = text.slice(i, stop + 1);
        const token = propertyToken(raw);
        if (token !== undefined) {
          if (pending.length > 0) tokens.push(Object.freeze({ kind: 'text', text: pending }));
          pending = '';
          tokens.push(token);
        } else {
          pending += raw;
        }
        i = stop + 1;
      } else {
        pending += text.slice(i, stop);
        i = stop;
      }
      runStart = i;
      continue;
    }
    if (c === CLOSE && text.charCodeAt(i + 1) === CLOSE) {
      pending += text.slice(runStart, i + 1);
      i += 2;
      runStart = i;
      continue;
    }
    i++;
  }
  pending += text.slice(runStart);
  if (pending.length > 0) tokens.push(Object.freeze({ kind: 'text', text: pending }));
  return Object.freeze({ text, tokens: Object.freeze(tokens) });
}
