/**
 * Whether `text` holds a lone UTF-16 surrogate (half of a pair without the other half), which has
 * no UTF-8 form: an exporter would write U+FFFD instead, so two names could meet. With the `u`
 * flag, a whole pair is one code point, not a surrogate.
 */
export function hasLoneSurrogate(text: string): boolean {
  return /\p{Cs}/u.test(text);
}
