import { processExiting, retryUntil, writtenOverlap } from '../../../lib/node/file/exit-waits';

describe('retryUntil', () => {
  it('returns true as soon as an attempt is done, without pausing', () => {
    let tries = 0;
    expect(retryUntil(() => (++tries === 1 ? 'done' : 'stalled'), performance.now() + 60_000)).toBe(true);
    expect(tries).toBe(1);
  });

  it('tries again after an attempt that was stalled or made progress, until it is done', () => {
    const outcomes = ['stalled', 'progress', 'stalled', 'done'] as const;
    let tries = 0;
    expect(retryUntil(() => outcomes[tries++], performance.now() + 60_000)).toBe(true);
    expect(tries).toBe(4);
  });

  it('gives up once the deadline has passed, after one last attempt', () => {
    let tries = 0;
    expect(
      retryUntil(() => {
        tries++;
        return 'stalled';
      }, performance.now() - 1),
    ).toBe(false);
    expect(tries).toBe(1);
  });

  it('waits until its deadline by elapsed time, whatever the wall clock does meanwhile (a step back)', () => {
    const wallNow = Date.now.bind(Date);
    const start = wallNow();
    const stepped = jest.spyOn(Date, 'now').mockImplementation(() => wallNow() - (wallNow() - start >= 10 ? 3_000 : 0));
    try {
      const started = performance.now();
      expect(retryUntil(() => 'stalled', started + 40)).toBe(false);
      const elapsed = performance.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(40);
      expect(elapsed).toBeLessThan(1_500);
    } finally {
      stepped.mockRestore();
    }
  });
});

describe('writtenOverlap', () => {
  const [a, b, c, d] = [{}, {}, {}, {}];

  it('counts the leading events found, in order, among those written', () => {
    expect(writtenOverlap([a, b, c], [b, c, d])).toBe(2);
    expect(writtenOverlap([a, b, c], [a, b, c])).toBe(3);
    expect(writtenOverlap([a, b, c], [a])).toBe(1);
  });

  it('is 0 when the first event was not written, or either list is empty', () => {
    expect(writtenOverlap([a, b], [c, a])).toBe(0);
    expect(writtenOverlap([], [a])).toBe(0);
    expect(writtenOverlap([a], [])).toBe(0);
  });

  it('stops at the first event out of order', () => {
    expect(writtenOverlap([a, b, c], [a, c])).toBe(1);
  });
});

describe('processExiting', () => {
  it('is false while the process runs', () => {
    expect(processExiting()).toBe(false);
  });
});
