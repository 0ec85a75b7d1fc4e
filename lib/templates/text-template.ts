/**
 * `text` as a message template with no holes: every brace doubled, so a message from another
 * logger's API (Nest's, pino's through Fastify) renders as it was written.
 */
export function textTemplate(text: string): string {
  // Most messages hold no brace: given back as they are, without a replace's scan and new string.
  return text.indexOf('{') < 0 && text.indexOf('}') < 0 ? text : text.replace(/[{}]/g, (brace) => brace + brace);
}
