import { redactCredentials } from '../sinks/http/http-redact-url';

/** What a redacted query value becomes. */
export const REDACTED_QUERY_VALUE = '***';

/**
 * A URL with the value of every query parameter replaced by `***` (names are kept), the
 * fragment removed, and a user name and password hidden: `/search?q=secret&page=2#top` becomes
 * `/search?q=***&page=***`, `https://ann:pw@host/a` becomes `https://***@host/a`.
 */
export function redactQuery(url: string): string {
  const hash = url.indexOf('#');
  const withoutFragment = redactCredentials(hash === -1 ? url : url.slice(0, hash));
  const question = withoutFragment.indexOf('?');
  if (question === -1) return withoutFragment;
  const query = withoutFragment.slice(question + 1);
  if (query === '') return withoutFragment.slice(0, question);
  const redacted = query
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      const name = equals === -1 ? pair : pair.slice(0, equals);
      return `${name}=${REDACTED_QUERY_VALUE}`;
    })
    .join('&');
  return `${withoutFragment.slice(0, question)}?${redacted}`;
}

/** A URL without its query and fragment: `/orders/42?tab=x#top` becomes `/orders/42`. */
export function stripQuery(url: string): string {
  const end = url.search(/[?#]/);
  return end === -1 ? url : url.slice(0, end);
}
