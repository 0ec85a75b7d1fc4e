import { createServer } from 'node:http';

// A log receiver for scenario 11, run in its own process so that parsing bodies does not share the
// logging process's CPU. It counts the events in each POST (OTLP/HTTP JSON log records, or one event
// per non-empty line for CLEF and NDJSON) and the bytes on the wire, answers 200 at once, and reports
// its counts on GET /stats. It prints its port on stdout, and ends when its parent goes.

let events = 0;
let bodyBytes = 0;
let requests = 0;

function countEvents(contentType: string, body: string): number {
  if (contentType.includes('json') && !contentType.includes('ndjson') && body.startsWith('{"resourceLogs"')) {
    const parsed = JSON.parse(body) as { resourceLogs: { scopeLogs: { logRecords: unknown[] }[] }[] };
    let count = 0;
    for (const resource of parsed.resourceLogs) for (const scope of resource.scopeLogs) count += scope.logRecords.length;
    return count;
  }
  let count = 0;
  for (const line of body.split('\n')) if (line.trim() !== '') count++;
  return count;
}

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/stats') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ events, bodyBytes, requests }));
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    requests++;
    bodyBytes += body.length;
    try {
      events += countEvents(String(req.headers['content-type'] ?? ''), body.toString('utf8'));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    } catch (error) {
      res.writeHead(400);
      res.end(String(error));
    }
  });
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${typeof address === 'object' && address !== null ? address.port : 0}\n`);
});
process.on('disconnect', () => process.exit(0));
process.stdin.on('end', () => process.exit(0)).resume();
