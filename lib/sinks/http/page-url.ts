/** The page's URL in a browser (`location.href`), which relative URLs resolve against; undefined elsewhere. */
export function pageHref(): string | undefined {
  const href = (globalThis as { location?: { href?: unknown } }).location?.href;
  return typeof href === 'string' ? href : undefined;
}

/** Whether `text` is a URL here: an absolute one, or in a browser one relative to the page. */
export function isUrlHere(text: string): boolean {
  try {
    new URL(text, pageHref());
    return true;
  } catch {
    return false;
  }
}
