import { SelfLog, type SelfLogEvent } from '../../../lib/core/self-log';
import { diagnosticContext } from '../../../lib/node/http/diagnostic-context';

describe('diagnosticContext', () => {
  it('collects properties set inside run, across awaits', async () => {
    const collected = await diagnosticContext.run(async (collector) => {
      diagnosticContext.set('UserId', 42);
      await new Promise((resolve) => setImmediate(resolve));
      diagnosticContext.set('Cart', { items: 3 });
      return collector.complete();
    });
    expect(collected).toEqual({ UserId: 42, Cart: { items: 3 } });
  });

  it('captures the value when set, so later mutation does not change it', () => {
    const cart = { items: 1 };
    const collected = diagnosticContext.run((collector) => {
      diagnosticContext.set('Cart', cart);
      cart.items = 99;
      return collector.complete();
    });
    expect(collected).toEqual({ Cart: { items: 1 } });
  });

  it('keeps concurrent collections apart', async () => {
    const one = diagnosticContext.run(async (c) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      diagnosticContext.set('Name', 'one');
      return c.complete();
    });
    const two = diagnosticContext.run(async (c) => {
      diagnosticContext.set('Name', 'two');
      await new Promise((resolve) => setImmediate(resolve));
      return c.complete();
    });
    expect(await Promise.all([one, two])).toEqual([{ Name: 'one' }, { Name: 'two' }]);
  });

  it('ignores set outside a collection and after complete, and never throws', () => {
    const seen: SelfLogEvent[] = [];
    const subscription = SelfLog.events$.subscribe((event) => seen.push(event));
    expect(() => diagnosticContext.set('Lost', 1)).not.toThrow();
    const collected = diagnosticContext.run((collector) => {
      const done = collector.complete();
      diagnosticContext.set('Late', 2);
      return { done, after: collector.properties() };
    });
    subscription.unsubscribe();
    expect(collected).toEqual({ done: {}, after: {} });
    expect(diagnosticContext.current()).toBeUndefined();
  });

  it('names properties safely: __proto__ is an ordinary key', () => {
    const collected = diagnosticContext.run((collector) => {
      diagnosticContext.set('__proto__', { polluted: true });
      return collector.complete();
    });
    expect(Object.keys(collected)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
