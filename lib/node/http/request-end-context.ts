import { AsyncResource } from 'node:async_hooks';
import { LogContext } from '../../context/log-context';
import { type DiagnosticCollector, diagnosticContext } from './diagnostic-context';

const RESOURCE_TYPE = 'rxlog.RequestEndContext';

/** Runs a request's end-of-response work in the right LogContext; see {@link requestEndContext}. */
export interface InEndContext {
  (write: () => void): void;
  /**
   * Call where the response is ended (its `end()` or `destroy()`): when the code calling it is the
   * request's own, its context is the one the response's later events are written in.
   */
  readonly ended: () => void;
}

/**
 * Binds the LogContext a request starts in, for writing its completion event when the response
 * ends. `'finish'` and `'close'` fire in the context of the code that ended the response: the
 * request's own (whose properties belong on the event), unless another request ended it (a long
 * poll answered from another user's request), whose properties must not reach this event. The
 * returned runner calls `write` in the context in force when that is this request's, else in the
 * context of the request's own code that ended the response (see `ended`), else in the context the
 * request started in. Node emits `'finish'` of a response queued behind another on a pipelined
 * connection from the one before it: `ended` keeps what the request's own code had in context
 * (an auth middleware's `LogContext.run({ UserId }, next)`) on its events. Call it where the request starts.
 *
 * @param collector The request's diagnostic collection: code running inside it is the request's
 * own. Without it, code whose LogContext has the request's `RequestId` is; but a client chooses
 * that id (`x-request-id`, or a `traceparent` every request of its trace shares), so another
 * request can carry the same one.
 * @example const inEndContext = requestEndContext(requestId, collector); res.once('finish', () => inEndContext(write));
 */
export function requestEndContext(requestId: string, collector?: DiagnosticCollector): InEndContext {
  // An AsyncResource runs code in the async context it was made in (what AsyncResource.bind does,
  // for a fraction of its cost: a bound function costs some 100 times more to make).
  let own = new AsyncResource(RESOURCE_TYPE);
  let ended = false;
  const isOwn = (): boolean =>
    collector === undefined ? LogContext.current()?.RequestId === requestId : diagnosticContext.current() === collector;
  const inEndContext = (write: () => void): void => {
    if (isOwn()) write();
    else own.runInAsyncScope(write);
  };
  return Object.assign(inEndContext, {
    ended: (): void => {
      if (ended || !isOwn()) return;
      ended = true;
      own = new AsyncResource(RESOURCE_TYPE);
    },
  });
}
