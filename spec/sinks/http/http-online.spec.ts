import { existsSync } from 'node:fs';
import { whenOnline } from '../../../lib/sinks/http/http-online';
import { CHROMIUM, freshChromium } from '../../helpers/chromium';
import { startPageServer } from '../../helpers/browser-bundle';

/** A page stand-in: `navigator.onLine` and the window's `online` event. */
function fakePage(onLine: boolean) {
  const target = new EventTarget();
  return Object.assign(target, {
    navigator: { onLine },
    goOnline(): void {
      this.navigator.onLine = true;
      target.dispatchEvent(new Event('online'));
    },
  });
}

const flushPromises = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

describe('whenOnline', () => {
  it('resolves at once, without waiting, where the browser is online or cannot say', async () => {
    const signal = new AbortController().signal;
    await expect(whenOnline(signal, fakePage(true))).resolves.toBe(false);
    await expect(whenOnline(signal, {})).resolves.toBe(false);
    await expect(whenOnline(signal, { navigator: { onLine: false } })).resolves.toBe(false);
  });

  it('waits for the online event while the browser is offline, and stops listening then', async () => {
    const page = fakePage(false);
    const remove = jest.spyOn(page, 'removeEventListener');
    let done = false;
    const waiting = whenOnline(new AbortController().signal, page).then((waited) => (done = waited));
    await flushPromises();
    expect(done).toBe(false);
    page.goOnline();
    await waiting;
    expect(done).toBe(true);
    expect(remove).toHaveBeenCalledWith('online', expect.any(Function));
  });

  it('stops waiting when its signal aborts', async () => {
    const controller = new AbortController();
    const waiting = whenOnline(controller.signal, fakePage(false));
    controller.abort();
    await expect(waiting).resolves.toBe(true);
  });
});

const hasChromium = existsSync(CHROMIUM);

const PAGE = `<!doctype html><script src="/rxlog.js"></script><script>
  window.log = new rxlog.LoggerConfiguration()
    .writeTo.sink(new rxlog.HttpSink({ url: '/ingest' }), { batch: { size: 10, maxDelayMs: 20 }, queue: { limit: 50 } })
    .createLogger();
  window.ready = true;
</script>`;

interface OnlineWindow {
  ready?: boolean;
  log: {
    information(template: string, n: number): void;
    metrics(): { sinks: { http: { received: number; delivered: number; dropped: number; failed: number; pending: number } } };
  };
}

describe('HttpSink offline without a store, in Chromium', () => {
  (hasChromium ? it : it.skip)(
    'holds what is logged offline in the bounded queue, counts what overflows, and sends the rest once when back online',
    async () => {
      const server = await startPageServer(PAGE);
      const { browser, close: closeBrowser } = await freshChromium();
      const metrics = () => page.evaluate(() => (window as unknown as OnlineWindow).log.metrics().sinks.http);
      const page = browser.pages()[0] ?? (await browser.newPage());
      try {
        await page.goto(`${server.url}/`);
        await page.waitForFunction(() => (window as unknown as OnlineWindow).ready === true);
        await browser.setOffline(true);
        // 80 events: one batch of 10 waits for the network, the queue holds 50, 20 overflow.
        await page.evaluate(() => {
          for (let n = 0; n < 80; n++) (window as unknown as OnlineWindow).log.information('Offline {N}', n);
        });
        // Long enough for the default retries (about 0.3 s) to have failed every event, before this fix.
        await page.waitForTimeout(1_500);
        expect(await metrics()).toMatchObject({ received: 80, delivered: 0, failed: 0, dropped: 20, pending: 60 });
        expect(server.requests.filter((r) => r.url === '/ingest')).toHaveLength(0);

        await browser.setOffline(false);
        await page.waitForFunction(() => (window as unknown as OnlineWindow).log.metrics().sinks.http.pending === 0, undefined, {
          timeout: 10_000,
        });
        expect(await metrics()).toMatchObject({ received: 80, delivered: 60, failed: 0, dropped: 20 });
        const numbers = server.requests
          .filter((r) => r.url === '/ingest')
          .flatMap((r) => r.body.split('\n').map((line) => (JSON.parse(line) as { N: number }).N));
        // The batch in flight (0-9) and the newest 50 the queue kept (drop-oldest), each once, in order.
        expect(numbers).toEqual([...Array.from({ length: 10 }, (_, n) => n), ...Array.from({ length: 50 }, (_, n) => n + 30)]);
      } finally {
        await closeBrowser();
        await server.close();
      }
    },
    30_000,
  );
});
