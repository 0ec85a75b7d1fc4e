import type { IncomingMessage, ServerResponse } from 'node:http';
import { SelfLog } from '../../core/self-log';
import { hasBody } from './read-request-body';

/** After refusing a body, how long and how much of it is still read and discarded so the answer reaches the client before the connection closes. */
const LINGER_MS = 500;
const LINGER_BYTES = 64 * 1024;

/** A fault of the handler itself: reported, answered 500 when it still can be, never thrown (a rejection here would end the process). */
export function failed(req: IncomingMessage, res: ServerResponse, error: unknown): void {
  SelfLog.write('createIngestHandler: a request failed', error);
  try {
    refuse(req, res, 500, 'Internal Server Error');
  } catch (cause) {
    SelfLog.write('createIngestHandler: answering a failed request failed', cause);
    try {
      res.destroy();
    } catch {
      // Nothing is left to answer on.
    }
  }
}

/** Answers `body` as JSON with `status`, unless an answer was sent already or the response is gone. */
export function respond(
  res: ServerResponse,
  status: number,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json',
    'Content-Length': String(Buffer.byteLength(text)),
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

/**
 * Answers without (or without further) reading the body and closes the connection. What the client
 * is still sending is read and discarded for a moment (at most {@link LINGER_BYTES} within
 * {@link LINGER_MS}) so the answer reaches it before the close; then the socket is destroyed.
 * Over HTTP/2 only the request's stream is closed (`req.socket.destroy()` destroys the stream in
 * Node's compatibility API) and no `Connection` header is sent: HTTP/2 has none (RFC 9113 §8.2.2),
 * and Node drops it with a process warning.
 */
export function refuse(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  error: string,
  headers: Record<string, string> = {},
): void {
  // A request without a body (a GET, a preflight) leaves nothing to discard: the connection stays
  // usable, and a request pipelined behind it still gets its answer.
  const bodyPending = !req.complete && hasBody(req);
  const closing = bodyPending && req.httpVersionMajor < 2;
  respond(res, status, { accepted: 0, rejected: 0, error }, closing ? { ...headers, Connection: 'close' } : headers);
  if (!bodyPending) return;
  let discarded = 0;
  const socket = req.socket;
  const close = (): void => {
    clearTimeout(timer);
    socket.destroy();
  };
  const timer = setTimeout(close, LINGER_MS);
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > LINGER_BYTES) close();
  });
  req.on('end', () => clearTimeout(timer));
  req.on('error', () => undefined);
  req.resume();
}
