/** The browser globals a beacon needs: the window's events, `navigator.sendBeacon`, `document.visibilityState`. */
export interface BeaconPage {
  addEventListener(type: string, listener: (event: { type: string }) => void): void;
  removeEventListener(type: string, listener: (event: { type: string }) => void): void;
  readonly navigator?: { sendBeacon?(url: string, data?: BodyInit | null): boolean } | undefined;
  readonly document?: { readonly visibilityState?: string | undefined } | undefined;
}

/**
 * Sends request bodies with `navigator.sendBeacon` and knows whether the page is going away:
 * after `pagehide` (until a `pageshow` restores it from the back/forward cache) or while
 * `document.visibilityState` is `'hidden'`. HttpSink writes through it only then, because a
 * beacon is fire-and-forget: it survives unload, but says nothing about the server's answer.
 */
export class HttpBeacon {
  readonly #page: BeaconPage;
  readonly #url: string;
  readonly #contentType: string;
  #pageHidden = false;
  /** `pagehide` marks the page as going away, `pageshow` (back from the back/forward cache) as staying. */
  readonly #onPageEvent = (event: { type: string }): void => {
    this.#pageHidden = event.type === 'pagehide';
  };

  /**
   * Runs `flush` with every beacon treating the page as hiding, whatever order the page's
   * listeners run in (at `pagehide`, `document.visibilityState` is still `'visible'`).
   */
  static whileHiding(flush: () => void): void {
    forcedHiding++;
    try {
      flush();
    } finally {
      forcedHiding--;
    }
  }

  /** The beacon of the current page, or `undefined` outside a browser window (Node, workers, no `sendBeacon`). */
  static detect(url: string, contentType: string): HttpBeacon | undefined {
    const page = globalThis as Partial<BeaconPage>;
    return typeof page.addEventListener === 'function' &&
      typeof page.removeEventListener === 'function' &&
      typeof page.navigator?.sendBeacon === 'function'
      ? new HttpBeacon(page as BeaconPage, url, contentType)
      : undefined;
  }

  /**
   * Starts following the page's lifecycle on `page`.
   *
   * @param contentType The type of each beacon's body; a type other than `text/plain`,
   * `application/x-www-form-urlencoded` or `multipart/form-data` needs CORS preflight support
   * from a server on another origin.
   */
  constructor(page: BeaconPage, url: string, contentType: string) {
    this.#page = page;
    this.#url = url;
    this.#contentType = contentType;
    page.addEventListener('pagehide', this.#onPageEvent);
    page.addEventListener('pageshow', this.#onPageEvent);
  }

  /** Whether the page is being hidden or unloaded, so only a beacon can be relied on to leave it. */
  get hiding(): boolean {
    return forcedHiding > 0 || this.#pageHidden || this.#page.document?.visibilityState === 'hidden';
  }

  /** Queues one body with the browser; `false` when the browser refused it (over its quota). */
  send(payload: string): boolean {
    const navigator = this.#page.navigator;
    if (navigator?.sendBeacon === undefined) return false;
    const data = typeof Blob === 'function' ? new Blob([payload], { type: this.#contentType }) : payload;
    // Called as a method: a detached sendBeacon throws "Illegal invocation" in browsers.
    return navigator.sendBeacon(this.#url, data) === true;
  }

  /** Stops following the page's lifecycle. */
  close(): void {
    this.#page.removeEventListener('pagehide', this.#onPageEvent);
    this.#page.removeEventListener('pageshow', this.#onPageEvent);
  }
}

/** How many `whileHiding` calls are running: the page is going away for every beacon meanwhile. */
let forcedHiding = 0;
