import { hasMethods } from '../../lib/core/has-methods';

describe('hasMethods', () => {
  it('is true for an object whose every named member is a function', () => {
    expect(hasMethods({ write: () => true, on: () => undefined }, ['write', 'on'])).toBe(true);
    expect(hasMethods(Object.create({ format: () => '' }) as object, ['format'])).toBe(true);
  });

  it('is false for null, a non-object, or a missing or non-function member', () => {
    for (const value of [null, undefined, 'write', 42, { write: 'no' }, { on: () => undefined }])
      expect(hasMethods(value, ['write', 'on'])).toBe(false);
  });
});
