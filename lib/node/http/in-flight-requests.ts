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
 * process exits first (see writeUnfinishedRequests): the request
 * a deploy or a crash cut is the one most worth seeing. Bounded: at most MAX_IN_FLIGHT_FOLLOWED
 * at a time, each only until it completes; no timer. The close is followed only while there are
 * requests in flight, so a middleware or plugin made and dropped (a test's, one replaced by hot
 * reload) is not left among the listeners of a logger that outlives it. Undefined for a logger
 * that cannot say when it closes (a test double, a logger of an older copy of rxlog): its requests
 * are not followed.
 */
export function inFlightRequests(log: object, owner: string): InFlightRequests | undefined {
  const listeners = closeListenersOf(log, owner);
  if (listeners === undefined) return undefined;
  const requests = new Set<InFlightRequest>();
  // The requests in flight past the limit, not followed.
  let missed = 0;
  const beforeClose = (): void => {
    if (missed > 0)
      SelfLog.write(`${owner}: {Count} requests in flight when the logger closed were not followed; they have no event`, missed);
    // Each deletes itself as it completes. A listener before close must never throw.
    for (const request of [...requests])
      try {
        request(false, true);
      } catch (error) {
        SelfLog.write(`${owner}: a request in flight could not be written as unfinished`, error);
      }
  };
  return {
    add: (request) => {
      // The first in flight: the close is followed again (the logger's close removed it, or it was idle).
      if (requests.size === 0 && missed === 0 && !listeners.includes(beforeClose)) listeners.push(beforeClose);
      if (requests.size < MAX_IN_FLIGHT_FOLLOWED) requests.add(request);
      else missed++;
    },
    delete: (request) => {
      if (!requests.delete(request) && missed > 0) missed--;
      if (requests.size > 0 || missed > 0) return;
      // None left in flight: no longer among the logger's listeners.
      const at = listeners.indexOf(beforeClose);
      if (at !== -1) listeners.splice(at, 1);
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

/** Why a logger's close cannot be followed, told once by followClose or canFollowClose. */
function cannotFollow(owner: string, error: unknown): void {
  SelfLog.write(`${owner}: the logger's close could not be followed; requests in flight when it closes get no event`, error);
}

/**
 * Calls `writeUnfinished` (which must never throw) when `log` starts closing, while it still
 * accepts events, and at process exit through {@link writeUnfinishedRequests}. Returns the call
 * that stops it, or undefined for a logger that cannot say when it closes (a test double, a logger
 * of an older copy of rxlog).
 */
export function followClose(log: object, owner: string, writeUnfinished: () => void): (() => void) | undefined {
  const listeners = closeListenersOf(log, owner);
  if (listeners === undefined) return undefined;
  listeners.push(writeUnfinished);
  return () => {
    const at = listeners.indexOf(writeUnfinished);
    if (at !== -1) listeners.splice(at, 1);
  };
}

/** The listeners of `log`'s close ({@link beforeCloseOf}), or undefined when it cannot say (told to SelfLog if it threw). */
function closeListenersOf(log: object, owner: string): (() => void)[] | undefined {
  try {
    return beforeCloseOf(log);
  } catch (error) {
    cannotFollow(owner, error);
    return undefined;
  }
}

/** Whether {@link followClose} can follow `log`'s close, without following it. Never throws. */
export function canFollowClose(log: object, owner: string): boolean {
  return closeListenersOf(log, owner) !== undefined;
}

/**
 * Writes the requests in flight of every request logging of `log` as unfinished, now: at process
 * exit (`process.exit()`, a crash), where no close comes, just before the synchronous flush that
 * writes them out. Nothing for a logger whose close began (its requests were written then) or that
 * cannot say. Never throws.
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
