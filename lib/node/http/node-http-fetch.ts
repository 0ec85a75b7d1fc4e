import * as http from 'node:http';
import * as https from 'node:https';
import { describeValue } from '../../core/describe-value';
import { ConfigurationError } from '../../core/errors/configuration-error';
import { isTimerMs, MAX_TIMER_MS } from '../../core/max-timer-ms';

/** TLS settings for `https:` URLs, passed to the https Agent. */
export type NodeHttpFetchTls = Pick<
  https.AgentOptions,
  'ca' | 'cert' | 'key' | 'pfx' | 'passphrase' | 'rejectUnauthorized' | 'servername'
>;

/** Options of {@link createNodeHttpFetch}. */
export interface NodeHttpFetchOptions {
  /** Most sockets open at once per host and port (the keep-alive Agent's `maxSockets`). Default 8. */
  maxSockets?: number | undefined;
  /** Most idle sockets kept open per host and port for reuse (`maxFreeSockets`). Default 4. */
  maxFreeSockets?: number | undefined;
  /**
   * Milliseconds an idle pooled socket stays open before it is closed (below common servers'
   * keep-alive timeouts, so a socket is not reused just as the server closes it): whole
   * milliseconds from 1 to 2 147 483 647 (the longest timer delay). Default 4000.
   */
  idleSocketMs?: number | undefined;
  /**
   * Most bytes of a response body kept, in bytes. A longer body is cut there: the response carries
   * the first bytes and its socket is closed instead of being reused. Default 65 536 (64 KiB).
   */
  maxResponseBytes?: number | undefined;
  /** TLS settings for `https:` URLs (certificate authority, client certificate). Default none. */
  tls?: NodeHttpFetchTls | undefined;
}

/** A fetch made by {@link createNodeHttpFetch}: fetch's signature, plus `destroy()` to close its sockets. */
export interface NodeHttpFetch {
  (input: string | URL | Request, init?: RequestInit): Promise<Response>;
  /** Closes every socket of its pools (idle ones at once, busy ones by destroying their requests). */
  destroy(): void;
}

const DEFAULT_MAX_SOCKETS = 8;
const DEFAULT_MAX_FREE_SOCKETS = 4;
const DEFAULT_IDLE_SOCKET_MS = 4000;
const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024;
// Statuses whose Response must have a null body (the Response constructor throws otherwise).
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/**
 * Creates a fetch-compatible transport on Node's `http.request`/`https.request` with keep-alive
 * Agents of bounded sockets: what rxlog's HTTP sinks (HttpSink, SeqSink, OtlpSink, LokiSink)
 * need of `fetch`, for a fraction of the CPU that Node 20's built-in fetch (undici) spends per
 * request. Pass it as the sink's `fetch` option.
 *
 * It supports method, headers, a body given as a string, Uint8Array/Buffer or ArrayBuffer, and an
 * AbortSignal (aborting destroys the request and rejects with the signal's reason, an `AbortError`
 * by default, as fetch does). It never follows redirects: a 3xx comes back as it is, as with
 * `redirect: 'manual'` (and `redirect: 'error'` rejects). As fetch does, it resolves once the
 * status and headers have come, with a real `Response` (status, statusText, headers, body) whose
 * body streams in after; a body over `maxResponseBytes` is cut there and its socket closed, a
 * body the caller never reads is read and dropped all the same (its socket goes back to the pool),
 * and a body cut short by the socket or an abort fails its read. Socket errors and refused
 * connections reject with a `TypeError` whose `cause` is the socket error, like fetch. There is no timeout of
 * its own: the sinks abort it with their `timeoutMs`. `keepalive` (a browser's request that
 * outlives the page) is ignored; sockets are pooled and reused anyway. It sends no
 * `Accept-Encoding`, so responses are not compressed. Idle pooled sockets are unref'd: they never
 * keep a process alive.
 *
 * @param options Pool sizes, the response body limit and TLS settings; see {@link NodeHttpFetchOptions}.
 * @returns A fetch function with a `destroy()` method.
 */
