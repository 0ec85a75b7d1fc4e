// The Angular demo's server (`npm run demo:angular`): serves the built app from DIST_DIR (default
// dist/browser, beside this file), a small /api (one route fails on purpose) and /ingest, where the
// app's HttpSink ships its events. Received events go to the console and to a daily rolling CLEF
// file (LOG_DIR, default ./logs). Listens on 127.0.0.1, port PORT (default: any free port), and
// prints its URL.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { LoggerConfiguration } from '../../lib/index';
import { createIngestHandler, FileSink, installProcessHooks } from '../../lib/node/index';

const root = resolve(process.env.DIST_DIR ?? join(__dirname, 'dist', 'browser'));
const logDir = resolve(process.env.LOG_DIR ?? 'logs');
const port = Number(process.env.PORT ?? 0);

const log = new LoggerConfiguration().minimumLevel
  .debug()
  .writeTo.console({ outputTemplate: '[{Timestamp:HH:mm:ss} {Level:u3}] {Origin} {Message:lj}{NewLine}{Exception}' })
  .writeTo.sink(new FileSink(join(logDir, 'angular-demo-.clef'), { rollingInterval: 'day', retainedFileCountLimit: 7 }), {
    name: 'file',
    batch: { size: 100, maxDelayMs: 50 },
  })
  .createLogger();
installProcessHooks(log, { timeoutMs: 2_000 });

const server = log.forContext('SourceContext', 'DemoServer');
// Validates and bounds what browsers send and writes each event into `log`, the client's own
// properties under `Client`. One browser on 127.0.0.1 sends bursts when pages are left: a roomier
// rate than the default (5 a second, bursts of 20).
const ingest = createIngestHandler(log, { rateLimit: { perSecond: 50, burst: 200 } });

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.ico': 'image/x-icon',
  '.map': 'application/json',
};

function api(req: IncomingMessage, res: ServerResponse, path: string): void {
  const requestId = req.headers['x-request-id'];
  const order = /^\/api\/orders\/([\w-]+)$/.exec(path);
  if (order !== null) {
    server.information('API {Path} answered 200 for request {RequestId}', path, requestId);
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ id: order[1], total: 99.5 }));
  } else if (path === '/api/fail') {
    server.warning('API {Path} failed on purpose with 500 for request {RequestId}', path, requestId);
    res.writeHead(500, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: 'the demo API fails here' }));
  } else {
    res.writeHead(404).end();
  }
}

/**
 * Whether `target` is inside the app's directory: a `..` decoded from `%2f` or `%5c` may leave it,
 * and a sibling whose name starts with its name (`browser-evil` beside `browser`) is not in it.
 */
function inRoot(target: string): boolean {
  const within = relative(root, target);
  return within !== '' && within !== '..' && !within.startsWith(`..${sep}`) && !isAbsolute(within);
}

function file(res: ServerResponse, path: string): void {
  let target = join(root, path);
  if (!inRoot(target) || !existsSync(target) || !statSync(target).isFile()) target = join(root, 'index.html');
  if (!existsSync(target)) {
    res.writeHead(503, { 'Content-Type': 'text/plain' }).end('The app is not built: run `npm run demo:angular`.');
    return;
  }
  res.writeHead(200, { 'Content-Type': types[extname(target)] ?? 'application/octet-stream' });
  createReadStream(target).pipe(res);
}

const http = createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (path === '/ingest') {
    // Which transport brought the batch (fetch sends CLEF, the page-hide beacon text/plain).
    server.debug(
      'Ingest request with {ContentType}, {Bytes} bytes',
      req.headers['content-type'],
      Number(req.headers['content-length'] ?? 0),
    );
    ingest(req, res);
  } else if (path.startsWith('/api/')) api(req, res, path);
  else {
    let decoded: string;
    try {
      decoded = decodeURIComponent(path);
    } catch {
      res.writeHead(400).end();
      return;
    }
    file(res, decoded);
  }
});

http.listen(port, '127.0.0.1', () => {
  const { port: bound } = http.address() as AddressInfo;
  server.information('Angular demo at {Url}; events are written under {LogDir}', `http://127.0.0.1:${bound}/`, logDir);
  // The URL alone on a line, for scripts that start this server.
  process.stdout.write(`DEMO_URL=http://127.0.0.1:${bound}/\n`);
});

const stop = (): void => {
  http.close();
  http.closeAllConnections();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
