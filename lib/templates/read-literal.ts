/**
 * The literal that starts at `start` in a custom date or number format: a `'…'` or `"…"` run (to
 * the end of the format when it is not closed), or a `\` and the one character after it. Returns
 * the literal's text and the index just past it.
 *
 * @example readLiteral("HH 'h' mm", 3) // ['h', 6]
 */
export function readLiteral(format: string, start: number): [text: string, next: number] {
  if (format[start] === '\\') return [format.slice(start + 1, start + 2), start + 2];
  const end = format.indexOf(format[start], start + 1);
  const stop = end === -1 ? format.length : end;
  return [format.slice(start + 1, stop), stop + 1];
}
