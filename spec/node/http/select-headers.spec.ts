import { ALWAYS_REDACTED_HEADERS, selectHeaders } from '../../../lib/node/http/select-headers';

describe('selectHeaders', () => {
  const always = new Set(ALWAYS_REDACTED_HEADERS);
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

  // With '*', every header a request brings was written in clear but the four always redacted: an
  // x-api-key, an x-auth-token, an x-amz-security-token or an x-session-id went to the log store.
  it.each([
    'authorization',
    'proxy-authorization',
    'x-upstream-proxy-authorization',
    'cookie',
    'set-cookie',
    'x-api-key',
    'x-goog-api-key',
    'api-key',
    'apikey',
    'api_key',
    'x-rapidapi-key',
    'ocp-apim-subscription-key',
    'x-functions-key',
    'x-amz-server-side-encryption-customer-key',
    'x-auth-token',
    'x-access-token',
    'x-refresh-token',
    'x-amz-security-token',
    'private-token',
    'x-csrf-token',
    'x-xsrf-token',
    'csrf-token',
    'x-session-id',
    'sessionid',
    'x-hub-signature-256',
    'stripe-signature',
    'x-client-secret',
    'x-password',
    'x-passwd',
    'x-credential',
    'cf-access-jwt-assertion',
    'x-goog-iap-jwt-assertion',
    'x-auth-request-user',
    'authentication-info',
  ])("redacts %p with '*': its name looks like a credential's", (name) => {
    expect(selectHeaders({ [name]: 's3cret' }, ['*'], always)).toEqual({ [name]: '[Redacted]' });
  });

  // A name that merely contains a credential word is redacted too: a wrong guess costs a value
  // the user can still log by naming the header, a missed credential cannot be taken back.
  it.each(['author', 'idempotency-key', 'sec-websocket-key', 'signature-input'])(
    "redacts %p with '*' too: the rule errs on the side of redacting",
    (name) => {
      expect(selectHeaders({ [name]: 'v' }, ['*'], always)).toEqual({ [name]: '[Redacted]' });
    },
  );

  it.each([
    'accept',
    'accept-language',
    'content-type',
    'content-length',
    'user-agent',
    'host',
    ':authority',
    ':method',
    'x-request-id',
    'traceparent',
    'tracestate',
    'x-forwarded-for',
    'x-forwarded-proto',
    'cache-control',
    'etag',
    'keep-alive',
    'x-keyboard-layout',
    'monkey',
    'sec-fetch-mode',
    'x-amz-content-sha256',
    'www-authenticate',
    'proxy-authenticate',
    'access-control-allow-credentials',
    'access-control-allow-headers',
  ])("logs %p in clear with '*'", (name) => {
    expect(selectHeaders({ [name]: 'v' }, ['*'], always)).toEqual({ [name]: 'v' });
  });

  it("logs a credential-looking header the list names in clear, beside '*' or alone", () => {
    const sent = { 'x-auth-token': 't', 'x-session-id': 's', accept: 'a' };
    expect(selectHeaders(sent, ['*', 'x-auth-token'], always)).toEqual({
      'x-auth-token': 't',
      'x-session-id': '[Redacted]',
      accept: 'a',
    });
    expect(selectHeaders(sent, ['x-auth-token', 'x-session-id'], always)).toEqual({ 'x-auth-token': 't', 'x-session-id': 's' });
  });

  it('redacts the four always redacted and those of redactHeaders even when the list names them', () => {
    const sent = { authorization: 'Bearer t', cookie: 'sid=s', 'x-api-key': 'k', 'x-tenant': 'acme' };
    const withTenant = new Set([...redacted, 'x-tenant']);
    expect(selectHeaders(sent, ['*', 'authorization', 'cookie', 'x-api-key', 'x-tenant'], withTenant)).toEqual({
      authorization: '[Redacted]',
      cookie: '[Redacted]',
      'x-api-key': '[Redacted]',
      'x-tenant': '[Redacted]',
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
