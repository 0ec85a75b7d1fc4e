import { createServer } from 'node:http';
import express from 'express';
import { LogContext } from '../../../lib/context/log-context';
import { SelfLog, type SelfLogEvent } from '../../../lib/core/self-log';
import { diagnosticContext } from '../../../lib/node/http/diagnostic-context';
import { requestLogging } from '../../../lib/node/http/request-logging';
import { useAsyncLocalStorage } from '../../../lib/node/use-async-local-storage';
import { eventsArrive, get, listen, memoryLogger, signal } from '../../helpers/node-http';

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

// LogContext.suspend is what the docs give for long-lived work a request starts (a cache
// refresher): it ran that work with no LogContext properties, but still inside the request's
// diagnostic collection, so the refresher's diagnosticContext.set landed on that request's
// completion event, and (under rxlog/nest, whose request state hangs off the collection) the work
// kept the request's IncomingMessage and ServerResponse alive for as long as it ran.
describe('diagnosticContext under LogContext.suspend', () => {
  it('leaves work started inside suspend out of the request’s collection, on a real Express 5 server', async () => {
    const { log, events } = memoryLogger();
    const logRequests = requestLogging(log);
    const refreshed = signal();
    const app = express();
    app.use(logRequests);
    app.get('/orders', async (_req, res) => {
      diagnosticContext.set('Orders', 3);
      // A refresher started lazily by the first request, outside it as the docs say.
      LogContext.suspend(() =>
        setImmediate(() => {
          diagnosticContext.set('CacheRefreshed', true);
          refreshed.resolve();
        }),
      );
      await refreshed.promise;
      res.json([]);
    });
    const server = await listen(createServer(app));
    try {
      expect((await get(`${server.url}/orders`, { 'x-request-id': 'r-1' })).status).toBe(200);
      await eventsArrive(events, 1);
      expect(events[0].properties).toMatchObject({ RequestId: 'r-1', Orders: 3 });
      expect(events[0].properties.CacheRefreshed).toBeUndefined();
    } finally {
      await server.close();
      await log.close();
    }
  });

  it('gives work started inside suspend no collection, and the code around it its own back', async () => {
    const restore = useAsyncLocalStorage();
    try {
      const seen = await diagnosticContext.run(async (collector) => {
        const inside = await LogContext.suspend(async () => {
          await Promise.resolve();
          return diagnosticContext.current();
        });
        return [inside, diagnosticContext.current() === collector];
      });
      expect(seen).toEqual([undefined, true]);
    } finally {
      restore();
    }
  });
});
