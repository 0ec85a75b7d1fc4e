/** The browser globals the wait for the network needs: `navigator.onLine` and the window's `online` event. */
interface OnlinePage {
  readonly navigator?: { readonly onLine?: unknown };
  readonly addEventListener?: (type: string, listener: () => void) => void;
  readonly removeEventListener?: (type: string, listener: () => void) => void;
}

/**
 * Waits, in a browser that says it is offline (`navigator.onLine === false`), for its `online`
 * event or for `signal` to abort; resolves at once where the browser is online or cannot say so
 * (Node, workers without the event). HttpSink waits here before a request, so a batch made
 * offline is sent once when the network returns, instead of burning its retries and failing,
 * while the logger's bounded queue holds (and counts what overflows) behind it.
 *
 * @returns Whether it waited.
 */
export async function whenOnline(signal: AbortSignal, page: OnlinePage = globalThis): Promise<boolean> {
  if (page.navigator?.onLine !== false || signal.aborted) return false;
  const listen = page.addEventListener;
  const unlisten = page.removeEventListener;
  if (typeof listen !== 'function' || typeof unlisten !== 'function') return false;
  await new Promise<void>((resolve) => {
    const done = (): void => {
      unlisten.call(page, 'online', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    listen.call(page, 'online', done);
    signal.addEventListener('abort', done);
  });
  return true;
}

/** Whether the browser says it is offline (`navigator.onLine === false`); elsewhere false. */
export function isOffline(): boolean {
  return (globalThis as OnlinePage).navigator?.onLine === false;
}
