/**
 * The literal that starts at `start` in a custom date or number format: a `'…'` or `"…"` run (to
 * the end of the format when it is not closed), or a `\` and the one character after it. Returns
 * the literal's text and the index just past it. With `escapes` (date formats, as .NET's
 * `ParseQuoteString` reads them), a `\` inside quotes takes the next character as it is, so
 * `'it\'s'` is `it's`; number formats copy a quoted run as it is.
 *
 * @example readLiteral("HH 'h' mm", 3) // ['h', 6]
 */
export function readLiteral(format: string, start: number, escapes = false): [text: string, next: number] {
  const quote = format[start];
  let i = start + 1;
  if (quote === '\\') return [format.charAt(i), i + 1];
  let text = '';
  for (; i < format.length && format[i] !== quote; i++) text += format.charAt(escapes && format[i] === '\\' ? ++i : i);
  return [text, i + 1];
}
