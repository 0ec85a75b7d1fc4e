/**
 * `text` as a message template with no holes: every brace doubled, so a message from another
 * logger's API (Nest's, pino's through Fastify) renders as it was written.
 */
export function textTemplate(text: string): string {
  return text.replace(/[{}]/g, (brace) => brace + brace);
}
