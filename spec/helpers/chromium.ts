import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type LaunchOptions } from 'playwright-core';

/** Debian's Chromium: the browser tests never download one. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Headless Chromium with a persistent profile in `profile` (a fresh folder the caller makes and
 * removes), started with the flags this machine needs: no sandbox as root, no GPU, and none of the
 * background connections a closed network would refuse.
 */
export function launchChromium(profile: string, extra: Pick<LaunchOptions, 'ignoreDefaultArgs'> = {}): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profile, {
    ...extra,
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** Headless Chromium (see `launchChromium`) on a fresh profile folder; `close()` closes it and removes the folder. */
export async function freshChromium(
  extra: Pick<LaunchOptions, 'ignoreDefaultArgs'> = {},
): Promise<{ browser: BrowserContext; close(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'rxlog-chromium-'));
  const remove = (): void => rmSync(profile, { recursive: true, force: true });
  try {
    const browser = await launchChromium(profile, extra);
    return {
      browser,
      close: async () => {
        await browser.close();
        remove();
      },
    };
  } catch (error) {
    remove();
    throw error;
  }
}
