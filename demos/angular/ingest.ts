// The demo server's /ingest endpoint: rxlog/node's createIngestHandler, which validates and bounds
// what browsers send and writes each event into the server's logger. Until that handler is part
// of this checkout, a minimal stand-in with the same request shape and event shape is used (CLEF
// lines in, client properties under `Client`, the rendered message as `{ClientMessage}`).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Logger, readCompactJson } from '../../lib/index';
import * as rxlogNode from '../../lib/node/index';

/** A node:http handler for the browser's log batches. */
export type IngestHandler = (req: IncomingMessage, res: ServerResponse) => void;

type CreateIngestHandler = (log: Logger, options?: Record<string, unknown>) => IngestHandler;

/** The ingest handler for `log`: rxlog/node's createIngestHandler when it exists, else the stand-in. */
export function ingestHandler(log: Logger): IngestHandler {
  const create = (rxlogNode as { createIngestHandler?: CreateIngestHandler }).createIngestHandler;
  // The demo's one browser sends a burst when a page is left: a generous rate for 127.0.0.1.
  if (create !== undefined) return create(log, { rateLimit: { perSecond: 50, burst: 200 } });
  return standIn(log);
}

const MAX_BODY_BYTES = 1024 * 1024;

function standIn(log: Logger): IngestHandler {
  return (req, res) => {
    if (req.method !== 'POST') {
      res.writeHead(405, { Allow: 'POST' }).end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        res.writeHead(413).end();
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => {
      let accepted = 0;
      let rejected = 0;
      for (const line of Buffer.concat(chunks).toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        try {
          const event = readCompactJson(line);
          const properties = {
            Origin: 'browser',
            UserAgent: req.headers['user-agent'],
            ClientTemplate: event.messageTemplate.text,
            ClientTimestamp: event.timestamp.toISOString(),
            Client: event.properties,
          };
          const logger = log.child(properties);
          if (event.exception === undefined) logger.write(event.level, '{ClientMessage}', event.renderMessage());
          else logger.write(event.level, event.exception, '{ClientMessage}', event.renderMessage());
          accepted++;
        } catch {
          rejected++;
        }
      }
      res.writeHead(accepted === 0 && rejected > 0 ? 400 : 200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ accepted, rejected }));
    });
  };
}
