import { hasLoneSurrogate } from '../../lib/core/lone-surrogate';

describe('hasLoneSurrogate', () => {
  it('finds half a pair, alone, at either end or in the middle, and passes whole pairs', () => {
    expect(['a\uD800', '\uDC00a', 'a\uDC00\uD800b'].map(hasLoneSurrogate)).toEqual([true, true, true]);
    expect(['', 'file', 'emoji \uD83D\uDE00', 'Straße'].map(hasLoneSurrogate)).toEqual([false, false, false, false]);
  });
});
