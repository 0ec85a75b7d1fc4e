import type { IncomingMessage, ServerResponse } from 'node:http';
import { SelfLog } from '../../core/self-log';
import { connectionGone } from './request-tracker';

/**
 * Has an HTTP/1 response that is still to be sent close its connection once it is complete, by
 * answering with `Connection: close` (the client then opens a new connection for its next request).
 * At shutdown, Node's `server.close()` and Fastify's `close()` close only the keep-alive connections
 * that are idle; one whose response was in flight stays open for the client's next request after
 * that response, until the client closes it or the server's `keepAliveTimeout` (Node's 5 s,
 * Fastify's 72 s) passes, and the app's `close()` waits for it. Fastify answers the requests that
 * arrive while it closes the same way; `http-terminator` does this for the ones in flight. A
 * response whose headers went out (a stream) cannot be changed: once it finishes, if the server
 * stopped listening by then, the server's idle connections are closed again
 * (`closeIdleConnections()`, which `server.close()` calls once, when it is called), its own among
 * them. HTTP/2 has no such header: its request's session is closed instead, with a GOAWAY
 * (`session.close()`), which lets the streams in flight on it finish, this response's among them,
 * refuses new ones (the client opens a new connection) and closes the session once they are done.
 * Before Node 24, `server.close()` of a `node:http2` server waits for every session, which a client
 * keeps open (a browser for minutes); Fastify's `close()` and Node 24's close them so too.
 */
export function closeAfterResponse(request: object | undefined, response: object | undefined): void {
  try {
    const { headersSent, setHeader } = (response ?? {}) as { headersSent?: unknown; setHeader?: unknown };
    const version: unknown = (request as { httpVersionMajor?: unknown } | undefined)?.httpVersionMajor;
    if (typeof version === 'number' && version >= 2) return closeSession(request);
    if (response !== undefined) tellLast(request, response);
    if (headersSent === true) closeWhenFinished(request, response as object);
    else if (headersSent === false && typeof setHeader === 'function') {
      setHeader.call(response, 'connection', 'close');
      toldToClose.add(response as object);
    }
  } catch (error) {
    SelfLog.write('A response could not be told to close its connection at shutdown', error);
  }
}

// The response of each connection told last to close it, and those told with `Connection: close`.
const lastTold = new WeakMap<object, object>();
const toldToClose = new WeakSet<object>();

/**
 * Notes `response` as the last one of its request's connection told to close it, and has the one
 * told before it answer without `Connection: close` again, while its head is still to be written:
 * a client may pipeline its requests (send the next before the first is answered), whose handlers
 * Node runs at once and whose answers it queues, and it closes the connection after the first
 * answer that says `Connection: close`, leaving those queued behind it handled (a POST's effects
 * done) but never answered. Requests are told in the order they arrived, so the last one told is
 * the last in the queue, and the connection closes after it (its header, or closeWhenFinished).
 */
function tellLast(request: object | undefined, response: object): void {
  const connection: unknown = (request as { socket?: unknown } | undefined)?.socket;
  if (typeof connection !== 'object' || connection === null) return;
  const earlier = lastTold.get(connection);
  lastTold.set(connection, response);
  if (earlier === undefined || earlier === response || !toldToClose.has(earlier)) return;
  const { headersSent, removeHeader } = earlier as { headersSent?: unknown; removeHeader?: unknown };
  if (headersSent === false && typeof removeHeader === 'function') removeHeader.call(earlier, 'connection');
}

/** Closes an HTTP/2 request's session gracefully (GOAWAY), unless it is closed already. */
function closeSession(request: object | undefined): void {
  type Session = { close?: unknown; closed?: unknown; destroyed?: unknown } | null;
  const session = (request as { stream?: { session?: Session } | null } | undefined)?.stream?.session;
  if (typeof session?.close !== 'function' || session.closed === true || session.destroyed === true) return;
  (session.close as () => void).call(session);
}

// The responses closeWhenFinished follows already.
const finishing = new WeakSet<object>();

/**
 * Once `response` finishes, its connection is idle: when its server stopped listening by then
 * (`close()` was called, and closed the connections idle at that moment), it closes its idle
 * connections again. A connection on which the client sent its next request already is not idle,
 * and is left to Node, which answers it.
 */
function closeWhenFinished(request: object | undefined, response: object): void {
  const server = (request as { socket?: { server?: { closeIdleConnections?: unknown; listening?: unknown } } } | undefined)
    ?.socket?.server;
  const { once } = response as { once?: unknown };
  if (typeof server?.closeIdleConnections !== 'function' || typeof once !== 'function' || finishing.has(response)) return;
  finishing.add(response);
  once.call(response, 'finish', () => {
    try {
      if (server.listening === false) (server.closeIdleConnections as () => void).call(server);
    } catch (error) {
      SelfLog.write('A connection could not be closed after its response at shutdown', error);
    }
  });
}

/**
 * The responses of the requests in flight, for `closeAfterResponse` at shutdown: `follow` each new
 * request, and `close()` has those in flight and those followed later (until `close(false)`)
 * close their connections. A request is followed until its response closes, or its connection is
 * gone (a response queued behind another on a pipelined connection emits no 'close' then).
 * `owner` names the request logging in SelfLog.
 */
export function connectionCloser(owner: string): {
  follow: (req: IncomingMessage, res: ServerResponse) => void;
  close: (closing?: boolean) => void;
} {
  const unclosed = new Map<IncomingMessage, ServerResponse>();
  let closing = false;
  return {
    follow: (req, res) => {
      if (closing) return closeAfterResponse(req, res);
      try {
        unclosed.set(req, res);
        const forget = (): void => void unclosed.delete(req);
        res.once('close', forget);
        req.once('close', () => {
          if (connectionGone(req)) forget();
        });
      } catch (error) {
        unclosed.delete(req);
        SelfLog.write(`${owner}: the request could not be followed until its response closed`, error);
      }
    },
    close: (closingNow = true) => {
      closing = closingNow;
      if (closing) for (const [req, res] of unclosed) closeAfterResponse(req, res);
    },
  };
}
