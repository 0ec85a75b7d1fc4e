import { retryHint } from '../../lib/core/retry-hint';

describe('retryHint', () => {
  it('reads permanent and retryAfterMs from any error', () => {
    expect(retryHint(Object.assign(new Error('x'), { permanent: true }))).toEqual({ permanent: true, retryAfterMs: undefined });
    expect(retryHint(Object.assign(new Error('x'), { retryAfterMs: 5_000 }))).toEqual({ permanent: false, retryAfterMs: 5_000 });
  });

  it('ignores values of the wrong type and never throws', () => {
    expect(retryHint({ permanent: 'yes', retryAfterMs: -1 })).toEqual({ permanent: false, retryAfterMs: undefined });
    expect(retryHint('boom')).toEqual({ permanent: false, retryAfterMs: undefined });
    const hostile = new Proxy(
      {},
      {
        get: () => {
          throw new Error('trap');
        },
      },
    );
    expect(retryHint(hostile)).toEqual({ permanent: false, retryAfterMs: undefined });
  });
});