export function createNodeHttpFetch(options: NodeHttpFetchOptions = {}): NodeHttpFetch {
  const maxSockets = positiveInteger(options.maxSockets, DEFAULT_MAX_SOCKETS, 'maxSockets');
  const maxFreeSockets = positiveInteger(options.maxFreeSockets, DEFAULT_MAX_FREE_SOCKETS, 'maxFreeSockets');
  const idleSocketMs = timerMs(options.idleSocketMs, DEFAULT_IDLE_SOCKET_MS, 'idleSocketMs');
  const maxResponseBytes = positiveInteger(options.maxResponseBytes, DEFAULT_MAX_RESPONSE_BYTES, 'maxResponseBytes');
  const tls = options.tls;
  // Created on first use: importing rxlog/node opens nothing.
  let httpAgent: http.Agent | undefined;
  let httpsAgent: https.Agent | undefined;
  const active = new Set<http.ClientRequest>();
  const agentOptions = (): http.AgentOptions => ({
    keepAlive: true,
    maxSockets,
    maxFreeSockets,
    // The Agent closes a pooled socket idle this long; a busy request is not cut by it (the sink's timeout governs).
    timeout: idleSocketMs,
    scheduling: 'lifo',
  });
  const agentFor = (protocol: string): http.Agent =>
    protocol === 'https:'
      ? (httpsAgent ??= new https.Agent({ ...agentOptions(), ...tls }))
      : (httpAgent ??= new http.Agent(agentOptions()));

  const nodeFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = await describe(input, init);
    const url = request.url;
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new TypeError(`fetch failed: unsupported protocol ${url.protocol}`);
    const signal = request.signal;
    if (signal?.aborted) throw abortReason(signal);
    return new Promise<Response>((resolve, reject) => {
      let settled = false;
      // The response body's stream once the status came: an abort or a broken socket errors it.
      let body: ReadableStreamDefaultController<Uint8Array> | undefined;
      let ended = false;
      const outgoing = (url.protocol === 'https:' ? https : http).request(url, {
        method: request.method,
        headers: request.headers,
        agent: agentFor(url.protocol),
      });
      active.add(outgoing);
      // The request's end: its promise rejected, or its body complete, cut or failed.
      const end = (error?: unknown): void => {
        if (ended) return;
        ended = true;
        active.delete(outgoing);
        signal?.removeEventListener('abort', onAbort);
        try {
          if (error === undefined) body?.close();
          else body?.error(error);
        } catch {
          // A stream its reader cancelled is closed already.
        }
      };
      const finish = (error: unknown, response?: Response): void => {
        if (settled) return;
        settled = true;
        if (response !== undefined) resolve(response);
        else {
          end(error);
          // As fetch does: an abort rejects with the signal's reason, whatever it is.
          reject(error);
        }
      };
      const onAbort = (): void => {
        const reason = signal === undefined ? abortError() : abortReason(signal);
        finish(reason);
        end(reason);
        outgoing.destroy();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      outgoing.once('error', (error) => {
        const failed = networkError(error);
        finish(failed);
        end(failed);
      });
      outgoing.once('response', (incoming) => {
        const status = incoming.statusCode ?? 0;
        if (request.redirect === 'error' && status >= 300 && status < 400) {
          incoming.destroy();
          finish(new TypeError(`fetch failed: redirect (${status}) with redirect mode 'error'`));
          return;
        }
        // As fetch does, the response resolves with its status and headers; its body streams in
        // after. It is read here whether or not the caller reads it (at most maxResponseBytes
        // queued), so an unread body still frees its socket for the next request.
        const stream = NULL_BODY_STATUSES.has(status)
          ? null
          : new ReadableStream<Uint8Array>({
              start: (controller) => {
                body = controller;
              },
            });
        try {
          finish(undefined, toResponse(incoming, status, stream));
        } catch (error) {
          finish(error);
          incoming.destroy();
          return;
        }
        let length = 0;
        incoming.on('data', (chunk: Buffer) => {
          if (ended) return;
          const room = maxResponseBytes - length;
          const kept = chunk.length < room ? chunk : chunk.subarray(0, room);
          length += kept.length;
          try {
            body?.enqueue(new Uint8Array(kept));
          } catch {
            // The reader cancelled the body: the rest is read and dropped.
          }
          if (kept !== chunk || length === maxResponseBytes) {
            // Bound: keep the first maxResponseBytes and drop the connection instead of reading on.
            end();
            incoming.destroy();
            outgoing.destroy();
          }
        });
        incoming.once('end', () => end());
        incoming.once('error', (error) => end(networkError(error)));
        // A response cut short (socket closed mid-body) never ends: fail the body rather than hang.
        incoming.once('close', () => {
          if (!incoming.complete) end(new TypeError('fetch failed: the response ended before its body was complete'));
        });
      });
      if (request.body === undefined) outgoing.end();
      else outgoing.end(request.body, 'utf8');
    });
  };

  const destroy = (): void => {
    for (const request of active) request.destroy(abortError());
    active.clear();
    httpAgent?.destroy();
    httpsAgent?.destroy();
    httpAgent = undefined;
    httpsAgent = undefined;
  };
  return Object.assign(nodeFetch, { destroy });
}

