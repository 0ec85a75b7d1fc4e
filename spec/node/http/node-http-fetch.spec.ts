import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import * as path from 'node:path';
import { LoggerConfiguration } from '../../../lib/configuration/logger-configuration';
import { ConfigurationError } from '../../../lib/core/errors/configuration-error';
import { MAX_TIMER_MS } from '../../../lib/core/max-timer-ms';
import { createNodeHttpFetch, nodeHttpFetch, type NodeHttpFetch } from '../../../lib/node/http/node-http-fetch';
import { HttpSink } from '../../../lib/sinks/http/http-sink';
import { HttpTimeoutError } from '../../../lib/sinks/http/http-timeout-error';
import { OtlpSink } from '../../../lib/sinks/http/otlp-sink';
import { SeqSink } from '../../../lib/sinks/http/seq-sink';
import { makeEvent, makeEvents } from '../../helpers/events';

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
  remotePort: number;
}

interface Receiver {
  url: string;
  requests: Received[];
  connections: number;
  closedRequests: number;
  close(): Promise<void>;
}

type Handler = (req: IncomingMessage, res: ServerResponse, index: number) => void;

/** A real server on 127.0.0.1 that records requests (body included) and connections, then lets `handle` answer. */
async function startReceiver(handle: Handler = (_, res) => res.end('ok')): Promise<Receiver> {
  const sockets = new Set<Socket>();
  const receiver: Receiver = { url: '', requests: [], connections: 0, closedRequests: 0, close: () => Promise.resolve() };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const index = receiver.requests.length;
      receiver.requests.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks),
        remotePort: req.socket.remotePort ?? 0,
      });
      res.on('close', () => {
        if (!res.writableFinished) receiver.closedRequests++;
      });
      handle(req, res, index);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.on('connection', (socket: Socket) => {
    receiver.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  return receiver;
}

/** Resolves once `condition()` holds, polling on the event loop (at most 20 s, within the test's 30 s: the wait is for the event, not a time, so a loaded machine only waits longer). */
async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('createNodeHttpFetch', () => {
  let receiver: Receiver | undefined;
  let fetch: NodeHttpFetch;

  beforeEach(() => {
    fetch = createNodeHttpFetch();
  });

  afterEach(async () => {
    fetch.destroy();
    await receiver?.close();
    receiver = undefined;
  });

  describe('requests and responses', () => {
    it('posts a string body with its headers intact and returns a real Response with status, statusText, headers and body', async () => {
      receiver = await startReceiver((_, res) => {
        res.writeHead(201, 'Made It', { 'X-Answer': '42', 'Content-Type': 'text/plain' });
        res.end('héllo back');
      });
      const response = await fetch(`${receiver.url}/in?x=1`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Api-Key': 'k-1' },
        body: '{"text":"grüße 🌍"}',
      });
      expect(response).toBeInstanceOf(Response);
      expect(response.status).toBe(201);
      expect(response.statusText).toBe('Made It');
      expect(response.ok).toBe(true);
      expect(response.headers.get('x-answer')).toBe('42');
      expect(await response.text()).toBe('héllo back');
      const [request] = receiver.requests;
      expect(request.method).toBe('POST');
      expect(request.url).toBe('/in?x=1');
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.headers['x-api-key']).toBe('k-1');
      expect(request.headers['content-length']).toBe(String(Buffer.byteLength('{"text":"grüße 🌍"}')));
      expect(request.body.toString('utf8')).toBe('{"text":"grüße 🌍"}');
    });

    it('sends a Uint8Array body byte for byte (a view into a larger buffer included) and accepts a URL object and Headers', async () => {
      receiver = await startReceiver();
      const backing = new Uint8Array([9, 1, 2, 3, 255, 9]);
      await fetch(new URL(`${receiver.url}/bytes`), {
        method: 'PUT',
        headers: new Headers({ 'content-type': 'application/octet-stream' }),
        body: backing.subarray(1, 5),
      });
      expect([...receiver.requests[0].body]).toEqual([1, 2, 3, 255]);
      expect(receiver.requests[0].method).toBe('PUT');
      expect(receiver.requests[0].headers['content-type']).toBe('application/octet-stream');
    });

    it('gives a string body without a Content-Type the text/plain type fetch gives it', async () => {
      receiver = await startReceiver();
      await fetch(receiver.url, { method: 'POST', body: 'x' });
      expect(receiver.requests[0].headers['content-type']).toBe('text/plain;charset=UTF-8');
    });

    it('returns a 204 with an empty body and a GET without a body', async () => {
      receiver = await startReceiver((_, res) => {
        res.statusCode = 204;
        res.end();
      });
      const response = await fetch(receiver.url);
      expect(response.status).toBe(204);
      expect(response.body).toBeNull();
      expect(receiver.requests[0].method).toBe('GET');
    });

    it('rejects a body it cannot send, an unsupported protocol and a bad URL with a TypeError, sending nothing', async () => {
      receiver = await startReceiver();
      await expect(fetch(receiver.url, { method: 'POST', body: new Blob(['x']) })).rejects.toThrow(TypeError);
      await expect(fetch(receiver.url, { method: 'GET', body: 'x' })).rejects.toThrow(/GET request cannot have a body/);
      await expect(fetch('ftp://127.0.0.1/x')).rejects.toThrow(/unsupported protocol ftp:/);
      await expect(fetch('not a url')).rejects.toThrow(/invalid URL "not a url"/);
      expect(receiver.requests).toHaveLength(0);
    });

    it('throws ConfigurationError for a pool size or body limit that is not a positive integer', () => {
      expect(() => createNodeHttpFetch({ maxSockets: 0 })).toThrow(ConfigurationError);
      expect(() => createNodeHttpFetch({ maxResponseBytes: 1.5 })).toThrow(
        /maxResponseBytes must be a positive integer, got number 1.5/,
      );
      expect(() => createNodeHttpFetch({ idleSocketMs: Number.NaN })).toThrow(/idleSocketMs/);
    });

    it('throws ConfigurationError naming idleSocketMs and its value past the longest timer delay (2^31 - 1 ms), which Node would fire after 1 ms', () => {
      expect(() => createNodeHttpFetch({ idleSocketMs: MAX_TIMER_MS + 1 })).toThrow(ConfigurationError);
      expect(() => createNodeHttpFetch({ idleSocketMs: MAX_TIMER_MS + 1 })).toThrow(
        `createNodeHttpFetch: idleSocketMs must be whole milliseconds from 1 to ${MAX_TIMER_MS}, got number ${MAX_TIMER_MS + 1}`,
      );
      expect(() => createNodeHttpFetch({ idleSocketMs: Number.POSITIVE_INFINITY })).toThrow(
        /idleSocketMs .* got number Infinity/,
      );
      expect(() => createNodeHttpFetch({ idleSocketMs: MAX_TIMER_MS })).not.toThrow();
    });

    it('describes a bad option value by its type, as the other option checks do', () => {
      expect(() => createNodeHttpFetch({ maxSockets: '8' as unknown as number })).toThrow(
        'createNodeHttpFetch: maxSockets must be a positive integer, got "8"',
      );
      expect(() => createNodeHttpFetch({ maxFreeSockets: {} as unknown as number })).toThrow(/maxFreeSockets .* got Object$/);
      expect(() => createNodeHttpFetch({ maxResponseBytes: -1 })).toThrow(/maxResponseBytes .* got number -1$/);
    });
  });

  describe('redirects', () => {
    it('returns a 3xx as it is and never calls its Location', async () => {
      const elsewhere = await startReceiver();
      try {
        receiver = await startReceiver((_, res) => {
          res.writeHead(302, { Location: `${elsewhere.url}/stolen` });
          res.end();
        });
        const response = await fetch(receiver.url, { method: 'POST', body: 'secret', redirect: 'follow' });
        expect(response.status).toBe(302);
        expect(response.headers.get('location')).toBe(`${elsewhere.url}/stolen`);
        await expect(fetch(receiver.url, { redirect: 'error' })).rejects.toThrow(/redirect \(302\)/);
        expect(elsewhere.requests).toHaveLength(0);
      } finally {
        await elsewhere.close();
      }
    });
  });

  describe('failures', () => {
    it('rejects with a TypeError whose cause is ECONNREFUSED when nothing listens', async () => {
      const closed = await startReceiver();
      const url = closed.url;
      await closed.close();
      const failure = fetch(url, { method: 'POST', body: 'x' });
      await expect(failure).rejects.toThrow(TypeError);
      await expect(failure).rejects.toMatchObject({ cause: { code: 'ECONNREFUSED' } });
    });

    // As fetch does: the response resolves with its status, and reading the body fails.
    it('fails the body read when the server drops the connection in the middle of the body', async () => {
      receiver = await startReceiver((_, res) => {
        res.writeHead(200, { 'Content-Length': '1000' });
        res.write('only part');
        setImmediate(() => res.socket?.destroy());
      });
      const response = await fetch(receiver.url);
      expect(response.status).toBe(200);
      await expect(response.text()).rejects.toThrow(TypeError);
    });

    it('resolves once the status has come, before the body; an abort then fails the body read', async () => {
      // The body never comes: before, the fetch waited for it, so a sink's timeout failed a batch
      // the server had answered 200 (retried, stored twice), where the global fetch delivers it.
      receiver = await startReceiver((_, res) => {
        res.writeHead(200, { 'Content-Length': '10' });
        res.flushHeaders();
      });
      const controller = new AbortController();
      const response = await fetch(receiver.url, { signal: controller.signal });
      expect(response.status).toBe(200);
      const body = response.text();
      controller.abort();
      await expect(body).rejects.toMatchObject({ name: 'AbortError' });
      await until(() => receiver?.closedRequests === 1);
      expect(receiver.closedRequests).toBe(1);
    });

    it('reads a body that comes in pieces after the status', async () => {
      receiver = await startReceiver((_, res) => {
        res.writeHead(200, { 'Content-Length': '6' });
        res.write('abc');
        setImmediate(() => res.end('def'));
      });
      expect(await (await fetch(receiver.url)).text()).toBe('abcdef');
    });

    it('frees the socket of a body nobody reads: the next request reuses it', async () => {
      receiver = await startReceiver((_, res) => res.end('x'.repeat(10_000)));
      fetch = createNodeHttpFetch({ maxSockets: 1 });
      for (let i = 0; i < 3; i++) expect((await fetch(receiver.url)).status).toBe(200);
      expect(receiver.requests).toHaveLength(3);
      expect(receiver.connections).toBe(1);
    });

    it('an abort destroys the request and rejects with an AbortError, as fetch does', async () => {
      receiver = await startReceiver(() => undefined);
      const controller = new AbortController();
      const pending = fetch(receiver.url, { method: 'POST', body: 'x', signal: controller.signal });
      await until(() => receiver?.requests.length === 1);
      controller.abort();
      await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
      await until(() => receiver?.closedRequests === 1);
      expect(receiver.closedRequests).toBe(1);
    });

    it('rejects with the signal reason, before sending anything, when the signal is already aborted', async () => {
      receiver = await startReceiver();
      const reason = new Error('gave up');
      await expect(fetch(receiver.url, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
      expect(receiver.requests).toHaveLength(0);
    });

    it('cuts an endless response body at maxResponseBytes, closes that socket and resolves', async () => {
      fetch = createNodeHttpFetch({ maxResponseBytes: 4096 });
      let written = 0;
      receiver = await startReceiver((_, res) => {
        res.writeHead(500);
        const chunk = Buffer.alloc(1024, 'a');
        // Bounded: stops at 64 MiB or when the client goes away.
        const pump = (): void => {
          while (!res.destroyed && written < 64 * 1024 * 1024) {
            written += chunk.length;
            if (!res.write(chunk)) {
              res.once('drain', pump);
              return;
            }
          }
        };
        pump();
      });
      const response = await fetch(receiver.url);
      expect(response.status).toBe(500);
      expect((await response.text()).length).toBe(4096);
      await until(() => receiver?.closedRequests === 1);
      expect(receiver.closedRequests).toBe(1);
      expect(written).toBeLessThan(64 * 1024 * 1024);
    });

    it('cuts a huge declared body the same way', async () => {
      fetch = createNodeHttpFetch({ maxResponseBytes: 100 });
      receiver = await startReceiver((_, res) => {
        res.writeHead(200, { 'Content-Length': String(10 * 1024 * 1024) });
        res.write(Buffer.alloc(256 * 1024, 'b'));
      });
      const response = await fetch(receiver.url);
      expect(await response.text()).toBe('b'.repeat(100));
    });
  });

  describe('keep-alive', () => {
    it('serves consecutive requests on one socket', async () => {
      receiver = await startReceiver();
      for (let i = 0; i < 5; i++) await (await fetch(receiver.url, { method: 'POST', body: String(i) })).text();
      expect(receiver.requests).toHaveLength(5);
      expect(receiver.connections).toBe(1);
      expect(new Set(receiver.requests.map((r) => r.remotePort)).size).toBe(1);
    });

    it('does not cut a busy request that takes longer than idleSocketMs (only idle sockets time out)', async () => {
      fetch = createNodeHttpFetch({ idleSocketMs: 20 });
      receiver = await startReceiver((_, res) => setTimeout(() => res.end('late'), 200));
      const response = await fetch(receiver.url, { method: 'POST', body: 'x' });
      expect(await response.text()).toBe('late');
    });

    it('opens at most maxSockets connections to one host', async () => {
      fetch = createNodeHttpFetch({ maxSockets: 2 });
      receiver = await startReceiver((_, res) => setTimeout(() => res.end('ok'), 20));
      await Promise.all(Array.from({ length: 6 }, (_, i) => fetch(receiver!.url, { method: 'POST', body: String(i) })));
      expect(receiver.requests).toHaveLength(6);
      expect(receiver.connections).toBe(2);
    });

    it('lets an idle process exit after the logger is closed (pooled sockets are unref’d)', async () => {
      receiver = await startReceiver();
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', path.join(__dirname, '../fixtures/node-http-fetch-idle.ts'), receiver.url],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      // Killed at 40 s, before the server's 60 s keep-alive would let a held child go; a loaded
      // machine starts the child in seconds.
      const killer = setTimeout(() => child.kill('SIGKILL'), 40_000);
      // 'close', not 'exit': after 'exit' the child's last stdout line can still be in the pipe.
      const [code, signal] = await new Promise<[number | null, string | null]>((resolve) =>
        child.on('close', (exitCode, exitSignal) => resolve([exitCode, exitSignal])),
      );
      clearTimeout(killer);
      expect(out).toBe('closed 6\n');
      expect({ code, signal }).toEqual({ code: 0, signal: null });
      // The server still holds the connection open (60 s keep-alive): the child left it, not the other way round.
      expect(receiver.connections).toBe(1);
    }, 50_000);
  });

  describe('with the HTTP sinks', () => {
    it('SeqSink posts CLEF with its API key through it', async () => {
      receiver = await startReceiver((_, res) => {
        res.statusCode = 201;
        res.end();
      });
      await new SeqSink({ serverUrl: receiver.url, apiKey: 'k-1', fetch }).emit(makeEvents(2));
      const [request] = receiver.requests;
      expect(request.url).toBe('/api/events/raw?clef');
      expect(request.headers['x-seq-apikey']).toBe('k-1');
      expect(request.body.toString('utf8').split('\n')).toHaveLength(2);
    });

    it('OtlpSink posts an OTLP/JSON body through the shared nodeHttpFetch', async () => {
      receiver = await startReceiver();
      await new OtlpSink({ endpoint: `${receiver.url}/v1/logs`, fetch: nodeHttpFetch }).emit(makeEvents(3));
      const body = JSON.parse(receiver.requests[0].body.toString('utf8')) as {
        resourceLogs: { scopeLogs: { logRecords: unknown[] }[] }[];
      };
      expect(body.resourceLogs[0].scopeLogs[0].logRecords).toHaveLength(3);
      expect(receiver.requests[0].headers['content-type']).toBe('application/json');
      nodeHttpFetch.destroy();
    });

    it('a 503 with Retry-After reaches the sink as status and delay', async () => {
      receiver = await startReceiver((_, res) => {
        res.writeHead(503, { 'Retry-After': '7' });
        res.end('down for maintenance');
      });
      const failure = new HttpSink({ url: `${receiver.url}/ingest`, fetch }).emit([makeEvent()]);
      await expect(failure).rejects.toMatchObject({ status: 503, retryAfterMs: 7_000 });
      await expect(failure).rejects.toThrow(/503 Service Unavailable \(Retry-After: 7000 ms\): down for maintenance/);
    });

    it('a 503 then 200 is retried by the logger and nothing is lost', async () => {
      receiver = await startReceiver((_, res, index) => {
        if (index === 0) res.writeHead(503, { 'Retry-After': '1' });
        res.end();
      });
      const log = new LoggerConfiguration().writeTo
        .sink(new OtlpSink({ endpoint: `${receiver.url}/v1/logs`, fetch }), {
          batch: { size: 10, maxDelayMs: 0 },
          retry: { attempts: 3, initialDelayMs: 5, maxDelayMs: 20 },
        })
        .createLogger();
      for (let i = 0; i < 5; i++) log.information('Item {N}', i);
      await log.close({ strategy: 'flush' });
      expect(log.metrics().sinks.otlp).toMatchObject({ delivered: 5, failed: 0, retried: 1 });
      expect(receiver.requests.length).toBeGreaterThanOrEqual(2);
    });

    it('a 302 is not followed: the sink fails the batch and the target is never called', async () => {
      const elsewhere = await startReceiver();
      try {
        receiver = await startReceiver((_, res) => {
          res.writeHead(302, { Location: `${elsewhere.url}/x` });
          res.end();
        });
        const failure = new SeqSink({ serverUrl: receiver.url, apiKey: 'secret', fetch }).emit([makeEvent()]);
        await expect(failure).rejects.toMatchObject({ status: 302, permanent: 'sink' });
        expect(elsewhere.requests).toHaveLength(0);
      } finally {
        await elsewhere.close();
      }
    });

    it('a server that never answers is ended by the sink timeout, which destroys the request', async () => {
      receiver = await startReceiver(() => undefined);
      // 1 s: long enough for the request to reach the server first, even on a loaded machine.
      const failure = new HttpSink({ url: receiver.url, fetch, timeoutMs: 1_000 }).emit([makeEvent()]);
      await expect(failure).rejects.toBeInstanceOf(HttpTimeoutError);
      await until(() => receiver?.closedRequests === 1);
      expect(receiver.closedRequests).toBe(1);
    });

    it('a 200 whose body never comes is delivered once the sink timeout ends the wait for it, as with the global fetch', async () => {
      receiver = await startReceiver((_, res) => {
        res.writeHead(200, { 'Content-Length': '10' });
        res.flushHeaders();
      });
      await expect(new HttpSink({ url: receiver.url, fetch, timeoutMs: 1_000 }).emit([makeEvent()])).resolves.toBeUndefined();
      expect(receiver.requests).toHaveLength(1);
    });

    it('a refused connection fails the sink emit with the socket error as cause', async () => {
      const closed = await startReceiver();
      const url = closed.url;
      await closed.close();
      await expect(new HttpSink({ url, fetch }).emit([makeEvent()])).rejects.toMatchObject({ cause: { code: 'ECONNREFUSED' } });
    });
  });
});
