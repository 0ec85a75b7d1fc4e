import { ConfigurationError } from '../../core/errors/configuration-error';
import { basicToken, urlUserinfo } from './url-userinfo';

/**
 * `url` without its `user:password@`, which fetch refuses ("Request cannot be constructed from a
 * URL that includes credentials"), and those credentials as an `Authorization` header, `Basic` and
 * the base64 of `user:password` in UTF-8, percent escapes decoded (no password is an empty one), as
 * Go's http.Client (Promtail, Alloy) sends them; undefined when the URL has none. The credentials
 * are found as fetch's URL parser finds them (`https:ann:pw@host/` too, see `urlUserinfo`), and
 * the URL is then given as that parser reads it (`https://host/`).
 *
 * @throws ConfigurationError naming `where`, never the credentials, when a percent escape is not UTF-8.
 * @example urlCredentials('https://ann:pw@logs.example/ingest', 'HttpSink.url') // ['https://logs.example/ingest', { Authorization: 'Basic YW5uOnB3' }]
 */
export function urlCredentials(url: string, where: string): [url: string, header: { Authorization: string } | undefined] {
  const parts = urlUserinfo(url);
  if (parts === undefined) return [url, undefined];
  try {
    return [`${parts[0]}${parts[2]}`, { Authorization: `Basic ${basicToken(parts[1])}` }];
  } catch {
    throw new ConfigurationError(`${where}: its user or password is not percent-encoded UTF-8`);
  }
}