/**
 * A shared {@link createNodeHttpFetch} with the default options (8 sockets per host, 64 KiB
 * response bodies): a fetch for rxlog's HTTP sinks on Node's `http.request`, e.g.
 * `new OtlpSink({ endpoint, fetch: nodeHttpFetch })`. Its pools are created on first use.
 */
export const nodeHttpFetch: NodeHttpFetch = /* @__PURE__ */ createNodeHttpFetch();

interface OutgoingRequest {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body: Buffer | string | undefined;
  signal: AbortSignal | undefined;
  redirect: RequestRedirect | undefined;
}

async function describe(input: string | URL | Request, init: RequestInit | undefined): Promise<OutgoingRequest> {
  const fromRequest = typeof input === 'object' && !(input instanceof URL) ? input : undefined;
  let url: URL;
  try {
    url = new URL(fromRequest === undefined ? (input as string | URL) : fromRequest.url);
  } catch {
    const given = fromRequest?.url ?? (typeof input === 'string' ? input : (input as URL).href);
    throw new TypeError(`fetch failed: invalid URL ${JSON.stringify(given)}`);
  }
  const method = (init?.method ?? fromRequest?.method ?? 'GET').toUpperCase();
  const headers: Record<string, string> = {};
  new Headers(init?.headers ?? fromRequest?.headers).forEach((value, name) => {
    headers[name] = value;
  });
  let body: Buffer | string | undefined;
  const given: unknown = init?.body ?? (fromRequest?.body == null ? undefined : await fromRequest.arrayBuffer());
  if (typeof given === 'string') {
    // Written as a string: the socket encodes it once, with no intermediate Buffer.
    body = given;
    headers['content-type'] ??= 'text/plain;charset=UTF-8';
  } else if (given instanceof Uint8Array) body = Buffer.from(given.buffer, given.byteOffset, given.byteLength);
  else if (given instanceof ArrayBuffer) body = Buffer.from(given);
  else if (given !== undefined && given !== null)
    throw new TypeError('fetch failed: the body must be a string, a Uint8Array or an ArrayBuffer');
  if (body !== undefined && (method === 'GET' || method === 'HEAD'))
    throw new TypeError(`fetch failed: a ${method} request cannot have a body`);
  if (body !== undefined)
    headers['content-length'] = String(typeof body === 'string' ? Buffer.byteLength(body, 'utf8') : body.length);
  else if (method === 'POST' || method === 'PUT') headers['content-length'] = '0';
  const signal = init?.signal ?? fromRequest?.signal ?? undefined;
  return { url, method, headers, body, signal, redirect: init?.redirect ?? fromRequest?.redirect };
}

function toResponse(incoming: http.IncomingMessage, status: number, body: ReadableStream<Uint8Array> | null): Response {
  if (status < 200 || status > 599) throw new TypeError(`fetch failed: invalid response status ${status}`);
  const headers = new Headers();
  const raw = incoming.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    try {
      headers.append(raw[i], raw[i + 1]);
    } catch {
      // A header value fetch would refuse is left out, as fetch leaves it out.
    }
  }
  try {
    return new Response(body, { status, statusText: incoming.statusMessage ?? '', headers });
  } catch {
    // A reason phrase the Response constructor refuses (non-ASCII): the status still counts.
    return new Response(body, { status, headers });
  }
}

function networkError(cause: unknown): TypeError {
  const message = typeof cause === 'object' && cause !== null ? (cause as Error).message : String(cause);
  return new TypeError(`fetch failed: ${message}`, { cause });
}

function abortError(): Error {
  return new DOMException('This operation was aborted', 'AbortError');
}

function abortReason(signal: AbortSignal): unknown {
  return (signal.reason as unknown) ?? abortError();
}

function positiveInteger(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1)
    throw new ConfigurationError(`createNodeHttpFetch: ${name} must be a positive integer, got ${describeValue(value)}`);
  return value;
}

// A socket timeout past MAX_TIMER_MS would fire after 1 ms (Node clamps it), closing every idle socket at once.
function timerMs(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1 || !isTimerMs(value))
    throw new ConfigurationError(
      `createNodeHttpFetch: ${name} must be whole milliseconds from 1 to ${MAX_TIMER_MS}, got ${describeValue(value)}`,
    );
  return value;
}
