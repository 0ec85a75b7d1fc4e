import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { SelfLog } from '../../core/self-log';

/** Fastify's request (and Nest's on Fastify): the Node request as `raw`, and the body Fastify's parser left, if any. */
export interface IngestFrameworkRequest {
  /** The Node request underneath (`node:http2`'s compatibility API's with Fastify's `http2: true`). */
  readonly raw: IncomingMessage | Http2ServerRequest;
  /** The body the framework's parser already read, if it read one. */
  readonly body?: unknown;
}

/** Fastify's reply (and Nest's on Fastify): the Node response as `raw`; `hijack` tells Fastify the handler answers on it. */
export interface IngestFrameworkReply {
  /** The Node response underneath, which the handler answers on. */
  readonly raw: ServerResponse | Http2ServerResponse;
  /** Tells the framework the handler answers on `raw` itself (Fastify's `reply.hijack()`). */
  hijack?(): unknown;
}

/**
 * Node's request; the body a framework already parsed: Fastify's (`request.body`) or Express's
 * (`req.body`); and the client address the framework resolved (Fastify's `request.ip`, Express's
 * `req.ip`: both follow the app's trust-proxy setting), if any; an `ip` that throws is told to
 * `ipFailed` (the handler's once-a-minute SelfLog notice). An HTTP/2 request of `node:http2`'s compatibility API is read
 * as Node's own: it has every member the handler uses.
 */
export function nodeRequest(
  request: IncomingMessage | Http2ServerRequest | IngestFrameworkRequest,
  ipFailed: (error: unknown) => void,
): {
  req: IncomingMessage;
  body: unknown;
  ip: string | undefined;
} {
  const raw: unknown = (request as Partial<IngestFrameworkRequest>).raw;
  const req =
    typeof raw === 'object' && raw !== null && typeof (raw as Partial<IncomingMessage>).on === 'function'
      ? (raw as IncomingMessage)
      : (request as IncomingMessage);
  return { req, body: (request as { body?: unknown }).body, ip: resolvedIp(request, ipFailed) };
}

/** The framework's `ip`, when it is a non-empty string (a getter that throws, told to `failed`, or a plain Node request, give none). */
function resolvedIp(request: object, failed: (error: unknown) => void): string | undefined {
  try {
    const ip: unknown = (request as { ip?: unknown }).ip;
    return typeof ip === 'string' && ip !== '' ? ip : undefined;
  } catch (error) {
    failed(error);
    return undefined;
  }
}

/** Node's response; a Fastify reply is hijacked first, so Fastify leaves the answer to the handler. */
export function nodeResponse(reply: ServerResponse | Http2ServerResponse | IngestFrameworkReply): ServerResponse {
  const raw: unknown = (reply as Partial<IngestFrameworkReply>).raw;
  if (typeof raw !== 'object' || raw === null || typeof (raw as Partial<ServerResponse>).writeHead !== 'function')
    return reply as ServerResponse;
  const framework = reply as IngestFrameworkReply;
  if (typeof framework.hijack === 'function') {
    try {
      framework.hijack();
    } catch (error) {
      SelfLog.write('createIngestHandler: the reply could not be hijacked; answering on reply.raw anyway', error);
    }
  }
  return raw as ServerResponse;
}
