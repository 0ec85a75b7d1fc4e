import type { Capturing, TemplateToken } from '../../lib/core/message-template';

// A line-by-line port of Serilog 4's MessageTemplateParser (src/Serilog/Parsing/MessageTemplateParser.cs, serilog/serilog
// at 60935b4) and PropertyToken's position, a reference to test parseTemplate against. It reads UTF-16 units one at a
// time, as .NET's char does. Tokens are mapped to rxlog's shape: an alignment Left n is -n, Right n is n.

/** What Serilog's parser gives, and whether a `{` came before a hole's format (rxlog ends the hole there, deliberately). */
export interface SerilogParse {
  tokens: TemplateToken[];
  braceBeforeFormat: boolean;
}

const isLetter = (c: string): boolean => /^\p{L}$/u.test(c);
const isDigit = (c: string): boolean => /^\p{Nd}$/u.test(c);

/** int.TryParse(text, NumberStyles.AllowLeadingSign, InvariantCulture): an optional sign, ASCII digits, within int32. */
function tryParseInt(text: string, allowSign: boolean): number | undefined {
  if (!(allowSign ? /^[-+]?[0-9]+$/ : /^[0-9]+$/).test(text)) return undefined;
  const value = Number(text);
  return value >= -(2 ** 31) && value < 2 ** 31 ? value : undefined;
}

function trySplitTagContent(content: string): [name: string, format?: string, alignment?: string] | undefined {
  const formatDelim = content.indexOf(':');
  const alignmentDelim = content.indexOf(',');
  if (formatDelim === -1 && alignmentDelim === -1) return [content];
  if (alignmentDelim === -1 || (formatDelim !== -1 && alignmentDelim > formatDelim)) {
    return [content.slice(0, formatDelim), formatDelim === content.length - 1 ? undefined : content.slice(formatDelim + 1)];
  }
  const name = content.slice(0, alignmentDelim);
  if (formatDelim === -1) {
    if (alignmentDelim === content.length - 1) return undefined;
    return [name, undefined, content.slice(alignmentDelim + 1)];
  }
  if (alignmentDelim === formatDelim - 1) return undefined;
  const alignment = content.slice(alignmentDelim + 1, formatDelim);
  return [name, formatDelim === content.length - 1 ? undefined : content.slice(formatDelim + 1), alignment];
}

function propertyName(name: string): boolean {
  if (name.length === 0) return false;
  if (isDigit(name[0])) {
    for (let i = 0; i < name.length; i++) if (!isDigit(name[i])) return false;
    return true;
  }
  let beginIdent = true;
  for (let i = 0; i < name.length; i++) {
    const c = name[i];
    if (beginIdent) {
      if (!isLetter(c) && c !== '_') return false;
      beginIdent = false;
    } else if (c === '.') beginIdent = true;
    else if (!isLetter(c) && !isDigit(c) && c !== '_') return false;
  }
  return !beginIdent;
}

function parsePropertyToken(template: string, first: number, result: SerilogParse): [TemplateToken, number] {
  const close = template.indexOf('}', first + 1);
  const next = close === -1 ? template.length : close + 1;
  const raw = template.slice(first, next);
  // An unclosed hole too: Serilog keeps the rest of the text as written.
  if (raw.slice(1).split(':')[0].includes('{')) result.braceBeforeFormat = true;
  if (close === -1) return [{ kind: 'text', text: raw }, next];
  const text: TemplateToken = { kind: 'text', text: raw };
  const content = raw.slice(1, -1);
  if (content.length === 0) return [text, next];
  const split = trySplitTagContent(content);
  if (split === undefined) return [text, next];
  let [name] = split;
  const [, format, alignmentText] = split;
  let capturing: Capturing = 'default';
  if (name[0] === '@' || name[0] === '$') {
    capturing = name[0] === '@' ? 'structure' : 'stringify';
    name = name.slice(1);
  }
  if (!propertyName(name)) return [text, next];
  let alignment: number | undefined;
  if (alignmentText !== undefined) {
    if (alignmentText[0] === '+') return [text, next];
    const width = tryParseInt(alignmentText, true);
    if (width === undefined) return [text, next];
    if (width === -(2 ** 31)) throw new RangeError('Serilog: Math.Abs(int.MinValue) throws OverflowException');
    // Left n is -n, Right n is n; -0 is 0.
    alignment = width || 0;
  }
  const position = tryParseInt(name, false);
  return [{ kind: 'property', name, raw, capturing, format, alignment, position }, next];
}

function parseTextToken(template: string, start: number): [string, number] {
  let text = '';
  let i = start;
  while (i < template.length) {
    const c = template[i];
    if (c === '{') {
      if (template[i + 1] !== '{') break;
      i++;
    } else if (c === '}' && template[i + 1] === '}') i++;
    text += c;
    i++;
  }
  return [text, i];
}

/** Serilog 4's tokens for `template`, text tokens merged and the empty one left out (representation only). */
export function serilogParse(template: string): SerilogParse {
  const result: SerilogParse = { tokens: [], braceBeforeFormat: false };
  const push = (token: TemplateToken): void => {
    const last = result.tokens[result.tokens.length - 1];
    if (token.kind === 'text' && last?.kind === 'text')
      result.tokens[result.tokens.length - 1] = { kind: 'text', text: last.text + token.text };
    else if (token.kind === 'property' || token.text.length > 0) result.tokens.push(token);
  };
  let i = 0;
  while (i < template.length) {
    const [text, afterText] = parseTextToken(template, i);
    push({ kind: 'text', text });
    if (afterText === template.length) break;
    const [token, afterHole] = parsePropertyToken(template, afterText, result);
    push(token);
    i = afterHole;
  }
  return result;
}
