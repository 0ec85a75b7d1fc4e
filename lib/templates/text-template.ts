import { MAX_TEMPLATE_CHARS } from '../core/message-template';
import { truncatedText } from '../core/truncated-text';

/** Longest text kept: with its braces doubled and its marker, within the logger's MAX_TEMPLATE_CHARS. */
const MAX_TEXT_CHARS = MAX_TEMPLATE_CHARS / 2 - 32;

/**
 * `text` as a message template with no holes: every brace doubled, so a message from another
 * logger's API (Nest's, pino's through Fastify) renders as it was written. A text of more than
 * 64 Ki characters (less 32 for the marker) is first cut to that, with `…[truncated N chars]`, so
 * doubling the braces of a megabyte costs the caller nothing more than doubling those it keeps.
 */
export function textTemplate(text: string): string {
  if (text.length > MAX_TEXT_CHARS) text = truncatedText(text, MAX_TEXT_CHARS);
  // Most messages hold no brace: given back as they are, without a replace's scan and new string.
  return text.indexOf('{') < 0 && text.indexOf('}') < 0 ? text : text.replace(/[{}]/g, (brace) => brace + brace);
}
