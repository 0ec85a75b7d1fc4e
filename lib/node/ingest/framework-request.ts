import type { IncomingMessage, ServerResponse } from 'node:http';
import { SelfLog } from '../../core/self-log';

/** Fastify's request (and Nest's on Fastify): the Node request as `raw`, and the body Fastify's parser left, if any. */
export interface IngestFrameworkRequest {
  /** The Node request underneath. */
  readonly raw: IncomingMessage;
  /** The body the framework's parser already read, if it read one. */
  readonly body?: unknown;
}

/** Fastify's reply (and Nest's on Fastify): the Node response as `raw`; `hijack` tells Fastify the handler answers on it. */
export interface IngestFrameworkReply {
  /** The Node response underneath, which the handler answers on. */
  readonly raw: ServerResponse;
  /** Tells the framework the handler answers on `raw` itself (Fastify's `reply.hijack()`). */
  hijack?(): unknown;
}

/** Node's request, and the body a framework already parsed: Fastify's (`request.body`) or Express's (`req.body`). */
export function nodeRequest(request: IncomingMessage | IngestFrameworkRequest): { req: IncomingMessage; body: unknown } {
  const raw: unknown = (request as Partial<IngestFrameworkRequest>).raw;
  if (typeof raw === 'object' && raw !== null && typeof (raw as Partial<IncomingMessage>).on === 'function')
    return { req: raw as IncomingMessage, body: (request as IngestFrameworkRequest).body };
  return { req: request as IncomingMessage, body: (request as { body?: unknown }).body };
}

/** Node's response; a Fastify reply is hijacked first, so Fastify leaves the answer to the handler. */
export function nodeResponse(reply: ServerResponse | IngestFrameworkReply): ServerResponse {
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
