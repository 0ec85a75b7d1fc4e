import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { LogEvent } from '../../lib/core/log-event';
import type { HttpStatusError } from '../../lib/sinks/http/http-status-error';
import { makeEvent } from './events';

/** A real HTTP server on 127.0.0.1 answering each request, once its body has come, as a test says. */
export interface AnsweringServer {
  /** Closes the server running (if any) and starts one whose answers `answer` writes; resolves to its URL. */
  start(answer: (response: ServerResponse) => void): Promise<string>;
  /** Destroys its connections and closes it (call it in `afterEach`). */
  close(): Promise<void>;
}

export function answeringServer(): AnsweringServer {
  let server: Server | undefined;
  const sockets = new Set<Socket>();
  const close = async (): Promise<void> => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
    server = undefined;
  };
  return {
    async start(answer) {
      await close();
      const started = createServer((request, response) => {
        request.resume();
        request.on('end', () => answer(response));
      });
      server = started;
      started.on('connection', (socket: Socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
      });
      await new Promise<void>((resolve) => started.listen(0, '127.0.0.1', resolve));
      return `http://127.0.0.1:${(started.address() as AddressInfo).port}`;
    },
    close,
  };
}

/**
 * A fetch that answers `status` at once with a body that never comes, noting each request's signal
 * in `signals` (to check that the sink lets the request go).
 */
export function stalledBodyFetch(
  status: number,
  signals: AbortSignal[],
): (url: unknown, init?: RequestInit) => Promise<Response> {
  return (_url, init) => {
    signals.push(init?.signal as AbortSignal);
    const body = new ReadableStream<Uint8Array>({ pull: () => new Promise<void>(() => undefined) });
    return Promise.resolve(new Response(body, { status }));
  };
}

/**
 * Emits one event to `sink` under jest's fake timers and reads its outcome 1 ms before HttpSink's
 * 10 s wait for a body ends, and when it ends: `'pending'`, `'delivered'` or `failed: ` and what
 * `describe` says of the error.
 */
export async function outcomesAroundBodyWait(
  sink: { emit(events: readonly LogEvent[]): Promise<unknown> },
  describe: (error: HttpStatusError) => string,
): Promise<[before: string, at: string]> {
  let outcome = 'pending';
  void sink.emit([makeEvent()]).then(
    () => (outcome = 'delivered'),
    (error: unknown) => (outcome = `failed: ${describe(error as HttpStatusError)}`),
  );
  await jest.advanceTimersByTimeAsync(9_999);
  const before = outcome;
  await jest.advanceTimersByTimeAsync(1);
  return [before, outcome];
}
