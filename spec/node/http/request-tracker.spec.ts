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
});
