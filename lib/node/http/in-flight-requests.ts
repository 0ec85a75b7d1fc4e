import { SelfLog } from '../../core/self-log';
import { LOGGER_PARTS, type LoggerParts } from '../../pipeline/logger-parts';

/**
 * How many requests in flight one request logging follows for its logger's close, at most: past
 * that, a request gets no event should the logger close before it ends (SelfLog says how many).
 */
export const MAX_IN_FLIGHT_FOLLOWED = 10_000;

/** The completion of a request in flight, called with `unfinished` true when the logger closes first. */
export type InFlightRequest = (aborted: boolean, unfinished?: boolean) => void;

/** The requests in flight of one request logging: `add` as a request starts, `delete` as it completes. */
export interface InFlightRequests {
  /** Follows a request that has started: `request(false, true)` is called if the logger closes first. */
  add(request: InFlightRequest): void;
  /** Stops following a request that has completed. */
  delete(request: InFlightRequest): void;
}

/**
 * Follows the requests in flight of one request logging, and completes each as unfinished when
 * `log` starts closing, while it still accepts events (its pipeline's `beforeClose`), or when the
 * process exits first (see writeUnfinishedRequests): the request a deploy or a crash cut is the
 * one most worth seeing. Bounded: at most MAX_IN_FLIGHT_FOLLOWED at a time, each only until it
 * completes; no timer. The close is followed only while there are requests in flight (see
 * {@link closeFollower}). Undefined for a logger that cannot say when it closes (a test double, a
 * logger of an older copy of rxlog): its requests are not followed.
 */
export function inFlightRequests(log: object, owner: string): InFlightRequests | undefined {
  const requests = new Set<InFlightRequest>();
  // The requests in flight past the limit, not followed.
  let missed = 0;
  const follower = closeFollower(log, owner, () => {
    if (missed > 0)
      SelfLog.write(`${owner}: {Count} requests in flight when the logger closed were not followed; they have no event`, missed);
    // Each deletes itself as it completes. A listener before close must never throw.
    for (const request of [...requests])
      try {
        request(false, true);
      } catch (error) {
        SelfLog.write(`${owner}: a request in flight could not be written as unfinished`, error);
      }
  });
  if (follower === undefined) return undefined;
  return {
    add: (request) => {
      follower.follow();
      if (requests.size < MAX_IN_FLIGHT_FOLLOWED) requests.add(request);
      else missed++;
    },
    delete: (request) => {
      if (!requests.delete(request) && missed > 0) missed--;
      // None left in flight: no longer among the logger's listeners.
      if (requests.size === 0 && missed === 0) follower.unfollow();
    },
  };
}

/** Follows a logger's close for its owner while the owner has work in flight (see {@link closeFollower}). */
export interface CloseFollower {
  /**
   * Joins the listeners of the logger's close, unless among them already: called as each request
   * or message starts, since the close, which calls and removes every listener, may have run
   * since the last one started.
   */
  follow(): void;
  /** Leaves the listeners of the logger's close: called once the owner has nothing in flight. */
  unfollow(): void;
}

/**
 * Follows `log`'s close for the requests (or messages) of one owner while it has some in flight:
 * `writeUnfinished` (which must never throw) is called as the close begins, while the logger still
 * accepts events, and at process exit through {@link writeUnfinishedRequests}. Only while some are
 * in flight, so an owner made and dropped (a test's middleware, a module compiled and never
 * initialised) is not left among the listeners of a logger that outlives it. A request that
 * starts after the close has run (the logger is shared with what still serves, or the app closed
 * it itself before its server) is followed as any other: at process exit its unfinished event is
 * refused by the closed logger and counted in `rejectedAfterClose`, as its completion would be;
 * each request has its one event, written or counted. Undefined for a logger that cannot say when
 * it closes (a test double, a logger of an older copy of rxlog), told to SelfLog if asking threw.
 */
export function closeFollower(log: object, owner: string, writeUnfinished: () => void): CloseFollower | undefined {
  let listeners: (() => void)[] | undefined;
  try {
    listeners = beforeCloseOf(log);
  } catch (error) {
    SelfLog.write(`${owner}: the logger's close could not be followed; requests in flight when it closes get no event`, error);
  }
  if (listeners === undefined) return undefined;
  const followed = listeners;
  return {
    // A handful of listeners at most (one per request logging or app with some in flight).
    follow: () => {
      if (!followed.includes(writeUnfinished)) followed.push(writeUnfinished);
    },
    unfollow: () => {
      const at = followed.indexOf(writeUnfinished);
      if (at !== -1) followed.splice(at, 1);
    },
  };
}

/** The listeners `log`'s pipeline calls as its close begins (see LoggerPipeline.beforeClose), if it has them. */
function beforeCloseOf(log: object): (() => void)[] | undefined {
  const parts = (log as { [LOGGER_PARTS]?: unknown })[LOGGER_PARTS];
  if (typeof parts !== 'function') return undefined;
  const listeners: unknown = ((parts as () => LoggerParts).call(log)[0] as { beforeClose?: unknown }).beforeClose;
  return Array.isArray(listeners) ? (listeners as (() => void)[]) : undefined;
}

/**
 * Writes the requests in flight of every request logging of `log` as unfinished, now: at process
 * exit (`process.exit()`, a crash), where no close comes, just before the synchronous flush that
 * writes them out. For a logger whose close began, only the requests that started after it
 * (their events are refused, counted in `rejectedAfterClose`); nothing for one that cannot say.
 * Never throws.
 */
export function writeUnfinishedRequests(log: object): void {
  try {
    // Not removed here: a process hook's stand-in process (a test) goes on after its 'exit' (a
    // request logging leaves the listeners itself once its requests in flight are written).
    for (const listener of [...(beforeCloseOf(log) ?? [])]) listener();
  } catch (error) {
    SelfLog.write('The requests in flight could not be written as unfinished', error);
  }
}
