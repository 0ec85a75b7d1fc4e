import { AsyncResource } from 'node:async_hooks';
import { LogContext } from '../../context/log-context';

/**
 * Binds the LogContext a request starts in, for writing its completion event when the response
 * ends. `'finish'` and `'close'` fire in the context of the code that ended the response: the
 * request's own (whose properties belong on the event), unless another request ended it (a long
 * poll answered from another user's request), whose properties must not reach this event. The
 * returned runner calls `write` in the context in force when that is this request's (its
 * `RequestId`), else in the context the request started in. Call it where the request starts.
 *
 * @example const inEndContext = requestEndContext(requestId); res.once('finish', () => inEndContext(write));
 */
export function requestEndContext(requestId: string): (write: () => void) => void {
  const inStartContext = AsyncResource.bind((write: () => void) => write());
  return (write) => {
    if (LogContext.current()?.RequestId === requestId) write();
    else inStartContext(write);
  };
}
