import type { LogEvent } from '../core/log-event';
import { alignText, cutRendering, MAX_RENDERED_LENGTH, type RenderMemo, renderPropertyToken } from '../templates/render-template';
import { LINE_RENDERINGS, type MaybeRenderedEvent } from './line-renderings';
import { eventMessage } from '../templates/log-event-record';

// C0 controls, DEL, C1 controls (0x9b is a one-byte CSI) and the Unicode line and paragraph separators.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const CONTROL_ALL = new RegExp(CONTROL.source, 'g');
// A CRLF first: it is a line break (a .NET exception from Windows), a lone CR is not.
// eslint-disable-next-line no-control-regex
const CONTROL_BUT_LINES = /\r\n|[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g;

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
 * C0 controls, DEL, C1 controls and U+2028 / U+2029. Text output applies it to values that come
 * from data, so a value cannot move the terminal's cursor, change its title or forge a log line.
 * With `keepLineBreaks`, `\n` and `\t` stay as they are and `\r\n` becomes `\n` (for stack traces).
 *
 * @example escapeControlCharacters('a\u001b[2Jb\nc') // 'a\\u001b[2Jb\\nc'
 */
export function escapeControlCharacters(text: string, keepLineBreaks = false): string {
  if (!CONTROL.test(text)) return text;
  return text.replace(keepLineBreaks ? CONTROL_BUT_LINES : CONTROL_ALL, escapeOne);
}

/** Whether `properties` has its own `name`; false for a hostile object whose traps throw (its holes render as written). */
function hasOwnSafe(properties: object, name: string): boolean {
  try {
    return Object.hasOwn(properties, name);
  } catch {
    return false;
  }
}

/**
 * An event's message with control characters escaped in the property values only: the template
 * text the developer wrote is kept as is. Uses the cached `renderMessage()` when it holds no
 * control character at all; a formatted hole of an event read from a CLEF line keeps the line's
 * `@r` rendering, as `renderMessage()` does. Bounded as `renderMessage()` is: a structure the holes
 * name again and again is written once, and past 2^28 code units the message is cut and marked
 * `…[truncated]`. Never throws.
 */
export function renderMessageEscaped(event: LogEvent): string {
  const rendered = eventMessage(event);
  if (!CONTROL.test(rendered)) return rendered;
  // An event read from a CLEF line keeps the line's @r renderings of its formatted holes.
  const kept = (event as MaybeRenderedEvent)[LINE_RENDERINGS];
  const tokens = event.messageTemplate.tokens;
  const memo: RenderMemo = {};
  let formatted = 0;
  let out = '';
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    let piece: string;
    if (token.kind === 'text') piece = token.text;
    else {
      const rendering = token.format === undefined ? undefined : kept?.[formatted++];
      // Escaped before it is aligned, so an escaped value keeps its column; a missing property
      // renders as the hole was written, never padded.
      const alignment = token.alignment;
      if (rendering !== undefined) piece = alignText(escapeControlCharacters(rendering), alignment);
      else if (alignment === undefined || !hasOwnSafe(event.properties, token.name))
        piece = escapeControlCharacters(renderPropertyToken(token, event.properties, memo));
      else
        piece = alignText(
          escapeControlCharacters(renderPropertyToken({ ...token, alignment: undefined }, event.properties, memo)),
          alignment,
        );
    }
    if (piece.length > MAX_RENDERED_LENGTH - out.length) return cutRendering(out, piece, MAX_RENDERED_LENGTH - out.length);
    out += piece;
  }
  return out;
}
