/**
 * Shortest string V8 may make a view into the string it was cut from (its `SlicedString::kMinLength`):
 * a shorter `slice` is a copy of its own.
 */
const MIN_VIEW_LENGTH = 13;

/**
 * `text` as a string of its own, sharing no memory with a longer string. V8 makes a slice of 13
 * code units or more (`body.slice(0, 100)`, a line of `chunk.split('\n')`, a `readline` line) a
 * view that keeps the whole string it was cut from alive: an event holding a 100-character slice of
 * a 1 MiB body held the megabyte while a queue counted it at 100 bytes. A shorter text is given
 * back as it is (nothing allocated); a longer one costs one copy of its characters.
 *
 * @example ownText(body.slice(0, 100)) // the same 100 characters, without `body` behind them
 */
export function ownText(text: string): string {
  // A concatenation is flattened into a new string when sliced, so this keeps its own characters and one space.
  return text.length < MIN_VIEW_LENGTH ? text : (' ' + text).slice(1);
}
