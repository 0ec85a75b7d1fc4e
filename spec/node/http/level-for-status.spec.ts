import { levelForStatus } from '../../../lib/node/http/level-for-status';

describe('levelForStatus', () => {
  it('maps 5xx and failures to error, 4xx to warning, the rest to information', () => {
    expect(levelForStatus(200)).toBe('information');
    expect(levelForStatus(302)).toBe('information');
    expect(levelForStatus(404)).toBe('warning');
    expect(levelForStatus(503)).toBe('error');
    expect(levelForStatus(200, true)).toBe('error');
  });
});
