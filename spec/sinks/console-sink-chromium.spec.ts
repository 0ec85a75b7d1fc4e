import type { ConsoleMessage } from 'playwright-core';
import type * as Rxlog from '../../lib/index';
import { bundleRxlogForBrowser } from '../helpers/browser-bundle';
import { freshChromium } from '../helpers/chromium';

// Real Chromium: its console is what a developer reads ConsoleSink's browser output in.
jest.setTimeout(60_000);

describe('ConsoleSink in Chromium', () => {
  it('writes each level with its console method and CSS, the text as an argument, data that would reorder or drive it escaped', async () => {
    const script = await bundleRxlogForBrowser();
    const chromium = await freshChromium();
    try {
      const page = await chromium.browser.newPage();
      const seen: Promise<[string, unknown[]]>[] = [];
      page.on('console', (message: ConsoleMessage) => {
        seen.push(Promise.all(message.args().map((arg) => arg.jsonValue())).then((args) => [message.type(), args]));
      });
      await page.addScriptTag({ content: script });
      await page.evaluate(async () => {
        const { LoggerConfiguration } = (window as unknown as { rxlog: typeof Rxlog }).rxlog;
        const log = new LoggerConfiguration().minimumLevel
          .verbose()
          .writeTo.console({ outputTemplate: '{Level:u3} {Message}{NewLine}{Exception}' })
          .createLogger();
        log.verbose('Signed in as {User}', 'eve\u202e nimda');
        log.information('50%% off for {User} %c', '\u001b]8;;https://evil.example\u0007x\u001b]8;;\u0007');
        log.warning('Low disk');
        log.fatal(new Error('no user eve\n[INF] Admin logged in'), 'Lookup failed');
        await log.close();
      });
      const calls = await Promise.all(seen);
      expect(calls.slice(0, 3)).toEqual([
        ['debug', ['%c%s', 'color: gray', 'VRB Signed in as eve\\u202e nimda']],
        ['info', ['%s', 'INF 50%% off for \\u001b]8;;https://evil.example\\u0007x\\u001b]8;;\\u0007 %c']],
        ['warning', ['%c%s', 'color: darkorange', 'WRN Low disk']],
      ]);
      const [method, [format, css, text]] = calls[3] as [string, string[]];
      expect([method, format, css]).toEqual(['error', '%c%s', 'color: white; background: red; font-weight: bold']);
      expect(text.startsWith('FTL Lookup failed\nError: no user eve\n  [INF] Admin logged in\n    at ')).toBe(true);
      expect(calls).toHaveLength(4);
    } finally {
      await chromium.close();
    }
  });
});
