/**
 * What relative URLs resolve against here, as `fetch` and `sendBeacon` resolve them: the document's
 * base URL in a window (`document.baseURI`: in a `srcdoc` or `about:blank` frame the parent's, where
 * `location.href` is no base), `location.href` in a worker; undefined elsewhere.
 */
export function pageHref(): string | undefined {
  const page = globalThis as { location?: { href?: unknown }; document?: { baseURI?: unknown } };
  const href = page.document?.baseURI ?? page.location?.href;
  return typeof href === 'string' ? href : undefined;
}

/**
 * The scheme of `text` as a URL here (absolute, or in a browser relative to the page): `'https:'`,
 * or `'localhost:'` for `localhost:5341`, which parses as a URL of that scheme; undefined when it is
 * no URL here.
 */
export function urlSchemeHere(text: string): string | undefined {
  try {
    return new URL(text, pageHref()).protocol;
  } catch {
    return undefined;
  }
}

/**
 * Whether `text` as a URL here is an http or https one, the only schemes an HTTP sink can send to;
 * false for another scheme (`collector:4318`, a host:port, is a URL of scheme `collector:`, which
 * fetch cannot send to), undefined for no URL at all.
 */
export function isHttpUrlHere(text: string): boolean | undefined {
  const scheme = urlSchemeHere(text);
  return scheme === undefined ? undefined : scheme === 'http:' || scheme === 'https:';
}
