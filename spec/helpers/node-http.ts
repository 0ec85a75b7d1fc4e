import { type Agent, get as httpGet, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect as connectHttp2, constants as http2Constants } from 'node:http2';
import { type AddressInfo, connect, type Server as NetServer, type Socket } from 'node:net';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import type { LogEvent } from '../../lib/core/log-event';
import type { Logger } from '../../lib/pipeline/logger';
import { MemorySink } from '../../lib/sinks/memory-sink';

/** A logger that keeps every event, with LogContext enrichment on. */
export function memoryLogger(): { log: Logger; events: LogEvent[] } {
  const memory = new MemorySink();
  const log = new LoggerConfiguration().minimumLevel.verbose().enrich.fromLogContext().writeTo.sink(memory).createLogger();
  return { log, events: memory.events };
}

/** Listens on 127.0.0.1 with a free port (an HTTP/1.1 or HTTP/2 server); `close` also destroys open connections. */
export async function listen(server: NetServer): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** One GET (or other method) with a fresh connection; resolves with status, headers and body. */
export function get(
  url: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Sends a request and destroys it once `started` resolves (the handler has it), as a client that gives up. */
export function abandon(url: string, started: Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    const req = httpRequest(url, { agent: false });
    req.on('error', () => resolve());
    req.on('close', () => resolve());
    req.end();
    void started.then(() => req.destroy());
  });
}

/**
 * Requests `path` over HTTP/2 (without TLS) on a fresh session; with `cancel`, resets the stream
 * (RST_STREAM CANCEL, as a browser does for a request it gives up) once the first body bytes
 * arrive. Resolves when the stream closes.
 */
export function requestHttp2(
  url: string,
  path: string,
  options: { cancel?: boolean; headers?: Record<string, string> } = {},
): Promise<void> {
  return new Promise((resolve) => {
    const session = connectHttp2(url);
    session.on('error', () => undefined);
    const stream = session.request({ ':path': path, ...options.headers });
    stream.on('error', () => undefined);
    stream.on('data', () => {
      if (options.cancel === true) stream.close(http2Constants.NGHTTP2_CANCEL);
    });
    stream.on('close', () => {
      session.close();
      resolve();
    });
    stream.end();
  });
}

/** Resolves when `events` has `count` events that match, polling on the event loop (bounded). */
export async function eventsArrive(
  events: LogEvent[],
  count: number,
  match: (event: LogEvent) => boolean = () => true,
): Promise<void> {
  for (let turn = 0; turn < 400; turn++) {
    if (events.filter(match).length >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`expected ${count} events, got ${events.filter(match).length}`);
}

/** A promise with its resolve function. */
export function signal(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/**
 * Writes `requests` (raw HTTP/1.1 text, several pipelined on one keep-alive connection) to
 * 127.0.0.1:`port` and resolves with everything the server answered, read as latin1, once
 * `complete(received)` says so (the client then ends the connection) or the server closes it.
 */
export function exchangeRaw(port: number, requests: string, complete: (received: string) => boolean): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      received += chunk;
      if (complete(received)) socket.end();
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(received));
    socket.write(Buffer.from(requests, 'latin1'));
  });
}

/**
 * Pipelines `POST /items/1` to `/items/{count}` (no body) on one keep-alive connection to
 * 127.0.0.1:`port` and reads until the server closes it. `answers()` then gives, per answer read,
 * whether it said `Connection: close` and its `done N` body (the fixture apps answer `done {id}`).
 */
export function pipelineItems(port: number, count: number): { answers: () => Promise<[boolean, string | undefined][]> } {
  const requests = Array.from(
    { length: count },
    (_, index) => `POST /items/${index + 1} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n`,
  );
  const received = exchangeRaw(port, requests.join(''), () => false);
  return {
    answers: async () =>
      (await within('the server closing the connection', received))
        .split(/(?=HTTP\/1\.1 )/)
        .map((answer) => [/\r\nconnection: close\r\n/i.test(answer), /done \d+$/.exec(answer)?.[0]]),
  };
}

/** `promise`, or a rejection naming `what` once `limitMs` passed: a wait on a real server that fails rather than hangs. */
export function within<T>(what: string, promise: Promise<T>, limitMs = 5_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${limitMs} ms`)), limitMs);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

/** An answer read whole: its status, headers and body text. */
export interface WholeAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A GET of `path` on 127.0.0.1:`port` through `agent` (a keep-alive agent reuses its connection), read whole. */
export function getOnAgent(port: number, agent: Agent, path: string): Promise<WholeAnswer> {
  return new Promise((resolve, reject) => {
    httpGet({ host: '127.0.0.1', port, path, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    }).on('error', reject);
  });
}

/** The completion events' messages, without their elapsed time (`HTTP GET /slow responded 200`). */
export function completions(events: readonly LogEvent[]): string[] {
  return events.filter((e) => e.properties.Elapsed !== undefined).map((e) => e.renderMessage().replace(/ in \S+ ms$/, ''));
}

/** Resolves once `server` no longer listens (its `close()` was called), checked once per turn of the event loop. */
export async function stoppedListening(server: { listening: boolean }): Promise<void> {
  for (let turn = 0; turn < 10_000 && server.listening; turn++) await new Promise((resolve) => setImmediate(resolve));
}
