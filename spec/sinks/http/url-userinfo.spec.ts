import fc from 'fast-check';
import { basicToken, urlUserinfo } from '../../../lib/sinks/http/url-userinfo';

/** Pieces of URLs that the WHATWG parser treats specially around a user and password. */
const piece = fc.constantFrom(
  'https:',
  'http:',
  'HTTPS:',
  'wss:',
  'ftp:',
  'foo:',
  'file:',
  '',
  ' ',
  '\t',
  '\n',
  '\u0001',
  '/',
  '\\',
  '//',
  'ann',
  ':',
  'pw',
  '@',
  '?',
  '#',
  'host',
  '.',
  '%40',
  'é',
  ':8080',
);

describe('urlUserinfo', () => {
  it('finds the user and password of the forms fetch reads them in', () => {
    for (const url of [
      'https://ann:pw@host/a?x=1',
      'https:ann:pw@host/a?x=1',
      'https:/ann:pw@host/a?x=1',
      'https:\\\\ann:pw@host/a?x=1',
      'https:///ann:pw@host/a?x=1',
      ' https://ann:pw@host/a?x=1 ',
      '\u0001\thttps://ann:pw@host/a?x=1',
      'ht\ntps://an\tn:p\rw@host/a?x=1',
    ])
      expect([url, urlUserinfo(url)]).toEqual([url, ['https://', 'ann:pw', 'host/a?x=1']]);
    expect(urlUserinfo('//ann:pw@host/a')).toEqual(['//', 'ann:pw', 'host/a']);
    expect(urlUserinfo('\\\\ann:pw@host/a')).toEqual(['//', 'ann:pw', 'host/a']);
    expect(urlUserinfo('https://ann:p@ss@host/x@y')).toEqual(['https://', 'ann:p@ss', 'host/x@y']);
  });

  it('finds none where the parser reads an @ as part of a path, an opaque URL, a file URL or a host after a backslash', () => {
    for (const url of [
      '/users/ann:pw@example.com',
      'mailto:ann@example.com',
      'foo:ann:pw@host',
      'foo:///ann:pw@host',
      'file://ann@host/',
      'https://host\\x@y',
      'https://@host/',
      'https://host/',
    ])
      expect([url, urlUserinfo(url)]).toEqual([url, undefined]);
  });

  // The reference is the WHATWG URL parser itself (Node's, as in browsers): an absolute URL read
  // without a base, a relative one against an http page.
  it('agrees with new URL on whether a URL has a user or password, which they are, and the URL without them', () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        const url = pieces.join('');
        // A scheme after the C0 controls and spaces the parser strips: an absolute URL.
        // eslint-disable-next-line no-control-regex -- the C0 controls are what the parser strips
        const absolute = /^[\u0000-\u0020]*[a-z][a-z\d+.-]*:/i.test(url.replace(/[\t\n\r]/g, ''));
        const base = absolute ? undefined : 'http://page.example/';
        let parsed: URL;
        try {
          parsed = new URL(url, base);
        } catch {
          return;
        }
        const found = urlUserinfo(url);
        const has = parsed.username !== '' || parsed.password !== '';
        // `:@` is an empty user and password, which the parser does not keep.
        expect([url, found !== undefined && found[1] !== ':']).toEqual([url, has]);
        if (found === undefined || !has) return;
        const without = new URL(found[0] + found[2], base);
        expect([url, without.username, without.password, without.host, without.pathname, without.search]).toEqual([
          url,
          '',
          '',
          parsed.host,
          parsed.pathname,
          parsed.search,
        ]);
        const colon = found[1].indexOf(':');
        const credentials = new URL('http://x/');
        credentials.username = colon === -1 ? found[1] : found[1].slice(0, colon);
        credentials.password = colon === -1 ? '' : found[1].slice(colon + 1);
        expect([url, credentials.username, credentials.password]).toEqual([url, parsed.username, parsed.password]);
      }),
      { numRuns: 20_000 },
    );
  });
});

describe('basicToken', () => {
  it('is the base64 of user:password in UTF-8, percent escapes decoded, no password an empty one', () => {
    expect(basicToken('ann:s%C3%A9cret%40x')).toBe(Buffer.from('ann:sécret@x').toString('base64'));
    expect(basicToken('ann')).toBe(Buffer.from('ann:').toString('base64'));
  });
});
