import { EventEmitter } from 'node:events';
import { requestLoggingSettings } from '../../lib/nest/request-logging-settings';
import { RxlogRequestContext } from '../../lib/nest/rxlog-request-context';
import { memoryLogger } from '../helpers/node-http';

// RxlogModule's own shutdown hook runs after Nest stopped the HTTP server (which waits, unbounded,
// for a handler that never answers: Nest's and Node's wait, not rxlog's). What the hook itself waits
// for before it closes the logger, responses whose connection is gone to close
// (whenCutResponsesClosed, given one second by RxlogShutdown, which loads Nest's runtime and so runs
// in the real-app specs), is bounded: a response whose 'close' never comes holds it for the limit
// only, and the logger's close then writes the request as unfinished.
describe('RxlogRequestContext.whenCutResponsesClosed with a response whose connection is gone and which never closes', () => {
  afterEach(() => jest.useRealTimers());

  it('waits for it no longer than its limit; the logger’s close then writes the request as unfinished', async () => {
    jest.useFakeTimers();
    const { log, events } = memoryLogger();
    const requests = new RxlogRequestContext(log, requestLoggingSettings({}));
    const request = { method: 'GET', url: '/orders/7', headers: {}, socket: { destroyed: false } };
    const response = Object.assign(new EventEmitter(), { headersSent: false, setHeader: () => undefined });
    requests.run(request, response as never, () => undefined);
    // The connection is cut (forceCloseConnections), and the response never emits 'close'.
    request.socket.destroyed = true;
    let settled = false;
    void requests.whenCutResponsesClosed(1_000).then(() => (settled = true));
    await jest.advanceTimersByTimeAsync(999);
    expect(settled).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(settled).toBe(true);
    const closing = log.close();
    await jest.advanceTimersByTimeAsync(0);
    await closing;
    expect(events.map((e) => [e.level, e.renderMessage().replace(/after \d+(\.\d+)? ms$/, 'after … ms')])).toEqual([
      ['warning', 'HTTP GET /orders/7 unfinished at shutdown after … ms'],
    ]);
  });
});
