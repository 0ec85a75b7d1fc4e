import { basicToken, urlUserinfo } from './url-userinfo';

/** What replaces a secret in diagnostics. */
const REDACTED = '***';

/**
 * A URL fit for diagnostics: the user name and password (`user:password@`) and every query
 * value (`?token=…`) replaced by `***`, names kept. Relative or unparsable URLs are redacted the
 * same way by pattern; one with credentials is written as the URL parser reads it (see
 * `redactCredentials`). Never throws.
 *
 * @example redactUrl('https://ann:pw@logs.example/ingest?token=abc&clef') // 'https://***@logs.example/ingest?token=***&clef'
 */
export function redactUrl(url: string): string {
  return redactCredentials(url).replace(QUERY_VALUES, `$1${REDACTED}`);
}

/**
 * A URL with its user name and password replaced by `***`, found as fetch's URL parser finds them
 * (see `urlUserinfo`): `https://ann:pw@host/`, `//ann:pw@host/`, `https:ann:pw@host/`,
 * `https:\\ann:pw@host/` and a leading space all become `https://***@host/` (or `//***@host/`).
 */
export function redactCredentials(url: string): string {
  const parts = urlUserinfo(url);
  return parts === undefined ? url : `${parts[0]}${REDACTED}@${parts[2]}`;
}

/**
 * Each query parameter's `?name=` or `&name=`, and its value. A name never runs over a `?`: a scan
 * from each `?` to the end (a URL of many `?` and no `=`) would be quadratic; `?a?b=c` is matched
 * from the second `?`, with the same value.
 */
const QUERY_VALUES = /([?&][^=&#?]*=)([^&#]*)/g;

/**
 * The secrets `redactUrl` hides, as they may appear in another message (raw and percent-decoded,
 * and the user and password as basic auth's base64), longest first.
 */
export function urlSecrets(url: string): string[] {
  const secrets = new Set<string>();
  const add = (value: string): void => {
    if (value.length < 3) return;
    secrets.add(value);
    try {
      secrets.add(decodeURIComponent(value));
    } catch {
      // Not percent-encoded text: the raw form is enough.
    }
  };
  const userinfo = urlUserinfo(url)?.[1];
  if (userinfo !== undefined) {
    add(userinfo);
    const colon = userinfo.indexOf(':');
    if (colon !== -1) add(userinfo.slice(colon + 1));
    try {
      // As the `Authorization: Basic` header carries them, which an error answer may echo.
      add(basicToken(userinfo));
    } catch {
      // Not percent-encoded UTF-8: the sink refuses such a URL.
    }
  }
  for (const match of url.matchAll(QUERY_VALUES)) add(match[2]);
  return [...secrets].sort((a, b) => b.length - a.length);
}

/** `text` with the URL and each of its secrets replaced by their redacted forms. Never throws. */
export function redactUrlSecrets(text: string, url: string, secrets: readonly string[] = urlSecrets(url)): string {
  let out = text.split(url).join(redactUrl(url));
  for (const secret of secrets) out = out.split(secret).join(REDACTED);
  return out;
}
