import { LogContext } from '../../lib/context/log-context';
import { useAsyncLocalStorage } from '../../lib/node/use-async-local-storage';

describe('useAsyncLocalStorage', () => {
  it('makes LogContext follow awaits until the returned function restores the previous store', async () => {
    const seenBefore = await LogContext.run({ RequestId: 'r-1' }, async () => {
      await Promise.resolve();
      return LogContext.current();
    });
    expect(seenBefore).toBeUndefined();

    const restore = useAsyncLocalStorage();
    try {
      const seen = await LogContext.run({ RequestId: 'r-2' }, async () => {
        await new Promise((resolve) => setTimeout(resolve, 0));
        return LogContext.current();
      });
      expect(seen).toEqual({ RequestId: 'r-2' });
    } finally {
      restore();
    }

    const seenAfter = await LogContext.run({ RequestId: 'r-3' }, async () => {
      await Promise.resolve();
      return LogContext.current();
    });
    expect(seenAfter).toBeUndefined();
  });
});
