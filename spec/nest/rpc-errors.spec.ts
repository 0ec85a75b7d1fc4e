import { noteRpcError, rpcErrorPattern } from '../../lib/nest/rpc-errors';

describe('rpcErrorPattern', () => {
  it('finds the pattern of an error object for as long as the error lives', async () => {
    const error = new Error('Handler crashed');
    const thrown = { code: 'OUT_OF_STOCK' };
    noteRpcError(error, 'orders.crash');
    noteRpcError(thrown, 'orders.refuse');
    await Promise.resolve();
    expect([rpcErrorPattern(error), rpcErrorPattern(thrown), rpcErrorPattern(new Error('other'))]).toEqual([
      'orders.crash',
      'orders.refuse',
      undefined,
    ]);
  });

  it('finds the pattern of a value that is no object once, in the turn it was noted, so a later report of the same text has none', async () => {
    noteRpcError('Out of stock', 'orders.refuse');
    expect([rpcErrorPattern('Other'), rpcErrorPattern('Out of stock'), rpcErrorPattern('Out of stock')]).toEqual([
      undefined,
      'orders.refuse',
      undefined,
    ]);
    noteRpcError(undefined, 'orders.void');
    await Promise.resolve();
    expect(rpcErrorPattern(undefined)).toBeUndefined();
    noteRpcError(undefined, 'orders.void');
    expect(rpcErrorPattern(undefined)).toBe('orders.void');
  });
});
