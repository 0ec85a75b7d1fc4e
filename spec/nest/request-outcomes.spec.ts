import { connect } from 'node:net';
import type { LogEvent } from '../../lib/core/log-event';
import { type NestApp, type NestAppRun, runNestApp } from './fixtures/run-nest-app';

// A real Nest 12 app (spec/nest/fixtures/nest-abort-app.ts) in a child process on 127.0.0.1, on
// Express and on Fastify; every rxlog event it writes comes back as a CLEF line. The raw clients
// reset with resetAndDestroy(), so the server sees ECONNRESET every run.

const completions = (run: NestAppRun): LogEvent[] => run.events.filter((e) => e.properties.SourceContext === 'RequestLogging');

const rows = (run: NestAppRun): unknown[][] =>
  completions(run).map((e) => [
    e.renderMessage().replace(/ \d+\.\d{4} ms$/, ''),
    e.level,
    e.properties.StatusCode,
    e.properties.Aborted,
    e.exception?.stack?.split('\n')[0],
  ]);

function withApp(platform: string, requests: (app: NestApp) => Promise<void>): Promise<NestAppRun> {
  return runNestApp('nest-abort-app.ts', [platform], requests);
}

/** Sends `request` on a raw connection that reads what comes; `reset` decides when it resets it (RST). */
function rawClient(app: NestApp, request: string, reset: (socket: ReturnType<typeof connect>) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const socket = connect(Number(new URL(app.url).port), '127.0.0.1');
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('the connection did not close within 20 s'));
    }, 20_000);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.write(request);
    reset(socket);
  });
}

describe.each(['express', 'fastify'])('RxlogModule on %s: how a request ended', (platform) => {
  // Node emits 'finish' from the last write's callback even when the client reset the connection
  // with most of the body still queued in its socket: it was logged "responded 200" at information.
  it('logs a download the client resets with its body still queued as aborted by the client, not as a 200', async () => {
    const run = await withApp(platform, async (app) => {
      await rawClient(app, 'GET /download HTTP/1.1\r\nHost: x\r\n\r\n', (socket) => {
        socket.pause();
        void app.lineMatching(/Body queued/).then(() => socket.resetAndDestroy());
      });
      await app.lineMatching(/HTTP GET \/download (aborted|responded)/);
    });
    expect(rows(run)).toEqual([['HTTP GET /download aborted by the client after', 'warning', undefined, true, undefined]]);
  }, 120_000);

  // req.destroy(error) or req.socket.destroy(error) in a handler: it was logged as the client
  // leaving, a warning without the error.
  it("logs a connection the handler destroys with its own error as the server's failure, at error with 500 and that error", async () => {
    const run = await withApp(platform, async (app) => {
      for (const via of ['request', 'socket']) {
        await rawClient(app, `GET /cut-with/${via} HTTP/1.1\r\nHost: x\r\n\r\n`, (socket) => socket.resume());
        await app.lineMatching(new RegExp(`HTTP GET /cut-with/${via} (aborted|responded)`));
      }
    });
    expect(rows(run)).toEqual([
      ['HTTP GET /cut-with/request responded 500 in', 'error', 500, undefined, 'Error: Upload over its limit'],
      ['HTTP GET /cut-with/socket responded 500 in', 'error', 500, undefined, 'Error: Upload over its limit'],
    ]);
  }, 120_000);

  // An asynchronous step of the app ahead of RxlogModule's (a session lookup) that the client left
  // during: the response's close had fired before rxlog saw the request, which then had no event.
  it('logs a request whose client left before RxlogModule first saw it as aborted by the client', async () => {
    const run = await withApp(platform, async (app) => {
      await rawClient(app, 'GET /late HTTP/1.1\r\nHost: x\r\n\r\n', (socket) => {
        socket.resume();
        setTimeout(() => socket.resetAndDestroy(), 50);
      });
      await Promise.race([
        app.lineMatching(/HTTP GET \/late (aborted|responded)/),
        app.lineMatching(/Handler ran/).then(() => new Promise((resolve) => setTimeout(resolve, 1_000))),
      ]);
    });
    expect(rows(run)).toEqual([['HTTP GET /late aborted by the client after', 'warning', undefined, true, undefined]]);
  }, 120_000);
});

describe('RxlogModule on express: res.sendFile, its error passed on', () => {
  // Express's sendFile calls back with 'Request aborted' (ECONNABORTED) from the connection's
  // 'error' when the client resets it mid-file. Passed to next(error), as Express documents, or
  // thrown by a handler awaiting it, the download was logged as a 200, the error apart.
  it.each(['/file', '/file-awaited'])(
    'logs a file download (%s) the client resets as aborted by the client, with the error sendFile passed on',
    async (path) => {
      const run = await withApp('express', async (app) => {
        let received = 0;
        await rawClient(app, `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`, (socket) =>
          socket.on('data', (chunk: Buffer) => {
            received += chunk.length;
            if (received > 64 * 1024) socket.resetAndDestroy();
          }),
        );
        await app.lineMatching(new RegExp(`HTTP GET ${path} (aborted|responded)`));
      });
      expect(rows(run)).toEqual([
        [`HTTP GET ${path} aborted by the client after`, 'warning', undefined, true, 'Error: Request aborted'],
      ]);
      // Written once, on the completion event: nothing beside it.
      expect(run.events.filter((e) => e.exception !== undefined)).toHaveLength(1);
    },
    120_000,
  );
});
