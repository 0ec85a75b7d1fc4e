/** Header values as Node gives them. */
export type HeaderValues = Readonly<Record<string, string | number | readonly string[] | undefined>>;

/** The headers that are always redacted, whatever the options say. */
export const ALWAYS_REDACTED_HEADERS: readonly string[] = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie'];

/**
 * Names that look like a credential's, whose values `'*'` redacts: a name containing `auth`,
 * `token`, `secret`, `password`, `passwd`, `credential`, `signature`, `session`, `csrf`, `xsrf`,
 * `cookie`, `jwt` or `apikey`, or with `key` as a word of its own (`x-api-key`, `api_key`,
 * `ocp-apim-subscription-key`). Tested on lower-case names.
 */
const CREDENTIAL_NAME =
  /auth|token|secret|passw(?:or)?d|credential|signature|session|csrf|xsrf|cookie|jwt|apikey|(?:^|[-_.])key(?:$|[-_.])/;

/**
 * Names the rule matches whose values are never credentials: HTTP/2's host, the challenges of a
 * 401 or a 407, and CORS's `true`.
 */
const NOT_CREDENTIALS = new Set([':authority', 'www-authenticate', 'proxy-authenticate', 'access-control-allow-credentials']);

/** Whether `'*'` redacts the header `name` (lower case): its name looks like a credential's. */
function looksLikeCredential(name: string): boolean {
  return CREDENTIAL_NAME.test(name) && !NOT_CREDENTIALS.has(name);
}

/** What a redacted header's value is replaced with. */
export const REDACTED = '[Redacted]';

/**
 * Headers whose values are URLs: logged as `RequestPath` is, without the query string, the
 * fragment or a `user:password@`, which often hold tokens (a password-reset link in `Referer`, a
 * signed download link in `Location`). The request target is one too: HTTP/2's `:path`, and the
 * original URL a reverse proxy passes on (`X-Original-URL` from IIS, `X-Rewrite-URL`,
 * `X-Original-URI` from ingress-nginx, `X-Forwarded-Uri` from Traefik).
 */
const URL_HEADERS = new Set([
  'referer',
  'location',
  'content-location',
  ':path',
  'x-original-url',
  'x-rewrite-url',
  'x-original-uri',
  'x-forwarded-uri',
]);

/**
 * The scheme and slashes that open an authority, then its user information: up to the last `@`
 * before the path, where the WHATWG URL parser ends it (`https://ann@example.com:pw@host/` has the
 * password `pw`). An http(s) URL reads a backslash as a slash and takes any number of them, none
 * included (`https:ann:pw@host`, `https:///ann:pw@host`); without a scheme, two or more open an
 * authority, and `/@ann/posts` stays a path.
 */
const USER_INFORMATION = /^([a-z][\w+.-]*:[\\/]*|[\\/]{2,})[^\\/]*@/i;

/** Tabs and line breaks, which the WHATWG URL parser removes wherever they are (`ht\ttps://…`). */
const REMOVED_BY_URL_PARSER = /[\t\n\r]/g;

/** The leading spaces and C0 controls the WHATWG URL parser trims. */
// eslint-disable-next-line no-control-regex
const LEADING_SPACE = /^[\x00-\x20]+/;

function withoutUrlSecrets(url: string): string {
  return url
    .replace(REMOVED_BY_URL_PARSER, '')
    .replace(LEADING_SPACE, '')
    .replace(/[?#][\s\S]*$/, '')
    .replace(USER_INFORMATION, '$1');
}

/**
 * The named headers that are present, with lower-case names and redacted values replaced by
 * `'[Redacted]'`; `'*'` selects every header, and redacts those whose names look like a
 * credential's (`x-api-key`, `x-auth-token`, `x-session-id`…) unless `names` names them too. URL
 * headers (`referer`, `location`, `content-location`, `:path` and the proxies' original-URL
 * headers) lose their query string, fragment and credentials. Values are strings (several values
 * joined with `', '`).
 *
 * @param names Lower-case header names to keep, with `'*'` for all the others.
 * @param redacted Lower-case names whose values are replaced, named or not.
 */
export function selectHeaders(
  headers: HeaderValues,
  names: readonly string[],
  redacted: ReadonlySet<string>,
): Record<string, string> | undefined {
  if (names.length === 0) return undefined;
  const all = names.includes('*');
  const selected: Record<string, string> = {};
  let any = false;
  for (const name of all ? Object.keys(headers) : names) {
    const value = headers[name.toLowerCase()];
    if (value === undefined) continue;
    any = true;
    const key = name.toLowerCase();
    const hidden = redacted.has(key) || (all && looksLikeCredential(key) && !names.includes(key));
    const text = Array.isArray(value) ? value.join(', ') : String(value);
    Object.defineProperty(selected, key, {
      value: hidden ? REDACTED : URL_HEADERS.has(key) ? withoutUrlSecrets(text) : text,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return any ? selected : undefined;
}
