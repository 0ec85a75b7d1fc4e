import { redactCredentials } from '../sinks/http/http-redact-url';

/** What a redacted query value becomes. */
export const REDACTED_QUERY_VALUE = '***';

/**
 * A URL with the value of every query parameter replaced by `***` (names are kept, repeated ones
 * each time), the fragment removed, and a user name and password hidden:
 * `/search?q=secret&page=2#top` becomes `/search?q=***&page=***`, `https://ann:pw@host/a` becomes
 * `https://***@host/a`. A URL that hides its credentials from the eye but not from the browser
 * (`https:ann:pw@host/a`, a leading space) is written as the browser reads it, `https://***@host/a`.
 * Never throws: a malformed URL is redacted by pattern.
 */
export function redactQuery(url: string): string {
  const hash = url.indexOf('#');
  const withoutFragment = hideCredentials(hash === -1 ? url : url.slice(0, hash));
  const question = withoutFragment.indexOf('?');
  if (question === -1) return withoutFragment;
  const query = withoutFragment.slice(question + 1);
  if (query === '') return withoutFragment.slice(0, question);
  const redacted = query
    .split('&')
    .map((pair) => {
      if (pair === '') return pair;
      const equals = pair.indexOf('=');
      const name = equals === -1 ? pair : pair.slice(0, equals);
      return `${name}=${REDACTED_QUERY_VALUE}`;
    })
    .join('&');
  return `${withoutFragment.slice(0, question)}?${redacted}`;
}

/**
 * The URL with its user name and password hidden. `scheme://user:pw@` by pattern; the other forms
 * a browser reads as credentials too (`https:user:pw@host`, backslashes, leading spaces, a tab
 * inside), as the browser's URL parser reads them, written out as it normalises the URL.
 */
export function hideCredentials(url: string): string {
  const hidden = redactCredentials(url);
  // Without an '@' there are no credentials: the usual URL costs no parse.
  if (hidden !== url || !url.includes('@')) return hidden;
  let parsed: URL;
  try {
    // The base only lets relative URLs parse; one without credentials is returned as it was.
    parsed = new URL(url, 'http://base.invalid/');
  } catch {
    return url;
  }
  if (parsed.username === '' && parsed.password === '') return url;
  parsed.username = REDACTED_QUERY_VALUE;
  parsed.password = '';
  return parsed.href;
}

/** A URL without its query and fragment: `/orders/42?tab=x#top` becomes `/orders/42`. */
export function stripQuery(url: string): string {
  const end = url.search(/[?#]/);
  return end === -1 ? url : url.slice(0, end);
}
