import { ALWAYS_REDACTED_HEADERS, selectHeaders } from '../../../lib/node/http/select-headers';

describe('selectHeaders', () => {
  const redacted = new Set([...ALWAYS_REDACTED_HEADERS, 'x-api-key']);
  const headers = {
    authorization: 'Bearer t',
    'set-cookie': ['a=1', 'b=2'],
    'x-api-key': 'k',
    accept: 'text/html',
    'content-length': 12,
  };

  it('keeps the named headers that are present, redacting the sensitive ones', () => {
    expect(selectHeaders(headers, ['authorization', 'set-cookie', 'accept', 'x-missing'], redacted)).toEqual({
      authorization: '[Redacted]',
      'set-cookie': '[Redacted]',
      accept: 'text/html',
    });
  });

  it("selects every header with '*', still redacting, and joins repeated values", () => {
    expect(selectHeaders({ ...headers, via: ['a', 'b'] }, ['*'], redacted)).toEqual({
      authorization: '[Redacted]',
      'set-cookie': '[Redacted]',
      'x-api-key': '[Redacted]',
      accept: 'text/html',
      'content-length': '12',
      via: 'a, b',
    });
  });

  it('returns undefined when nothing is selected or present', () => {
    expect(selectHeaders(headers, [], redacted)).toBeUndefined();
    expect(selectHeaders(headers, ['x-missing'], redacted)).toBeUndefined();
  });

  // As RequestPath: a password-reset link in Referer or a signed link in Location holds its token
  // in the query string.
  it('logs URL headers without their query string, fragment or credentials', () => {
    const urls = {
      referer: 'https://shop.example/reset?token=s3cret&user=ann#step2',
      location: '//ann:pw@cdn.example/file.zip?X-Amz-Signature=abc',
      'content-location': '/orders/7?session=xyz',
      link: '<https://api.example/next?page=2>; rel="next"',
    };
    expect(selectHeaders(urls, ['*'], redacted)).toEqual({
      referer: 'https://shop.example/reset',
      location: '//cdn.example/file.zip',
      'content-location': '/orders/7',
      link: '<https://api.example/next?page=2>; rel="next"',
    });
    expect(selectHeaders({ location: 'http://user:pass@host/a' }, ['location'], redacted)).toEqual({ location: 'http://host/a' });
  });

  // HTTP/2's :path is the request target itself, and reverse proxies pass the original one on in
  // X-Original-URL (IIS, Symfony), X-Rewrite-URL, X-Original-URI (ingress-nginx) and X-Forwarded-Uri
  // (Traefik): with '*' selected, each logged the query string RequestPath leaves out.
  it("logs the request-target headers (:path and the proxies' original URL) without their query string", () => {
    const targets = {
      ':path': '/login?token=s3cret',
      'x-original-url': '/reset?token=s3cret',
      'x-rewrite-url': '/reset?token=s3cret',
      'x-original-uri': '/reset?password=hunter2',
      'x-forwarded-uri': '/callback?code=abc#state',
    };
    expect(selectHeaders(targets, ['*'], redacted)).toEqual({
      ':path': '/login',
      'x-original-url': '/reset',
      'x-rewrite-url': '/reset',
      'x-original-uri': '/reset',
      'x-forwarded-uri': '/callback',
    });
  });

  // The WHATWG URL parser ends the user information at the last '@' before the path, and reads a
  // backslash as a slash in an http(s) URL: the first '@' left the password in the log.
  it.each([
    ['https://ann@example.com:pw@host/a', 'https://host/a'],
    ['//ann:p@ss@host/a?x=1', '//host/a'],
    ['https:\\\\ann:pw@host/a', 'https:\\\\host/a'],
  ])('logs the URL header %p without any of its user information', (location, logged) => {
    const url = new URL(location, 'https://base.example/');
    expect([url.username, url.password]).not.toEqual(['', '']);
    expect(selectHeaders({ location }, ['location'], redacted)).toEqual({ location: logged });
    expect(logged).not.toMatch(/ann|pw|ss@/);
  });

  // WHATWG: an http(s) URL's authority comes after any number of slashes and backslashes (none
  // included, unless the base has the same scheme); tabs are removed wherever they are and leading
  // spaces or controls are trimmed. Each of these kept its password in the log.
  it.each([
    ['https:///ann:pw@host/a', 'https:///host/a'],
    ['https:ann:pw@host/a', 'https:host/a'],
    ['///ann:pw@host/a', '///host/a'],
    ['ht\ttps://ann:pw@host/a', 'https://host/a'],
    [' \x01https://ann:pw@host/a ', 'https://host/a '],
  ])('logs the URL header %p without the user information a browser reads in it', (location, logged) => {
    const url = new URL(location, 'http://base.example/');
    expect([url.username, url.password]).toEqual(['ann', 'pw']);
    expect(selectHeaders({ location }, ['location'], redacted)).toEqual({ location: logged });
    const read = new URL(logged, 'http://base.example/');
    expect([read.username, read.password]).toEqual(['', '']);
  });

  it('keeps an @ in the path of a URL header: only user information is taken out', () => {
    expect(
      selectHeaders(
        { location: '/users/ann@example.com', referer: 'https://host/a@b', 'content-location': '/@ann/posts' },
        ['*'],
        redacted,
      ),
    ).toEqual({
      location: '/users/ann@example.com',
      referer: 'https://host/a@b',
      'content-location': '/@ann/posts',
    });
  });

  it('keeps a header named __proto__ as data', () => {
    const selected = selectHeaders({ ['__proto__']: 'x' }, ['*'], redacted);
    expect(Object.keys(selected ?? {})).toEqual(Object.keys({ ['__proto__']: 'x' }));
  });
});
