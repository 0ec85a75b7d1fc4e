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

/**
 * Where a stack frame names a script URL: after `(` (Chromium's `at f (url:1:2)`), `@` (Firefox's
 * and Safari's `f@url:1:2`) or `at ` (Chromium's unnamed frame), its scheme and the first character
 * of its host. A `file:///` path has no host and is left alone.
 */
const STACK_URL_START = /(\(|@|^\s*at )[a-z][\w+.-]*:\/\/[^/\s]/gi;

/**
 * From the character after a URL's `?`, `#` or `@`: the rest of the URL, to the frame's
 * `:line:column` (a `)` in a query value included) or to a space (the URL of an eval's caller,
 * `url line 2 > eval:1:3` in Firefox).
 */
const STACK_URL_REST = /\S*?(?=:\d+:\d+(?:\)|$)|\s|$)/y;

/**
 * A frame line with each script URL that has a query, a fragment or an `@` (a user name and
 * password, which redactQuery hides; an `@` in a path it leaves) redacted. Linear in the line: a
 * URL without any is not read to its end again for each `(` or `@` after its start (a crafted line
 * of many `(https://x` would otherwise cost its length squared), since the next `?`, `#`, `@` or
 * space found from one start is the one every later start of the same word reaches first.
 */
function redactFrameLine(line: string): string {
  let out = '';
  let copied = 0;
  // The first `?`, `#`, `@` or space at or after the last URL's start (the line's length when none).
  let stop = -1;
  STACK_URL_START.lastIndex = 0;
  for (let start = STACK_URL_START.exec(line); start !== null; start = STACK_URL_START.exec(line)) {
    const from = start.index + start[0].length;
    if (stop < from) {
      STACK_URL_STOP.lastIndex = from;
      stop = STACK_URL_STOP.exec(line)?.index ?? line.length;
    }
    if (stop === line.length || /\s/.test(line.charAt(stop))) continue;
    STACK_URL_REST.lastIndex = stop + 1;
    STACK_URL_REST.exec(line);
    const end = STACK_URL_REST.lastIndex;
    const urlStart = start.index + start[1].length;
    out += line.slice(copied, urlStart) + redactQuery(line.slice(urlStart, end));
    copied = end;
    STACK_URL_START.lastIndex = end;
  }
  return copied === 0 ? line : out + line.slice(copied);
}

/** A `?`, `#` or `@` (after which a URL is redacted) or a space (which ends it). */
const STACK_URL_STOP = /[\s?#@]/g;

/** A frame line of V8's stacks, which start with the error's message (Firefox's and Safari's are frames only). */
const V8_FRAME = /^\s+at /;

/**
 * A stack with the query values of the script URLs its frames name redacted as {@link redactQuery}
 * redacts them (`at f (https://host/a.js?token=***:1:2)`, `f@https://host/a.js?token=***:1:2`).
 * The message V8 puts first is left as it is, as the event's message is: only its frame lines are
 * read, so a long message costs no search.
 */
export function redactStackUrls(stack: string): string {
  const lines = stack.split('\n');
  const v8 = lines.some((line) => V8_FRAME.test(line));
  return lines.map((line) => (v8 && !V8_FRAME.test(line) ? line : redactFrameLine(line))).join('\n');
}
