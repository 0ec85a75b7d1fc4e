import { sleepSync } from '../../../lib/node/file/sleep-sync';

describe('sleepSync', () => {
  it('returns no sooner than the pause it was given', () => {
    const start = performance.now();
    sleepSync(5);
    expect(performance.now() - start).toBeGreaterThanOrEqual(4);
  });
});
