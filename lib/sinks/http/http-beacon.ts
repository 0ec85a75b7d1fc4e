/** The browser globals a beacon needs: the window's events, `navigator.sendBeacon`, `document.visibilityState`. */
export interface BeaconPage {
  addEventListener(type: string, listener: (event: { type: string }) => void): void;
  removeEventListener(type: string, listener: (event: { type: string }) => void): void;
  readonly navigator?: { sendBeacon?(url: string, data?: BodyInit | null): boolean } | undefined;
  readonly document?: { readonly visibilityState?: string | undefined } | undefined;
}

/**
 * Sends request bodies with `navigator.sendBeacon` and knows whether the page is going away:
 * after `pagehide` (until a `pageshow` restores it from the back/forward cache), and in the task
 * whose `visibilitychange` made it `'hidden'` (the last event a mobile browser reliably fires).
 * HttpSink writes through it only then, because a beacon is fire-and-forget: it survives unload,
 * but says nothing about the server's answer. A page that stays hidden (a background tab) lives
 * on, and its later batches go by `fetch`, which a 5xx answer retries, and which outlives the
 * page too when the body fits `keepalive`.
 */
export class HttpBeacon {
  readonly #page: BeaconPage;
  readonly #url: string;
  readonly #contentType: string;
  #pageHidden = false;
  /**
   * `pagehide` marks the page as going away, `pageshow` (back from the back/forward cache) as
   * staying; `visibilitychange` starts a turn in which a hidden page is going away.
   */
  readonly #onPageEvent = ({ type }: { type: string }): void => {
    if (type !== 'visibilitychange') this.#pageHidden = type === 'pagehide';
    else if (!visibilityTurn) {
      visibilityTurn = true;
      setTimeout(() => (visibilityTurn = false), 0);
    }
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
    for (const type of PAGE_EVENTS) page.addEventListener(type, this.#onPageEvent);
  }

  /** Whether the page is being hidden or unloaded, so only a beacon can be relied on to leave it. */
  get hiding(): boolean {
    return forcedHiding > 0 || this.#pageHidden || (visibilityTurn && this.#page.document?.visibilityState === 'hidden');
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
    for (const type of PAGE_EVENTS) this.#page.removeEventListener(type, this.#onPageEvent);
  }
}

const PAGE_EVENTS = ['pagehide', 'pageshow', 'visibilitychange'];

/**
 * Whether a `visibilitychange` came in this task (set by every beacon's listener, cleared on the
 * next task): a page `'hidden'` then is going away, one hidden since an earlier task lives on.
 */
let visibilityTurn = false;

/** How many `whileHiding` calls are running: the page is going away for every beacon meanwhile. */
let forcedHiding = 0;
