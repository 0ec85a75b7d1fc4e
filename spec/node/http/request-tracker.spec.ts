import { requestPath } from '../../../lib/node/http/request-tracker';

describe('requestPath', () => {
  it.each([
    ['/orders/7?token=secret', '/orders/7'],
    ['/a#frag', '/a'],
    ['/plain', '/plain'],
    ['', '/'],
    [undefined, '/'],
  ])('%s → %s', (url, path) => {
    expect(requestPath(url)).toBe(path);
  });

  // Express and Fastify route an absolute-form target on its path as sent: `http://h/admin/../health`
  // reached an /admin/* handler, but the WHATWG URL parser resolved it to `/health`, so the event
  // named the wrong path, and `ignorePaths: ['/health']` dropped it.
  it.each([
    ['http://h/admin/../health', '/admin/../health'],
    ['http://h/admin/%2e%2e/health', '/admin/%2e%2e/health'],
    ['http://user:secret@example.com/orders/7?token=secret#frag', '/orders/7'],
    ['http://a@b:secret@h/x', '/x'],
    ['HTTPS://example.com', '/'],
    ['http://user:secret@h', '/'],
    ['foo://user:secret@h/x y', '/x y'],
    ['http://user:sec\\ret@h/x', '/x'],
  ])('absolute form %s → the path as sent, %s', (url, path) => {
    expect(requestPath(url)).toBe(path);
  });
});
