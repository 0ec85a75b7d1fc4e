import { LongTextCache } from '../../lib/operators/long-text-cache';

describe('LongTextCache', () => {
  const long = (mark: string): string => mark + 'x'.repeat(99);

  it('measures a long string once, found again by identity or by an equal copy', () => {
    const cache = new LongTextCache(2, 100, Infinity);
    let measured = 0;
    const measure = (text: string): number => (measured++, text.length * 2);
    const text = long('a');
    expect(cache.bytes(text, measure)).toBe(200);
    expect(cache.bytes(text, measure)).toBe(200);
    expect(cache.bytes(['a', 'x'.repeat(99)].join(''), measure)).toBe(200);
    expect(measured).toBe(1);
    // A short string is measured each time, and not held.
    cache.bytes('short', measure);
    cache.bytes('short', measure);
    expect(measured).toBe(3);
    expect(cache.size).toBe(1);
  });

  it('holds at most `slots` strings, the least recently used leaving first', () => {
    const cache = new LongTextCache(2, 100, Infinity);
    const measured: string[] = [];
    const measure = (text: string): number => (measured.push(text[0]), text.length);
    for (const mark of 'abcdefghij') cache.bytes(long(mark), measure);
    expect(cache.size).toBe(2);
    cache.bytes(long('i'), measure); // held: 'i' becomes the most recent
    cache.bytes(long('k'), measure); // 'j' leaves
    cache.bytes(long('i'), measure);
    cache.bytes(long('j'), measure);
    expect(measured.join('')).toBe('abcdefghijkj');
    expect(cache.size).toBe(2);
  });

  it('cuts a long string once per bound, and again when the bound changes', () => {
    const cache = new LongTextCache(1, 100, Infinity);
    const cuts: number[] = [];
    const cutText = (text: string, keep: number): string => (cuts.push(keep), text.slice(0, keep));
    const text = long('a');
    expect(cache.cut(text, 10, (t) => t.length, cutText)).toBe(text.slice(0, 10));
    expect(cache.cut(text, 10, (t) => t.length, cutText)).toBe(text.slice(0, 10));
    expect(cache.cut(text, 20, (t) => t.length, cutText)).toBe(text.slice(0, 20));
    expect(cache.cut(text, 10, (t) => t.length, cutText)).toBe(text.slice(0, 10));
    expect(cuts).toEqual([10, 20, 10]);
  });

  it('lets go at the end of the task of a string longer than keepLength, measured once in each task that sees it', async () => {
    const cache = new LongTextCache(4, 100, 150);
    const measured: string[] = [];
    const measure = (text: string): number => (measured.push(`${text[0]}${text.length}`), text.length);
    const huge = 'h'.repeat(300);
    cache.bytes(long('a'), measure);
    cache.bytes(huge, measure);
    cache.bytes(long('b'), measure);
    cache.bytes(huge, measure);
    expect(cache.size).toBe(3);
    await Promise.resolve();
    expect(cache.size).toBe(2);
    cache.bytes(long('a'), measure);
    cache.bytes(long('b'), measure);
    cache.bytes(huge, measure);
    cache.bytes(huge, measure);
    expect(measured).toEqual(['a100', 'h300', 'b100', 'h300']);
  });
});
