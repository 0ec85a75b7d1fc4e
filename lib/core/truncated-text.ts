/**
 * The first `end` UTF-16 code units of `text` (one fewer when the cut would split a surrogate
 * pair: a lone surrogate is not valid UTF-8, and strict JSON readers reject its escape), followed
 * by `…[truncated N chars]`, N counting the characters cut and `more` left out before (by a
 * join that cut its items with no marker of their own).
 *
 * The result shares no memory with `text`. V8 represents `slice`/`substring` results (and strings
 * built from them) as views that keep the whole original alive, so a 64 KiB cut of a 100 MiB
 * string would retain 100 MiB in every queue holding the event; this copy lets the original be
 * collected. Costs one pass over the kept text: for cut strings only, never the hot path.
 *
 * @example truncatedText('abcdef', 2) // 'ab…[truncated 4 chars]'
 */
export function truncatedText(text: string, end: number, more = 0): string {
  const kept = cutText(text, end);
  // JSON.parse builds a fresh sequential string from its input; the round trip is exact for any string.
  return JSON.parse(JSON.stringify(`${kept}…[truncated ${text.length - kept.length + more} chars]`)) as string;
}

/**
 * The first `end` UTF-16 code units of `text`, one fewer when the cut would split a surrogate pair
 * (a lone surrogate is not valid UTF-8, and strict JSON readers reject its escape).
 *
 * @example cutText('a😀', 2) // 'a'
 */
export function cutText(text: string, end: number): string {
  // charCodeAt(-1) is NaN: a cut at 0 keeps nothing and splits nothing.
  const last = text.charCodeAt(end - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? end - 1 : end);
}

/** `text`, or its first `max` UTF-16 code units (see `cutText`) and `…` when it is longer. */
export function cutWithEllipsis(text: string, max: number): string {
  return text.length > max ? `${cutText(text, max)}…` : text;
}
