/** The media types the ingest endpoint reads, as lines of CLEF or NDJSON. */
const ACCEPTED_TYPES = new Set([
  'application/vnd.serilog.clef',
  'application/x-ndjson',
  'application/ndjson',
  'application/jsonl',
  'application/json',
  'text/plain',
]);

/** RFC 9110 §5.6.2's token (one or more tchar), sticky: matched where `lastIndex` points. */
const TOKEN = /[!#$%&'*+.^_`|~0-9A-Za-z-]+/y;
/** RFC 9110 §5.6.4's quoted-string: qdtext (HTAB, SP, visible but `"` and `\`, obs-text) or a quoted-pair. */
const QUOTED_STRING = /"((?:[\t \x21\x23-\x5b\x5d-\x7e\x80-\xff]|\\[\t \x21-\x7e\x80-\xff])*)"/y;

/**
 * What the ingest endpoint makes of a request's `Content-Type`: `'accepted'`, `'unsupported'` (no
 * header, another type, a charset other than UTF-8: given twice, both must say UTF-8) or
 * `'malformed'` (parameters that do not follow RFC 9110 §8.3.1 and §5.6.6, so which charset the
 * client meant is unknown). Parameters are read by that grammar: a quoted value may hold `;`, `=`
 * and `\"` (`x="a;charset=latin1"` sets no charset), a charset may be quoted with quoted-pairs
 * (`"utf\-8"`), names and the charset are read in any case. Spaces around `=`, which the grammar
 * leaves out, are let through as Express's `content-type` parser lets them through. Never throws;
 * one pass over the header.
 */
export function readMediaType(header: string | undefined): 'accepted' | 'unsupported' | 'malformed' {
  if (header === undefined) return 'unsupported';
  const space = (index: number): boolean => header[index] === ' ' || header[index] === '\t';
  // Trimmed by hand: a regex for trailing spaces backtracks quadratically on a header of them.
  let start = 0;
  let end = header.indexOf(';');
  if (end < 0) end = header.length;
  const semicolon = end;
  while (start < end && space(start)) start++;
  while (end > start && space(end - 1)) end--;
  if (!ACCEPTED_TYPES.has(header.slice(start, end).toLowerCase())) return 'unsupported';
  let utf8 = true;
  // The rest is *( OWS ";" OWS [ parameter ] ), read from `at` on.
  let at = semicolon;
  const skipSpace = (): void => {
    while (space(at)) at++;
  };
  const match = (pattern: RegExp): RegExpExecArray | null => {
    pattern.lastIndex = at;
    const found = pattern.exec(header);
    if (found !== null) at = pattern.lastIndex;
    return found;
  };
  for (skipSpace(); at < header.length; skipSpace()) {
    if (header[at++] !== ';') return 'malformed';
    skipSpace();
    if (at === header.length || header[at] === ';') continue;
    const name = match(TOKEN);
    if (name === null) return 'malformed';
    skipSpace();
    if (header[at++] !== '=') return 'malformed';
    skipSpace();
    const quoted = match(QUOTED_STRING);
    const value = quoted ?? match(TOKEN);
    if (value === null) return 'malformed';
    if (name[0].toLowerCase() === 'charset') {
      const charset = quoted !== null ? quoted[1].replace(/\\(.)/g, '$1') : value[0];
      if (!/^utf-?8$/i.test(charset)) utf8 = false;
    }
  }
  return utf8 ? 'accepted' : 'unsupported';
}
