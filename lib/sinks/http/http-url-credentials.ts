import { ConfigurationError } from '../../core/errors/configuration-error';

/** `scheme://` (or a protocol-relative `//`) and the user information before `@` (up to the last `@` before the path). */
const USERINFO = /^((?:[a-z][a-z\d+.-]*:)?\/\/)([^/?#]+)@/i;

/**
 * `url` without its `user:password@`, which fetch refuses ("Request cannot be constructed from a
 * URL that includes credentials"), and those credentials as an `Authorization` header, `Basic` and
 * the base64 of `user:password` in UTF-8, percent escapes decoded (no password is an empty one), as
 * Go's http.Client (Promtail, Alloy) sends them; undefined when the URL has none.
 *
 * @throws ConfigurationError naming `where`, never the credentials, when a percent escape is not UTF-8.
 * @example urlCredentials('https://ann:pw@logs.example/ingest', 'HttpSink.url') // ['https://logs.example/ingest', { Authorization: 'Basic YW5uOnB3' }]
 */
export function urlCredentials(url: string, where: string): [url: string, header: { Authorization: string } | undefined] {
  const userinfo = USERINFO.exec(url)?.[2];
  if (userinfo === undefined) return [url, undefined];
  try {
    const credentials = decodeURIComponent(userinfo.includes(':') ? userinfo : `${userinfo}:`);
    return [
      url.replace(USERINFO, '$1'),
      { Authorization: `Basic ${btoa(String.fromCharCode(...new TextEncoder().encode(credentials)))}` },
    ];
  } catch {
    throw new ConfigurationError(`${where}: its user or password is not percent-encoded UTF-8`);
  }
}
