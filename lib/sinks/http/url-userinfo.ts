/**
 * A URL's user information (`user:password`, before the `@`) as the WHATWG URL parser reads it,
 * which fetch, XMLHttpRequest and `new URL` use: with `url` split into the text before it, written
 * `scheme://` or `//`, and the text after its `@`; undefined when the URL has none. Besides
 * `scheme://ann:pw@host/`, the parser reads `https:ann:pw@host/` (a special scheme without its
 * slashes, or with any number of `/` and `\`), `\\ann:pw@host/`, leading and trailing spaces and
 * control characters, and a tab or newline anywhere (removed first). The URL is read as `new URL`
 * reads it without a base: `https:ann:pw@host/` is host `host`, though a page of scheme https
 * would resolve it as a path.
 *
 * @example urlUserinfo('https:ann:pw@host/a') // ['https://', 'ann:pw', 'host/a']
 */
export function urlUserinfo(url: string): [before: string, userinfo: string, after: string] | undefined {
  // Without an '@' there is no user: the usual URL costs no scan.
  if (!url.includes('@')) return undefined;
  const text = url.replace(IGNORED, '');
  const found: (string | undefined)[] | null = USERINFO.exec(text);
  if (found === null) return undefined;
  const [whole = '', special, specialUser, relativeUser, other, otherUser = ''] = found;
  return [`${special ?? other ?? ''}//`, specialUser ?? relativeUser ?? otherUser, text.slice(whole.length)];
}

/** What the parser strips from both ends (C0 controls, space) and removes anywhere (tab, newline). */
const IGNORED = /^[\0- ]+|[\0- ]+$|[\t\n\r]/g;
/**
 * The user information, up to the last `@` before the host ends: after a special scheme (which
 * takes `\` for `/`) and any slashes; after two or more slashes without a scheme (relative to an
 * http page); after another scheme (not `file:`, which has no user) and exactly `//`.
 */
const USERINFO =
  /^(?:((?:https?|wss?|ftp):)[/\\]*([^/\\?#]+)|[/\\]{2,}([^/\\?#]+)|((?!(?:https?|wss?|ftp|file):)[a-z][a-z\d+.-]*:)\/\/([^/?#]+))@/i;

/**
 * The base64 of `user:password` (no password is an empty one), percent escapes decoded, in UTF-8:
 * what `Authorization: Basic` carries.
 *
 * @throws URIError when a percent escape is not UTF-8.
 */
export function basicToken(userinfo: string): string {
  const credentials = decodeURIComponent(userinfo.includes(':') ? userinfo : `${userinfo}:`);
  return btoa(String.fromCharCode(...new TextEncoder().encode(credentials)));
}
