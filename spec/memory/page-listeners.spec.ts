import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { installPageHideFlush } from '../../lib/sinks/http/http-page-hide';
import { HttpSink } from '../../lib/sinks/http/http-sink';
import { LokiSink } from '../../lib/sinks/http/loki-sink';
import { OtlpSink } from '../../lib/sinks/http/otlp-sink';
import { SeqSink } from '../../lib/sinks/http/seq-sink';
import { installFakePage, type FakePage } from '../helpers/fake-page';

const ok = (async () => new Response('{}', { status: 200 })) as typeof fetch;

/** The window's listeners now, by event type: the fake page's add and remove, counted. */
function countListeners(page: FakePage): Map<string, number> {
  const counts = new Map<string, number>();
  const target = page.target;
  const add = target.addEventListener.bind(target);
  const remove = target.removeEventListener.bind(target);
  const listeners = new Map<string, Set<unknown>>();
  const count = (type: string): void => void counts.set(type, listeners.get(type)?.size ?? 0);
  const define = (key: string, value: unknown): void => {
    Object.defineProperty(globalThis, key, { value, configurable: true, writable: true });
    Object.defineProperty(target, key, { value, configurable: true, writable: true });
  };
  define('addEventListener', (type: string, listener: EventListener) => {
    if (!listeners.has(type)) listeners.set(type, new Set());
    listeners.get(type)?.add(listener);
    count(type);
    add(type, listener);
  });
  define('removeEventListener', (type: string, listener: EventListener) => {
    listeners.get(type)?.delete(listener);
    count(type);
    remove(type, listener);
  });
  return counts;
}

const total = (counts: Map<string, number>): number => [...counts.values()].reduce((sum, n) => sum + n, 0);

describe('a browser page after its loggers close', () => {
  let page: FakePage;
  beforeEach(() => {
    page = installFakePage();
  });
  afterEach(() => page.restore());

  it('keeps no listener of the HTTP sinks and their offline stores', async () => {
    const counts = countListeners(page);
    const store = { getItem: () => null, setItem: () => undefined, removeItem: () => undefined };
    for (let i = 0; i < 20; i++) {
      const log = new LoggerConfiguration().writeTo
        .sink(new HttpSink({ url: `http://h/${i}`, fetch: ok, offline: { store } }))
        .writeTo.sink(new SeqSink({ serverUrl: 'http://h', fetch: ok }))
        .writeTo.sink(new OtlpSink({ endpoint: 'http://h/v1/logs', fetch: ok }))
        .writeTo.sink(new LokiSink({ url: 'http://h', fetch: ok }))
        .createLogger();
      log.information('Event {N}', i);
      await log.close();
    }
    expect(total(counts)).toBe(0);
  });

  // Found by this review: installPageHideFlush's listeners stayed on the window after the logger
  // closed, until the app called the uninstall it returned; an app that builds a logger again
  // (a sign-in, a tenant switch) kept every closed logger, its sinks and their last batch alive
  // from the window, flushed on every page hide. installProcessHooks already lets go at close.
  it("lets go of a logger that closes without installPageHideFlush's uninstall being called", async () => {
    const counts = countListeners(page);
    for (let i = 0; i < 20; i++) {
      const log = new LoggerConfiguration().writeTo.sink(new HttpSink({ url: `http://h/${i}`, fetch: ok })).createLogger();
      installPageHideFlush(log);
      log.information('Event {N}', i);
      await log.close();
    }
    expect(Object.fromEntries(counts)).toEqual({ freeze: 0, pagehide: 0, pageshow: 0, resume: 0, visibilitychange: 0 });
  });

  it('removes them at once when the logger has closed already, and once only when uninstalled too', async () => {
    const counts = countListeners(page);
    const log = new LoggerConfiguration().writeTo.sink(new HttpSink({ url: 'http://h/x', fetch: ok })).createLogger();
    await log.close();
    const uninstall = installPageHideFlush(log);
    expect(total(counts)).toBe(0);
    expect(() => uninstall()).not.toThrow();
  });

  it('keeps flushing an open logger on page hide until it closes', async () => {
    countListeners(page);
    const log = new LoggerConfiguration().writeTo.sink(new HttpSink({ url: 'http://h/x', fetch: ok })).createLogger();
    const flushSync = jest.spyOn(log, 'flushSync');
    installPageHideFlush(log);
    page.hide();
    expect(flushSync).toHaveBeenCalledTimes(1);
    await log.close();
    page.hide();
    expect(flushSync).toHaveBeenCalledTimes(1);
  });
});
