import type { Capturing, MessageTemplate, PropertyToken, TemplateToken } from '../core/message-template';
import { withMemo } from './template-memo';

/**
 * What the parser stops at: `{{` and `}}` (literal braces), and a hole. A hole is `{`, its name and
 * alignment (any characters but braces), then from the first `:` the format (any characters but
 * `}`), then its `}`: as in Serilog 4, a malformed hole runs to its first `}`. Without that `}` (a
 * `{` before the format, or the end of the text) it is text. Its parts are split as Serilog's
 * TrySplitTagContent does: an optional `@` or `$`, the name, then the first `:` starts the format
 * (which may contain `,` and `:`) and a `,` before it starts the alignment.
 */
const TOKEN = /\{\{|\}\}|\{([@$]?)([^{}:,]*)(?:,([^{}:]*))?(?::([^}]*))?(\}?)/gu;
/** A TOKEN match of a hole: an alignment or format that is not there is undefined, a missing `}` empty. */
type HoleMatch = [
  raw: string,
  sigil: string,
  name: string,
  alignment: string | undefined,
  format: string | undefined,
  close: string,
];

// Serilog's property names: digits only (positional), or an identifier (a letter or `_`, then
// letters, digits and `_`), with `.` between identifiers.
const PROPERTY_NAME = /^(?:\p{Nd}+|[\p{L}_][\p{L}\p{Nd}_]*(?:\.[\p{L}_][\p{L}\p{Nd}_]*)*)$/u;

/** An alignment: an optional `-` and digits (leading zeros too, as int.TryParse reads them), within int32. */
function parseAlignment(text: string): number | undefined {
  if (!/^-?[0-9]+$/.test(text)) return undefined;
  const value = Number(text);
  if (Math.abs(value) > 0x7fffffff) return undefined;
  // `{X,0}` and `{X,-0}` are holes that pad nothing (Serilog 4).
  return value === 0 ? 0 : value;
}

/** The property token for a hole (its TOKEN match), or undefined when the hole is malformed. */
function propertyToken([raw, sigil, name, alignmentText, format]: HoleMatch): PropertyToken | undefined {
  if (!PROPERTY_NAME.test(name)) return undefined;
  let alignment: number | undefined;
  if (alignmentText !== undefined) {
    alignment = parseAlignment(alignmentText);
    if (alignment === undefined) return undefined;
  }
  const capturing: Capturing = sigil === '@' ? 'structure' : sigil === '$' ? 'stringify' : 'default';
  let position: number | undefined;
  if (/^[0-9]+$/.test(name)) {
    const index = Number(name);
    // Serilog reads the index with int.TryParse: past int32 the hole is named.
    if (index < 2 ** 31) position = index;
  }
  // Every key always present, in one order: one hidden class for all property tokens.
  return Object.freeze({ kind: 'property', name, raw, capturing, format: format || undefined, alignment, position });
}

/**
 * Parses a message template (messagetemplates.org syntax) into text and property tokens.
 *
 * Holes: `{Name}`, `{@Name}` (structure), `{$Name}` (stringify), `{Name:format}` (the format is
 * any characters but `}`: `{Amount:$0.00}`, `{T:hh:mm}`), `{Name,-10}` / `{Name,10:000}`
 * (alignment; `{Name,0}` pads nothing), positional `{0}`; `{{` and `}}` are literal braces. Names
 * follow Serilog: digits only (positional), or a letter (any script) or `_` followed by letters,
 * digits and `_`, with `.` between such parts (`{http.method}`). A malformed hole is kept as text,
 * up to its first `}` as in Serilog 4 (`{a<b}}` stays `{a<b}}`), and never throws. Unlike Serilog, a `{` before a hole's format ends it (`{A{B}` is the text
 * `{A` then the hole `{B}`). Parsing is linear in the text's length; it is not cached (see
 * `parseTemplateCached`). The template and its tokens are frozen.
 *
 * @example parseTemplate('User {@User} took {Ms,6:0.0} ms').tokens.length // 5
 */
export function parseTemplate(text: string): MessageTemplate {
  const tokens: TemplateToken[] = [];
  // Speed: a text with no `{` and no `}}` (a message built by interpolation) has nothing for TOKEN to find.
  if (text.indexOf('{') < 0 && text.indexOf('}}') < 0) {
    if (text.length > 0) tokens.push(Object.freeze({ kind: 'text', text }));
    return Object.freeze(withMemo({ text, tokens: Object.freeze(tokens) }));
  }
  let pending = '';
  let end = 0;
  // Speed: exec on the global TOKEN itself, not matchAll, which copies the RegExp and makes an
  // iterator per call. Nothing between two exec calls can parse another text and move lastIndex.
  TOKEN.lastIndex = 0;
  let match: RegExpExecArray | null;
  while ((match = TOKEN.exec(text)) !== null) {
    const raw = match[0];
    pending += text.slice(end, match.index);
    end = match.index + raw.length;
    if (raw === '{{' || raw === '}}') {
      pending += raw[0];
      continue;
    }
    const hole = match as unknown as HoleMatch;
    const token = hole[5] === '}' ? propertyToken(hole) : undefined;
    if (token === undefined) {
      pending += raw;
      continue;
    }
    if (pending.length > 0) tokens.push(Object.freeze({ kind: 'text', text: pending }));
    pending = '';
    tokens.push(token);
  }
  pending += text.slice(end);
  if (pending.length > 0) tokens.push(Object.freeze({ kind: 'text', text: pending }));
  return Object.freeze(withMemo({ text, tokens: Object.freeze(tokens) }));
}
