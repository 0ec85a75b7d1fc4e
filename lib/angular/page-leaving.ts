/**
 * Whether the page is being left, for `rxlogHttpInterceptor`: a browser fails every request still
 * in flight when the page is left (a link or the address bar to another page, a reload), with
 * status 0 as a network failure has. Chromium does so once the next page's answer has come, after
 * `beforeunload` and just before `pagehide` (a few to a hundred milliseconds before it): logged as
 * it comes, each such request was an `error` shipped by beacon at every page left with a request
 * in flight. A failure without an answer that comes between `beforeunload` and `pagehide` is held:
 * `pagehide` says the page was left, and `LEAVE_GRACE_MS` without it that the page stayed (a
 * download, a `beforeunload` prompt the user cancelled, an answer without content), so the failure
 * was one after all.
 */
interface Watch {
  /** The global scope's `addEventListener` the listeners were added with (a test may swap the page). */
  readonly through: unknown;
  /** From `beforeunload` until `pagehide`, `pageshow` or a grace that ends without `pagehide`. */
  leaving: boolean;
  /** The failures held while the page is being left: each says, once, whether the page was left. */
  readonly held: Set<(left: boolean) => void>;
  /** The requests in flight: `beforeunload` is listened to only while there are some. */
  inFlight: number;
}

let watch: Watch | undefined;

type Listen = (type: string, listener: () => void) => void;

/**
 * Follows the page while a request is in flight: its `pagehide` and `pageshow` from the first
 * request on, and its `beforeunload` only while requests are in flight (so that a page with none
 * keeps no `beforeunload` listener, which some browsers' back/forward caches refuse). Returns the
 * function to call once, when the request settles; nothing outside a browser window.
 */
export function watchPageLeaving(): () => void {
  const scope = globalThis as { addEventListener?: unknown; removeEventListener?: unknown };
  const listen = scope.addEventListener;
  const unlisten = scope.removeEventListener;
  if (typeof listen !== 'function' || typeof unlisten !== 'function') return () => undefined;
  let current = watch;
  if (current?.through !== listen) {
    const made: Watch = { through: listen, leaving: false, held: new Set(), inFlight: 0 };
    const settle = (left: boolean): void => {
      made.leaving = false;
      const held = [...made.held];
      made.held.clear();
      for (const release of held) release(left);
    };
    (listen as Listen).call(globalThis, 'pagehide', () => settle(true));
    // Back from the back/forward cache, or a leave that never came to pagehide: the page is here.
    (listen as Listen).call(globalThis, 'pageshow', () => settle(false));
    current = watch = made;
  }
  const followed = current;
  if (followed.inFlight++ === 0) (listen as Listen).call(globalThis, 'beforeunload', onBeforeUnload);
  let ended = false;
  return () => {
    if (ended) return;
    ended = true;
    if (--followed.inFlight === 0) (unlisten as Listen).call(globalThis, 'beforeunload', onBeforeUnload);
  };
}

/** The page is being left, unless a `beforeunload` prompt keeps it (see `holdWhileLeaving`). */
function onBeforeUnload(): void {
  if (watch !== undefined) watch.leaving = true;
}

/**
 * While the page is being left (see `watchPageLeaving`), holds a failure until it is known whether
 * the page was left: `release(true)` at `pagehide`, `release(false)` after `LEAVE_GRACE_MS` (set
 * with `schedule`, outside Angular's zone) or at `pageshow`, once. Returns false, holding nothing,
 * when the page is not being left.
 */
export function holdWhileLeaving(
  release: (left: boolean) => void,
  schedule: (task: () => void, delayMs: number) => void,
): boolean {
  const current = watch;
  if (current?.leaving !== true) return false;
  let done = false;
  const once = (left: boolean): void => {
    if (done) return;
    done = true;
    current.held.delete(once);
    // No pagehide within the grace: the page stays, and later failures are logged as they come.
    if (!left) current.leaving = false;
    release(left);
  };
  current.held.add(once);
  schedule(() => once(false), LEAVE_GRACE_MS);
  return true;
}

/**
 * The longest a failure waits for `pagehide` once the page is being left: Chromium fails the
 * requests of the page it leaves a few to a hundred milliseconds before it.
 */
export const LEAVE_GRACE_MS = 1_000;
