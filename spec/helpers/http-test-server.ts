import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One request the test server received. */
export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Answers a request: a status (and headers), or `'hang'` to never answer. */
export type Responder = (
  request: ReceivedRequest,
  index: number,
) => { status: number; headers?: Record<string, string>; body?: string } | 'hang';

/** A real HTTP server on 127.0.0.1 with a free port, for the HTTP sinks' specs. */
export interface TestServer {
  readonly url: string;
  readonly requests: ReceivedRequest[];
  /** Resolves once `count` requests (that `match`, when given) have arrived. */
  received(count: number, match?: (request: ReceivedRequest) => boolean): Promise<void>;
  close(): Promise<void>;
}

export async function startTestServer(respond: Responder = () => ({ status: 200 })): Promise<TestServer> {
  const requests: ReceivedRequest[] = [];
  const sockets = new Set<Socket>();
  const waiters: { count: number; match: (request: ReceivedRequest) => boolean; resolve: () => void }[] = [];
  const matching = (match: (request: ReceivedRequest) => boolean): number => requests.filter(match).length;
  const server: Server = createServer((req, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request: ReceivedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      const index = requests.length;
      requests.push(request);
      for (const waiter of waiters.filter((w) => matching(w.match) >= w.count)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
      const answer = respond(request, index);
      if (answer === 'hang') return;
      res.writeHead(answer.status, answer.headers);
      res.end(answer.body ?? '');
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    received: (count, match = () => true) =>
      matching(match) >= count ? Promise.resolve() : new Promise((resolve) => waiters.push({ count, match, resolve })),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
