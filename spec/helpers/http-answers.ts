import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

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
