import type { LogEvent } from '../core/log-event';
import { CONTROL, escapeControlCharacters } from '../core/escape-control-characters';
import { alignText, cutRendering, MAX_RENDERED_LENGTH, type RenderMemo, renderPropertyToken } from '../templates/render-template';
import { LINE_RENDERINGS, type MaybeRenderedEvent } from './line-renderings';
import { eventMessage } from '../templates/log-event-record';

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
