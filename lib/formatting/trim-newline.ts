/**
 * `text` without its one trailing newline, if it has one: a formatter's event text as one line
 * of a batch body or one console call, where the line break is the receiver's.
 *
 * @example trimNewline('{"@t":"…"}\n') // '{"@t":"…"}'
 */
export function trimNewline(text: string): string {
  return text.endsWith('\n') ? text.slice(0, -1) : text;
}
