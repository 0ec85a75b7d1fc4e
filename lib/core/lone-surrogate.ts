/**
 * Whether `text` holds a lone UTF-16 surrogate (half of a pair without the other half), which has
 * no UTF-8 form: an exporter would write U+FFFD instead, so two names could meet. With the `u`
 * flag, a whole pair is one code point, not a surrogate.
 */
export function hasLoneSurrogate(text: string): boolean {
  return /\p{Cs}/u.test(text);
}

/**
 * `text` with U+FFFD in place of each lone surrogate: what a UTF-8 encoder (an OTLP exporter, an
 * HTTP answer) turns it into, so names that meet once encoded can be told, or added up, first.
 */
export function wellFormed(text: string): string {
  return text.replace(/\p{Cs}/gu, '\uFFFD');
}
