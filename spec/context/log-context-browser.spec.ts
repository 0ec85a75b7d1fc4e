import { existsSync } from 'node:fs';
import { CHROMIUM, freshChromium } from '../helpers/chromium';
import { startPageServer } from '../helpers/browser-bundle';

// A browser has no AsyncLocalStorage: LogContext keeps its default synchronous store there. What
// the docs promise of it (configuration.md, operators.md), in a real page with real timers, DOM
// events and log.events$.
const PAGE = `<!doctype html>
<script src="/rxlog.js"></script>
<script>window.ready = true;</script>`;

interface Seen {
  sync: unknown;
  beforeAwait: unknown;
  afterAwait: unknown;
  told: string[];
  timer: unknown;
  click: unknown;
  stream: unknown;
  after: unknown;
}

describe('LogContext in Chromium (no AsyncLocalStorage)', () => {
  (existsSync(CHROMIUM) ? it : it.skip)(
    'follows the call stack: a run’s synchronous events, not its awaits, timers or later DOM events; withLogContext carries a stream',
    async () => {
      const server = await startPageServer(PAGE);
      const { browser, close } = await freshChromium();
      try {
        const page = browser.pages()[0] ?? (await browser.newPage());
        await page.goto(`${server.url}/`);
        await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
        const seen = await page.evaluate(async (): Promise<Seen> => {
          // The page's global from the bundle, typed loosely: this runs in the browser.
          // eslint-disable-next-line @typescript-eslint/no-explicit-any
          const rx = (window as any).rxlog;
          const memory = new rx.MemorySink();
          const log = new rx.LoggerConfiguration().enrich.fromLogContext().writeTo.sink(memory).createLogger();
          const told: string[] = [];
          const selfLog = rx.SelfLog.events$.subscribe((d: { template: string }) => told.push(d.template));
          const last = (): unknown => memory.events.at(-1).properties;
          rx.LogContext.run({ RequestId: 'r-1' }, () => log.information('sync'));
          const sync = last();
          let beforeAwait: unknown;
          let timer: unknown;
          const button = document.createElement('button');
          await rx.LogContext.run({ RequestId: 'r-2' }, async () => {
            log.information('before');
            beforeAwait = last();
            setTimeout(() => {
              log.information('timer');
              timer = last();
            }, 0);
            button.addEventListener('click', () => log.information('click'));
            await new Promise((resolve) => setTimeout(resolve, 10));
            log.information('after');
          });
          const afterAwait = last();
          button.click();
          const click = last();
          let stream: unknown;
          const subscription = log.events$.pipe(rx.withLogContext({ Stream: 's-1' })).subscribe(() => {
            stream = rx.LogContext.current();
          });
          log.information('through the stream');
          subscription.unsubscribe();
          const after = rx.LogContext.current();
          selfLog.unsubscribe();
          await log.close();
          return { sync, beforeAwait, afterAwait, told, timer, click, stream, after };
        });
        expect(seen.sync).toEqual({ RequestId: 'r-1' });
        expect(seen.beforeAwait).toEqual({ RequestId: 'r-2' });
        expect(seen.afterAwait).toEqual({});
        expect(seen.timer).toEqual({});
        expect(seen.click).toEqual({});
        expect(seen.told).toEqual([expect.stringContaining('LogContext.run: the callback returned a Promise')]);
        expect(seen.stream).toEqual({ Stream: 's-1' });
        expect(seen.after).toBeUndefined();
      } finally {
        await close();
        await server.close();
      }
    },
  );

  // RxJS's animationFrameScheduler runs an action in the next frame (requestAnimationFrame), on a
  // turn of its own: what a withLogContext before observeOn(animationFrameScheduler) delivered
  // there carries nothing; one after it carries each stream's own (docs/operators.md).
  (existsSync(CHROMIUM) ? it : it.skip)(
    'delivers what observeOn(animationFrameScheduler) moved to the next frame without the context; withLogContext after it carries each its own',
    async () => {
      // rxlog's entry and the RxJS pieces the page uses, one copy of RxJS for both.
      const server = await startPageServer(
        PAGE,
        undefined,
        "export { animationFrameScheduler, firstValueFrom, observeOn, of, tap } from 'rxjs';\n",
      );
      const { browser, close } = await freshChromium();
      try {
        const page = browser.pages()[0] ?? (await browser.newPage());
        await page.goto(`${server.url}/`);
        await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
        const seen = await page.evaluate(async (): Promise<Record<string, unknown[]>> => {
          // eslint-disable-next-line @typescript-eslint/no-explicit-any
          const rx = (window as any).rxlog;
          const ids = ['r-1', 'r-2'];
          const frame = rx.animationFrameScheduler;
          // Both streams' values, each after what `operators` did, or a failure after 5 s without a frame.
          const deliver = (operators: (id: string) => unknown[]): Promise<unknown> =>
            Promise.race([
              Promise.all(ids.map((id) => rx.firstValueFrom(rx.of(id).pipe(...operators(id))))),
              new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no animation frame in 5 s')), 5_000)),
            ]);
          const contexts: Record<string, unknown[]> = { before: [], after: [] };
          await deliver((id) => [
            rx.withLogContext({ RequestId: id }),
            rx.observeOn(frame),
            rx.tap(() => contexts.before.push(rx.LogContext.current()?.RequestId)),
          ]);
          await deliver((id) => [
            rx.observeOn(frame),
            rx.withLogContext({ RequestId: id }),
            rx.tap(() => contexts.after.push(rx.LogContext.current()?.RequestId)),
          ]);
          return contexts;
        });
        expect(seen).toEqual({ before: [undefined, undefined], after: ['r-1', 'r-2'] });
      } finally {
        await close();
        await server.close();
      }
    },
  );
});
