import { AsyncResource } from 'node:async_hooks';
import { LogContext } from '../../context/log-context';
import { type DiagnosticCollector, diagnosticContext } from './diagnostic-context';

/**
 * Binds the LogContext a request starts in, for writing its completion event when the response
 * ends. `'finish'` and `'close'` fire in the context of the code that ended the response: the
 * request's own (whose properties belong on the event), unless another request ended it (a long
 * poll answered from another user's request), whose properties must not reach this event. The
 * returned runner calls `write` in the context in force when that is this request's, else in the
 * context the request started in. Call it where the request starts.
 *
 * @param collector The request's diagnostic collection: code running inside it is the request's
 * own. Without it, code whose LogContext has the request's `RequestId` is; but a client chooses
 * that id (`x-request-id`, or a `traceparent` every request of its trace shares), so another
 * request can carry the same one.
 * @example const inEndContext = requestEndContext(requestId, collector); res.once('finish', () => inEndContext(write));
 */
export function requestEndContext(requestId: string, collector?: DiagnosticCollector): (write: () => void) => void {
  const inStartContext = AsyncResource.bind((write: () => void) => write());
  const own = (): boolean =>
    collector === undefined ? LogContext.current()?.RequestId === requestId : diagnosticContext.current() === collector;
  return (write) => {
    if (own()) write();
    else inStartContext(write);
  };
}
