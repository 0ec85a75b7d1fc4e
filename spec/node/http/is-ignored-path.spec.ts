import { isIgnoredPath } from '../../../lib/node/http/is-ignored-path';

describe('isIgnoredPath', () => {
  it('matches a string against the whole path and tests a RegExp', () => {
    expect(isIgnoredPath(['/health'], '/health')).toBe(true);
    expect(isIgnoredPath(['/health'], '/health/deep')).toBe(false);
    expect(isIgnoredPath([/^\/metrics/], '/metrics/x')).toBe(true);
    expect(isIgnoredPath([], '/')).toBe(false);
  });

  it('tests a global or sticky RegExp from the start on every call', () => {
    const global = /^\/health/g;
    const sticky = /\/health/y;
    for (let i = 0; i < 4; i++) {
      expect(isIgnoredPath([global], '/health')).toBe(true);
      expect(isIgnoredPath([sticky], '/health')).toBe(true);
    }
  });
});
