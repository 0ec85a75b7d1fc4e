import { isObject } from '../core/is-object';
import { cutText } from '../core/truncated-text';
import type { MessageTemplate, PropertyToken, TemplateToken } from '../core/message-template';
import { isDate } from './capture';
import { formatDate } from './format-date';
import { formatNumber } from './format-number';
import { writeJson } from './safe-json';

/** Widest alignment honoured, in characters: a wider one is clamped so a typo cannot allocate gigabytes. */
const MAX_ALIGNMENT = 10_000;

/**
 * Longest message rendered, in UTF-16 code units: 2^28, half V8's longest string (2^29 - 24, where
 * `+=` throws RangeError), so a formatter can still quote it. A short template can render past it
 * (each of many holes naming one large property, or padding to 9999): rendering stops there and
 * the message ends with {@link RENDER_CUT_MARKER}.
 */
export const MAX_RENDERED_LENGTH = 2 ** 28;
/** What ends a message cut at {@link MAX_RENDERED_LENGTH}. */
export const RENDER_CUT_MARKER = '…[truncated]';

/**
 * A rendering cut: `out`, then the first `room` code units of `piece` (one fewer rather than half
 * a surrogate pair), then {@link RENDER_CUT_MARKER}.
 */
export function cutRendering(out: string, piece: string, room: number): string {
  return `${out}${cutText(piece, room)}${RENDER_CUT_MARKER}`;
}

/**
 * Pads `text` with spaces to the width of `alignment`: positive pads on the left (right-aligns),
 * negative pads on the right; text already as wide is left as it is (never cut). Widths are
 * clamped to 10 000.
 */
export function alignText(text: string, alignment: number | undefined): string {
  if (alignment === undefined) return text;
  const width = Math.min(Math.abs(alignment), MAX_ALIGNMENT);
  if (text.length >= width) return text;
  return alignment > 0 ? text.padStart(width) : text.padEnd(width);
}

/**
 * A structure's JSON as it renders: JSON that is a string (a URL, a boxed String, an object whose
 * `toJSON` returns a string, the marker of a value whose read threw) is that string, bare, as a
 * string property renders. CLEF writes such a value as a string, and the line read back renders it
 * bare: quoting it here made `@m` disagree with its own line.
 */
function renderedJson(json: string): string {
  if (json.charCodeAt(0) !== 0x22) return json;
  try {
    return JSON.parse(json) as string;
  } catch {
    // Not one JSON string after all (writeJson writes none such today): as written, never a throw.
    return json;
  }
}

/**
 * Renders one property value as text: strings bare (Serilog's `:l`), numbers with their format
 * (see `formatNumber`), Dates with their format (see `formatDate`; ISO 8601 UTC without one),
 * bigint as its digits or with its format as .NET formats a BigInteger (see `formatNumber`), booleans as `true`/`false`, null as `null`, undefined as
 * `undefined`, and structures as compact JSON (see `writeJson`), but one whose JSON is a string (a
 * URL, an object whose `toJSON` returns a string) as that string, bare. Never throws.
 *
 * @example renderValue(3.14159, '0.00') // '3.14'
 */
export function renderValue(value: unknown, format?: string): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
      return format === undefined ? String(value) : formatNumber(value, format);
    case 'bigint':
      return format === undefined ? String(value) : formatNumber(value, format);
    case 'function':
      return '[Function]';
    case 'object':
      try {
        if (isDate(value)) return formatDate(value, format);
      } catch {
        // A hostile object (e.g. a Proxy of a Date); writeJson renders what it can.
      }
      // null too: writeJson writes `null`.
      return renderedJson(writeJson(value));
    default:
      // boolean, undefined and symbol: `true`, `false`, `undefined`, `Symbol(description)`.
      return String(value);
  }
}

/** The structures one render wrote, and their JSON: see {@link renderPropertyToken}. */
export interface RenderMemo {
  written?: Map<object, string>;
}

/**
 * Renders one hole with an event's properties: its property rendered with {@link renderValue} and
 * aligned, or the hole as written when the property is missing. Never throws.
 *
 * @param memo One per render: each structure (not a Date) that the holes name, again and again
 *   and in any format, is written once. A hostile template of many holes naming one large structure
 *   otherwise wrote it once per hole: a line of 1.2 MB took a minute.
 */
export function renderPropertyToken(
  token: PropertyToken,
  properties: Readonly<Record<string, unknown>>,
  memo?: RenderMemo,
): string {
  let value: unknown;
  try {
    if (!Object.hasOwn(properties, token.name)) return token.raw;
    value = properties[token.name];
  } catch {
    // A hostile properties object (a Proxy whose traps throw): the hole stays as written.
    return token.raw;
  }
  if (memo !== undefined && isObject(value)) {
    const known = memo.written?.get(value);
    if (known !== undefined) return alignText(known, token.alignment);
    let date = false;
    try {
      date = isDate(value);
    } catch {
      // A Proxy whose prototype trap throws: renderValue writes it as JSON, as below.
    }
    if (!date) {
      // A structure renders as its JSON, whatever the format (see renderValue).
      const json = renderedJson(writeJson(value));
      (memo.written ??= new Map()).set(value, json);
      return alignText(json, token.alignment);
    }
  }
  return alignText(renderValue(value, token.format), token.alignment);
}

/**
 * Renders a parsed template (see `parseTemplate`) with an event's properties: each hole is
 * replaced by its property rendered with {@link renderValue} and aligned; a hole whose property
 * is missing renders as written (`{Name}`); past 2^28 code units (`MAX_RENDERED_LENGTH`)
 * rendering stops, and the message ends with `…[truncated]`. Never throws for a parsed template,
 * whatever the properties. It takes no text (so a bundle that only formats events does not carry the parser):
 * a string or anything else is a TypeError saying so.
 *
 * @example renderTemplate(parseTemplate('Hi {Name,-5}!'), { Name: 'Al' }) // 'Hi Al   !'
 */
export function renderTemplate(template: MessageTemplate, properties: Readonly<Record<string, unknown>>): string {
  // Untyped callers may pass anything: only an object with tokens renders.
  const tokens = (template as MessageTemplate | null | undefined)?.tokens;
  if (!Array.isArray(tokens)) throw new TypeError('renderTemplate: expected a template parsed by parseTemplate(text)');
  let out = '';
  const memo: RenderMemo = {};
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as TemplateToken;
    const piece = token.kind === 'text' ? token.text : renderPropertyToken(token, properties, memo);
    if (piece.length > MAX_RENDERED_LENGTH - out.length) return cutRendering(out, piece, MAX_RENDERED_LENGTH - out.length);
    out += piece;
  }
  return out;
}
